"""The output tables as real clients read them: pyarrow, pandas, polars and DuckDB.

Reads the output directory named by CORPUSMILL_OUT (default: out/ at the repository root), as
written by `corpusmill run`. A table is one file (`tokens.parquet`) or a dataset directory
(`tokens/**/*.parquet`, for partitioned or sharded runs); both are supported.
"""

import os
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[2]
OUT = Path(os.environ.get("CORPUSMILL_OUT", REPO / "out"))
TABLES = ["documents", "sentences", "tokens", "entities", "removed_lines"]
DICT = pa.dictionary(pa.int32(), pa.string())
OFFSETS = {name: pa.uint32() for name in ["char_start", "char_end", "byte_start", "byte_end"]}

# The documented columns (docs/schema.md); tables may gain columns, never lose or retype these.
EXPECTED = {
    "documents": {
        "doc_id": pa.uint64(), "source": pa.string(), "status": DICT, "skip_reason": pa.string(),
        "encoding": DICT, "lang": DICT, "lang_confidence": pa.float32(), "text": pa.string(),
        "n_bytes": pa.uint64(), "n_sentences": pa.uint32(), "n_tokens": pa.uint32(),
        "n_entities": pa.uint32(), "n_removed_lines": pa.uint32(),
    },
    "sentences": {
        "doc_id": pa.uint64(), "sentence_id": pa.uint32(), **OFFSETS, "text": pa.string(),
        "lang": DICT, "lang_confidence": pa.float32(), "n_tokens": pa.uint32(),
    },
    "tokens": {
        "doc_id": pa.uint64(), "sentence_id": pa.uint32(), "token_id": pa.uint32(), **OFFSETS,
        "text": pa.string(), "lower": pa.string(), "stem": pa.string(), "kind": DICT,
    },
    "entities": {
        "doc_id": pa.uint64(), "sentence_id": pa.uint32(), "entity_id": pa.uint32(), **OFFSETS,
        "token_start": pa.uint32(), "token_end": pa.uint32(), "text": pa.string(),
        "n_tokens": pa.uint32(),
    },
    "removed_lines": {
        "doc_id": pa.uint64(), "line_no": pa.uint32(), "text": pa.string(), "rule": DICT,
        "doc_freq": pa.uint32(),
    },
}


def located(name):
    """(path, is_dataset_directory) of a table."""
    single = OUT / f"{name}.parquet"
    if single.is_file():
        return single, False
    directory = OUT / name
    if directory.is_dir():
        return directory, True
    pytest.fail(f"{OUT}: no {name}.parquet nor {name}/")


def glob(name):
    path, is_dir = located(name)
    return str(path / "**" / "*.parquet") if is_dir else str(path)


@pytest.fixture(scope="module", autouse=True)
def output_exists():
    if not (OUT / "manifest.json").is_file() and not any(OUT.glob("*/manifest.json")):
        pytest.skip(f"no corpusmill output in {OUT}: run `cargo run --release -- run --force` first")


def arrow(name):
    path, is_dir = located(name)
    if is_dir:
        return ds.dataset(path, format="parquet", partitioning="hive").to_table()
    return pq.read_table(path)


@pytest.fixture(scope="module")
def tables():
    return {name: arrow(name) for name in TABLES}


@pytest.mark.parametrize("name", TABLES)
def test_pyarrow_types_match_the_schema(name):
    path, is_dir = located(name)
    files = sorted(p for p in path.rglob("*.parquet") if not p.name.startswith((".", "_"))) if is_dir else [path]
    assert files, f"{path}: no files"
    for file in files:
        schema = pq.read_schema(file)
        partition_keys = {part.split("=")[0] for part in file.relative_to(OUT).parts if "=" in part}
        for column, expected in EXPECTED[name].items():
            if column in partition_keys and column not in schema.names:
                continue
            assert column in schema.names, f"{file}: no column {column}"
            assert schema.field(column).type == expected, f"{file}: {column} is {schema.field(column).type}"
        metadata = pq.ParquetFile(file).metadata.metadata or {}
        assert b"corpusmill.schema_version" in metadata, f"{file}: no corpusmill metadata"


@pytest.mark.parametrize("name", TABLES)
def test_every_client_reads_the_same_rows(name, tables):
    rows = tables[name].num_rows
    assert len(pd.read_parquet(located(name)[0])) == rows
    assert pl.scan_parquet(glob(name), hive_partitioning=True).select(pl.len()).collect().item() == rows
    count = duckdb.sql(f"SELECT count(*) FROM read_parquet('{glob(name)}', hive_partitioning=true)").fetchall()[0][0]
    assert count == rows


def test_pandas_reads_dictionary_columns_as_categories():
    docs = pd.read_parquet(located("documents")[0])
    assert isinstance(docs["lang"].dtype, pd.CategoricalDtype)
    assert docs["doc_id"].dtype == "uint64"
    tokens = pd.read_parquet(located("tokens")[0], columns=["kind", "char_start"])
    assert isinstance(tokens["kind"].dtype, pd.CategoricalDtype)
    assert tokens["char_start"].dtype == "uint32"


def test_polars_types():
    docs = pl.read_parquet(glob("documents"), hive_partitioning=True)
    assert docs.schema["doc_id"] == pl.UInt64
    assert isinstance(docs.schema["lang"], (pl.Categorical, pl.Enum)) or docs.schema["lang"] == pl.String
    tokens = pl.read_parquet(glob("tokens"), hive_partitioning=True)
    assert tokens.schema["char_start"] == pl.UInt32
    assert tokens.schema["byte_end"] == pl.UInt32


def test_duckdb_types():
    rows = duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{glob('tokens')}')").fetchall()
    columns = {row[0]: row[1] for row in rows}
    assert columns["doc_id"] == "UBIGINT"
    assert columns["char_start"] == "UINTEGER"
    assert columns["text"] == "VARCHAR"


def test_ids_are_unique_and_dense(tables):
    docs = tables["documents"].to_pandas()
    assert docs["doc_id"].is_unique
    for name, id_column in [("sentences", "sentence_id"), ("tokens", "token_id"), ("entities", "entity_id")]:
        frame = tables[name].select(["doc_id", id_column]).to_pandas()
        for doc_id, ids in frame.groupby("doc_id")[id_column]:
            assert sorted(ids.tolist()) == list(range(len(ids))), f"{name}: ids of {doc_id} not 0..n"


def test_ids_join_in_duckdb():
    sql = f"""
        SELECT
          (SELECT count(*) FROM read_parquet('{glob("tokens")}') t
             ANTI JOIN read_parquet('{glob("sentences")}') s USING (doc_id, sentence_id)) AS orphan_tokens,
          (SELECT count(*) FROM read_parquet('{glob("sentences")}') s
             ANTI JOIN read_parquet('{glob("documents")}') d USING (doc_id)) AS orphan_sentences,
          (SELECT count(*) FROM read_parquet('{glob("entities")}') e
             ANTI JOIN read_parquet('{glob("sentences")}') s USING (doc_id, sentence_id)) AS orphan_entities,
          (SELECT count(*) FROM read_parquet('{glob("removed_lines")}') r
             ANTI JOIN read_parquet('{glob("documents")}') d USING (doc_id)) AS orphan_removed
    """
    assert duckdb.sql(sql).fetchall()[0] == (0, 0, 0, 0)


def test_row_counts_in_documents_match_the_tables(tables):
    docs = tables["documents"].to_pandas().set_index("doc_id")
    for name, column in [("sentences", "n_sentences"), ("tokens", "n_tokens"),
                         ("entities", "n_entities"), ("removed_lines", "n_removed_lines")]:
        counts = tables[name].select(["doc_id"]).to_pandas().groupby("doc_id").size()
        expected = docs[column].astype("int64")
        assert counts.reindex(docs.index, fill_value=0).astype("int64").equals(expected), name


def test_sentence_token_counts_match_tokens(tables):
    tokens = pl.from_arrow(tables["tokens"].select(["doc_id", "sentence_id"]))
    counts = tokens.group_by(["doc_id", "sentence_id"]).len()
    sentences = pl.from_arrow(tables["sentences"].select(["doc_id", "sentence_id", "n_tokens"]))
    joined = sentences.join(counts, on=["doc_id", "sentence_id"], how="left").with_columns(pl.col("len").fill_null(0))
    mismatched = joined.filter(pl.col("len") != pl.col("n_tokens"))
    assert mismatched.height == 0, mismatched.head()


@pytest.mark.parametrize("name", ["sentences", "tokens", "entities"])
def test_offsets_slice_the_document_text(name, tables):
    texts = dict(zip(tables["documents"].column("doc_id").to_pylist(),
                     tables["documents"].column("text").to_pylist()))
    encoded = {doc_id: text.encode("utf-8") for doc_id, text in texts.items()}
    rows = tables[name].select(["doc_id", "char_start", "char_end", "byte_start", "byte_end", "text"]).to_pylist()
    assert rows, f"{name}: no rows to check"
    for row in rows:
        text = texts[row["doc_id"]]
        assert text[row["char_start"]:row["char_end"]] == row["text"], row
        raw = encoded[row["doc_id"]][row["byte_start"]:row["byte_end"]]
        assert raw.decode("utf-8") == row["text"], row


def test_entities_cover_their_tokens(tables):
    tokens = tables["tokens"].select(["doc_id", "token_id", "char_start", "char_end"]).to_pandas()
    tokens = tokens.set_index(["doc_id", "token_id"])
    for row in tables["entities"].to_pylist():
        assert row["n_tokens"] == row["token_end"] - row["token_start"]
        first = tokens.loc[(row["doc_id"], row["token_start"])]
        last = tokens.loc[(row["doc_id"], row["token_end"] - 1)]
        assert (first["char_start"], last["char_end"]) == (row["char_start"], row["char_end"]), row


def test_non_ascii_text_exercises_char_offsets(tables):
    """The sample corpus holds Portuguese: char and byte offsets must differ somewhere."""
    tokens = tables["tokens"].select(["char_start", "byte_start"]).to_pandas()
    assert (tokens["char_start"] != tokens["byte_start"]).any()
