//! The summary of an output directory, read back from its Parquet tables without rerunning
//! anything: documents per status and language, sentences and tokens per language, removed
//! lines per rule, the sentence-length distribution and the most frequent entity candidates.
//!
//! A table is either one file (`OUT/tokens.parquet`) or a dataset directory
//! (`OUT/tokens/**/*.parquet`, as written by partitioned or sharded runs). In a directory,
//! files whose name starts with `.` or `_` are skipped (temporary and marker files, as pyarrow,
//! DuckDB and polars do), and a column missing from a file is taken from a hive-style
//! `column=value` directory above it.

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::compute::cast;
use arrow::datatypes::{DataType, UInt64Type};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Entity candidates listed overall.
pub const TOP_ENTITIES: usize = 20;
/// Entity candidates listed per language.
pub const TOP_ENTITIES_PER_LANG: usize = 10;

/// An entity candidate and how often it occurs.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EntityCount {
    /// The candidate's text.
    pub text: String,
    /// Occurrences.
    pub count: u64,
}

/// What an output directory holds.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Stats {
    /// Rows per table.
    pub rows: BTreeMap<String, u64>,
    /// Documents per status (`processed`, `skipped`, `failed`).
    pub documents_by_status: BTreeMap<String, u64>,
    /// Processed documents per document language.
    pub documents_by_lang: BTreeMap<String, u64>,
    /// Input bytes of all documents.
    pub input_bytes: u64,
    /// Sentences per sentence language.
    pub sentences_by_lang: BTreeMap<String, u64>,
    /// Tokens per sentence language.
    pub tokens_by_lang: BTreeMap<String, u64>,
    /// Sentences per length in tokens.
    pub sentence_lengths: BTreeMap<u32, u64>,
    /// Removed boilerplate lines per rule.
    pub removed_lines_by_rule: BTreeMap<String, u64>,
    /// The most frequent entity candidates, most frequent first (ties by text).
    pub top_entities: Vec<EntityCount>,
    /// The most frequent entity candidates per document language.
    pub top_entities_by_lang: BTreeMap<String, Vec<EntityCount>>,
}

/// Why an output directory could not be summarised.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    /// Neither `NAME.parquet` nor a `NAME/` dataset directory exists.
    #[error("{dir}: no {table} table ({table}.parquet or {table}/)")]
    MissingTable {
        /// The output directory.
        dir: PathBuf,
        /// The table's name.
        table: &'static str,
    },
    /// A file or directory could not be read.
    #[error("{path}: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        message: String,
    },
    /// A file lacks a column the summary needs.
    #[error("{path}: no column {column}")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: &'static str,
    },
}

/// The Parquet files of `table` in `dir`, in sorted order.
pub fn table_files(dir: &Path, table: &'static str) -> Result<Vec<PathBuf>, StatsError> {
    let single = dir.join(format!("{table}.parquet"));
    if single.is_file() {
        return Ok(vec![single]);
    }
    let dataset = dir.join(table);
    if !dataset.is_dir() {
        return Err(StatsError::MissingTable {
            dir: dir.to_path_buf(),
            table,
        });
    }
    let hidden = |entry: &walkdir::DirEntry| {
        entry.depth() > 0
            && entry
                .file_name()
                .to_str()
                .is_some_and(|name| name.starts_with(['.', '_']))
    };
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&dataset)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| !hidden(entry))
    {
        let entry = entry.map_err(|error| StatsError::Read {
            path: dataset.clone(),
            message: error.to_string(),
        })?;
        if entry.file_type().is_file()
            && entry.path().extension().is_some_and(|ext| ext == "parquet")
        {
            files.push(entry.into_path());
        }
    }
    Ok(files)
}

/// One column of a batch, as the summary needs it.
enum Column {
    Strings(arrow::array::StringArray),
    Numbers(arrow::array::UInt64Array),
    /// A hive partition value standing for a column the file does not hold.
    Constant(String),
}

impl Column {
    fn string(&self, row: usize) -> Option<&str> {
        match self {
            Column::Strings(array) => array.is_valid(row).then(|| array.value(row)),
            Column::Constant(value) => Some(value),
            Column::Numbers(_) => None,
        }
    }

    fn number(&self, row: usize) -> u64 {
        match self {
            Column::Numbers(array) if array.is_valid(row) => array.value(row),
            Column::Constant(value) => value.parse().unwrap_or(0),
            _ => 0,
        }
    }
}

/// `column=value` directories between the table directory and `file`.
fn partition_values(file: &Path) -> HashMap<String, String> {
    file.ancestors()
        .skip(1)
        .filter_map(|dir| dir.file_name()?.to_str()?.split_once('='))
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect()
}

/// Calls `visit(columns, rows)` for every batch of `table`, with `columns` in the order of
/// `names`: strings as UTF-8, integers widened to u64.
fn scan(
    dir: &Path,
    table: &'static str,
    names: &[&'static str],
    mut visit: impl FnMut(&[Column], usize),
) -> Result<u64, StatsError> {
    let mut total = 0;
    for path in table_files(dir, table)? {
        let read_error = |message: String| StatsError::Read {
            path: path.clone(),
            message,
        };
        let file = std::fs::File::open(&path).map_err(|error| read_error(error.to_string()))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|error| read_error(error.to_string()))?;
        if names.is_empty() {
            total += u64::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
            continue;
        }
        let partitions = partition_values(&path);
        let schema = builder.schema().clone();
        let mut indices = Vec::new();
        for name in names {
            match schema.index_of(name) {
                Ok(index) => indices.push(index),
                Err(_) if partitions.contains_key(*name) => {}
                Err(_) => {
                    return Err(StatsError::MissingColumn {
                        path: path.clone(),
                        column: name,
                    });
                }
            }
        }
        let mask = ProjectionMask::roots(builder.parquet_schema(), indices);
        let reader = builder
            .with_projection(mask)
            .build()
            .map_err(|error| read_error(error.to_string()))?;
        for batch in reader {
            let batch: RecordBatch = batch.map_err(|error| read_error(error.to_string()))?;
            let mut columns = Vec::with_capacity(names.len());
            for name in names {
                let column = match batch.column_by_name(name) {
                    None => Column::Constant(partitions.get(*name).cloned().unwrap_or_default()),
                    Some(array) if array.data_type().is_integer() => {
                        let widened = cast(array, &DataType::UInt64)
                            .map_err(|error| read_error(error.to_string()))?;
                        Column::Numbers(widened.as_primitive::<UInt64Type>().clone())
                    }
                    Some(array) => {
                        let strings = cast(array, &DataType::Utf8)
                            .map_err(|error| read_error(error.to_string()))?;
                        Column::Strings(strings.as_string::<i32>().clone())
                    }
                };
                columns.push(column);
            }
            total += batch.num_rows() as u64;
            visit(&columns, batch.num_rows());
        }
    }
    Ok(total)
}

fn bump(counts: &mut BTreeMap<String, u64>, key: &str, by: u64) {
    match counts.get_mut(key) {
        Some(count) => *count += by,
        None => {
            counts.insert(key.to_owned(), by);
        }
    }
}

fn top(counts: HashMap<String, u64>, n: usize) -> Vec<EntityCount> {
    let mut entries: Vec<EntityCount> = counts
        .into_iter()
        .map(|(text, count)| EntityCount { text, count })
        .collect();
    entries.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.text.cmp(&b.text)));
    entries.truncate(n);
    entries
}

/// Reads the summary of the output directory `dir`.
pub fn read(dir: &Path) -> Result<Stats, StatsError> {
    let mut stats = Stats::default();
    let mut doc_lang: HashMap<u64, String> = HashMap::new();
    let documents = scan(
        dir,
        "documents",
        &["doc_id", "status", "lang", "n_bytes"],
        |columns, rows| {
            for row in 0..rows {
                let status = columns[1].string(row).unwrap_or("");
                let lang = columns[2].string(row).unwrap_or("und");
                bump(&mut stats.documents_by_status, status, 1);
                if status == "processed" {
                    bump(&mut stats.documents_by_lang, lang, 1);
                }
                stats.input_bytes += columns[3].number(row);
                doc_lang.insert(columns[0].number(row), lang.to_owned());
            }
        },
    )?;
    let sentences = scan(dir, "sentences", &["lang", "n_tokens"], |columns, rows| {
        for row in 0..rows {
            let lang = columns[0].string(row).unwrap_or("und");
            let n_tokens = columns[1].number(row);
            bump(&mut stats.sentences_by_lang, lang, 1);
            bump(&mut stats.tokens_by_lang, lang, n_tokens);
            *stats
                .sentence_lengths
                .entry(u32::try_from(n_tokens).unwrap_or(u32::MAX))
                .or_default() += 1;
        }
    })?;
    let mut overall: HashMap<String, u64> = HashMap::new();
    let mut by_lang: HashMap<String, HashMap<String, u64>> = HashMap::new();
    let entities = scan(dir, "entities", &["doc_id", "text"], |columns, rows| {
        for row in 0..rows {
            let Some(text) = columns[1].string(row) else {
                continue;
            };
            let lang = doc_lang
                .get(&columns[0].number(row))
                .map_or("und", String::as_str);
            for counts in [&mut overall, by_lang.entry(lang.to_owned()).or_default()] {
                match counts.get_mut(text) {
                    Some(count) => *count += 1,
                    None => {
                        counts.insert(text.to_owned(), 1);
                    }
                }
            }
        }
    })?;
    stats.top_entities = top(overall, TOP_ENTITIES);
    stats.top_entities_by_lang = by_lang
        .into_iter()
        .map(|(lang, counts)| (lang, top(counts, TOP_ENTITIES_PER_LANG)))
        .collect();
    let removed_lines = scan(dir, "removed_lines", &["rule"], |columns, rows| {
        for row in 0..rows {
            bump(
                &mut stats.removed_lines_by_rule,
                columns[0].string(row).unwrap_or(""),
                1,
            );
        }
    })?;
    // The token rows are counted from the file metadata: no token data is decoded.
    let tokens = scan(dir, "tokens", &[], |_, _| {})?;
    stats.rows = [
        ("documents", documents),
        ("sentences", sentences),
        ("tokens", tokens),
        ("entities", entities),
        ("removed_lines", removed_lines),
    ]
    .into_iter()
    .map(|(name, rows)| (name.to_owned(), rows))
    .collect();
    Ok(stats)
}

/// The summary as aligned text, for the terminal.
pub fn to_text(stats: &Stats) -> String {
    use std::fmt::Write;
    let mut text = String::new();
    let join = |counts: &BTreeMap<String, u64>| {
        let mut entries: Vec<(&String, &u64)> = counts.iter().collect();
        entries.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        entries
            .iter()
            .map(|(key, n)| format!("{key} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let rows = |name: &str| stats.rows.get(name).copied().unwrap_or(0);
    let _ = writeln!(
        text,
        "documents      {} ({})",
        rows("documents"),
        join(&stats.documents_by_status)
    );
    let _ = writeln!(text, "  by language  {}", join(&stats.documents_by_lang));
    let _ = writeln!(
        text,
        "input          {:.2} MB",
        stats.input_bytes as f64 / 1e6
    );
    let _ = writeln!(text, "sentences      {}", rows("sentences"));
    let _ = writeln!(text, "  by language  {}", join(&stats.sentences_by_lang));
    let _ = writeln!(text, "tokens         {}", rows("tokens"));
    let _ = writeln!(text, "  by language  {}", join(&stats.tokens_by_lang));
    let _ = writeln!(text, "entities       {}", rows("entities"));
    let _ = writeln!(text, "removed_lines  {}", rows("removed_lines"));
    let _ = writeln!(
        text,
        "  by rule      {}",
        join(&stats.removed_lines_by_rule)
    );
    let _ = writeln!(text, "top entity candidates");
    for entity in &stats.top_entities {
        let _ = writeln!(text, "  {:>6}  {}", entity.count, entity.text);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_values_come_from_hive_directories() {
        let values = partition_values(Path::new("out/tokens/lang=eng/shard=2/part-0.parquet"));
        assert_eq!(values.get("lang").map(String::as_str), Some("eng"));
        assert_eq!(values.get("shard").map(String::as_str), Some("2"));
        assert!(!values.contains_key("part-0.parquet"));
    }

    #[test]
    fn a_missing_table_is_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let error = read(dir.path()).expect_err("no tables");
        assert!(error.to_string().contains("documents"), "{error}");
    }

    #[test]
    fn dataset_directories_skip_hidden_and_underscore_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let table = dir.path().join("tokens").join("lang=eng");
        std::fs::create_dir_all(&table).expect("mkdir");
        for name in [
            "b.parquet",
            "a.parquet",
            ".a.parquet.partial",
            "_SUCCESS",
            "_tmp.parquet",
        ] {
            std::fs::write(table.join(name), b"").expect("write");
        }
        let files = table_files(dir.path(), "tokens").expect("files");
        let names: Vec<_> = files
            .iter()
            .filter_map(|f| f.file_name()?.to_str())
            .collect();
        assert_eq!(names, ["a.parquet", "b.parquet"]);
    }
}
