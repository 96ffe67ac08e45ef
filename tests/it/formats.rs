//! Input formats and output layouts: JSON Lines (plain, gzip, zstd), Parquet, WET and standard
//! input in; language partitions and shards out, read back with the Rust Parquet reader.

use crate::tables::Table;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn corpusmill(args: &[&str], stdin: Option<&[u8]>) -> std::process::Output {
    corpusmill_exiting(args, stdin, 0)
}

fn corpusmill_exiting(args: &[&str], stdin: Option<&[u8]>, code: i32) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_corpusmill"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(bytes).unwrap();
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(code),
        "corpusmill {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn run(inputs: &[&Path], out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<String> = vec!["run".into()];
    args.extend(inputs.iter().map(|p| p.to_string_lossy().into_owned()));
    args.extend([
        "--out".into(),
        out.to_string_lossy().into_owned(),
        "--quiet".into(),
        "--threads".into(),
        "2".into(),
    ]);
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    corpusmill(&args, None)
}

const RECORDS: [(&str, &str, &str); 4] = [
    (
        "pt-1",
        "https://www.publico.pt/a",
        "Lisboa é a capital de Portugal. A cidade fica junto ao rio Tejo.",
    ),
    (
        "en-1",
        "https://news.example.com/b",
        "The museum opened on Monday. Visitors queued for hours in the rain.",
    ),
    (
        "de-1",
        "https://zeitung.example.de/c",
        "Die Ausstellung wurde am Montag eröffnet. Die Besucher warteten lange.",
    ),
    (
        "pt-2",
        "https://www.publico.pt/d",
        "O Porto é a segunda maior cidade do país. Fica no norte, junto ao Douro.",
    ),
];

fn jsonl(records: &[(&str, &str, &str)]) -> String {
    records
        .iter()
        .map(|(id, url, text)| {
            serde_json::json!({"id": id, "url": url, "text": text}).to_string() + "\n"
        })
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn documents_by_source(out: &Path) -> BTreeMap<String, (u64, Option<String>, String, String)> {
    let docs = Table::read(&out.join("documents.parquet"));
    let ids = docs.u64s("doc_id");
    let urls = docs.strings("url");
    let statuses = docs.texts("status");
    let texts = docs.texts("text");
    docs.texts("source")
        .into_iter()
        .enumerate()
        .map(|(i, source)| {
            (
                source,
                (
                    ids[i],
                    urls[i].clone(),
                    statuses[i].clone(),
                    texts[i].clone(),
                ),
            )
        })
        .collect()
}

/// Every sentence's byte and char offsets slice its text back out of its document.
fn assert_offsets_slice_back(out: &Path) {
    let docs = documents_by_source(out);
    let texts: BTreeMap<u64, &String> = docs.values().map(|(id, _, _, text)| (*id, text)).collect();
    let sentences = Table::read(&out.join("sentences.parquet"));
    assert!(sentences.rows() > 0);
    let (ids, starts, ends) = (
        sentences.u64s("doc_id"),
        sentences.u32s("byte_start"),
        sentences.u32s("byte_end"),
    );
    let (char_starts, char_ends) = (sentences.u32s("char_start"), sentences.u32s("char_end"));
    for (i, sentence) in sentences.texts("text").iter().enumerate() {
        let text = texts[&ids[i]];
        assert_eq!(&text[starts[i] as usize..ends[i] as usize], sentence);
        let by_chars: String = text
            .chars()
            .skip(char_starts[i] as usize)
            .take((char_ends[i] - char_starts[i]) as usize)
            .collect();
        assert_eq!(&by_chars, sentence);
    }
}

#[test]
fn json_lines_plain_gzip_and_zstd_become_documents_with_urls() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    let mut text = jsonl(&RECORDS[..2]);
    text.push_str("{\"id\": \"bad\", \"text\": 42}\n{not json}\n");
    std::fs::write(inputs.join("a.jsonl"), &text).unwrap();
    std::fs::write(
        inputs.join("b.jsonl.gz"),
        gzip(jsonl(&RECORDS[2..3]).as_bytes()),
    )
    .unwrap();
    let zstd_bytes = zstd::stream::encode_all(jsonl(&RECORDS[3..]).as_bytes(), 3).unwrap();
    std::fs::write(inputs.join("c.jsonl.zst"), zstd_bytes).unwrap();
    let out = dir.path().join("out");
    let out_arg = out.to_string_lossy().into_owned();
    // Exit code 3: the run completed, but a record failed (the line that is not JSON).
    corpusmill_exiting(
        &[
            "run",
            &inputs.to_string_lossy(),
            "--out",
            &out_arg,
            "--quiet",
        ],
        None,
        3,
    );
    let docs = documents_by_source(&out);
    let sources: Vec<&str> = docs.keys().map(String::as_str).collect();
    assert_eq!(
        sources,
        [
            "a.jsonl#4",
            "a.jsonl#bad",
            "a.jsonl#en-1",
            "a.jsonl#pt-1",
            "b.jsonl.gz#de-1",
            "c.jsonl.zst#pt-2"
        ]
    );
    assert_eq!(
        docs["a.jsonl#pt-1"].1.as_deref(),
        Some("https://www.publico.pt/a")
    );
    assert_eq!(docs["a.jsonl#pt-1"].2, "processed");
    assert!(docs["a.jsonl#pt-1"].3.starts_with("Lisboa é a capital"));
    assert_eq!(docs["c.jsonl.zst#pt-2"].2, "processed");
    assert_eq!(docs["a.jsonl#bad"].2, "skipped");
    assert_eq!(docs["a.jsonl#4"].2, "failed");
    assert_eq!(docs["a.jsonl#4"].1, None);
    assert_offsets_slice_back(&out);
}

#[test]
fn wet_records_are_documents_with_their_target_uris() {
    let dir = tempfile::tempdir().unwrap();
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats/tiny.warc.wet");
    let gz = dir.path().join("tiny.warc.wet.gz");
    std::fs::write(&gz, gzip(&std::fs::read(&fixture).unwrap())).unwrap();
    for input in [fixture.as_path(), gz.as_path()] {
        let out = dir.path().join(format!(
            "out-{}",
            input.extension().unwrap().to_string_lossy()
        ));
        run(&[input], &out, &[]);
        let docs = documents_by_source(&out);
        assert_eq!(docs.len(), 3, "{docs:?}");
        let name = input.to_string_lossy();
        let lisboa = &docs[&format!("{name}#urn:uuid:11111111-1111-1111-1111-111111111111")];
        assert_eq!(
            lisboa.1.as_deref(),
            Some("https://pt.wikipedia.org/wiki/Lisboa")
        );
        assert!(
            lisboa
                .3
                .contains("Lisboa é a capital e a maior cidade de Portugal.")
        );
        assert_offsets_slice_back(&out);
    }
}

#[test]
fn the_common_crawl_sample_runs_when_present() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/common-crawl/whirlwind.warc.wet.gz");
    if !sample.exists() {
        eprintln!("skipping: {} not found", sample.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run(&[&sample], &out, &[]);
    let docs = documents_by_source(&out);
    assert!(!docs.is_empty());
    assert!(
        docs.values()
            .all(|(_, url, _, _)| url.as_deref().is_some_and(|u| u.starts_with("http")))
    );
    assert!(docs.values().any(|(_, _, status, _)| status == "processed"));
}

#[test]
fn parquet_rows_and_standard_input_are_documents() {
    use arrow::array::{RecordBatch, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pages.parquet");
    let schema = Arc::new(Schema::new(vec![
        Field::new("page", DataType::Utf8, false),
        Field::new("body", DataType::Utf8, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(vec!["p1", "p2"])),
            Arc::new(StringArray::from(vec![
                Some(RECORDS[0].2),
                Some(RECORDS[1].2),
            ])),
        ],
    )
    .unwrap();
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, None)
            .unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let out = dir.path().join("out");
    run(
        &[&path],
        &out,
        &["--text-field", "body", "--id-field", "page"],
    );
    let docs = documents_by_source(&out);
    let name = path.to_string_lossy();
    assert_eq!(
        docs.keys().cloned().collect::<Vec<_>>(),
        [format!("{name}#p1"), format!("{name}#p2")]
    );
    assert!(
        docs.values()
            .all(|(_, url, status, _)| url.is_none() && status == "processed")
    );
    assert_offsets_slice_back(&out);

    let out = dir.path().join("stdin");
    let out_arg = out.to_string_lossy().into_owned();
    corpusmill(
        &[
            "run",
            "-",
            "--out",
            &out_arg,
            "--quiet",
            "--stdin-format",
            "jsonl",
        ],
        Some(jsonl(&RECORDS).as_bytes()),
    );
    let docs = documents_by_source(&out);
    assert_eq!(docs.len(), 4);
    assert!(docs.contains_key("stdin#pt-2"));
    assert!(!out.join(".stdin.spool").exists());
    let out = dir.path().join("stdin-text");
    let out_arg = out.to_string_lossy().into_owned();
    corpusmill(
        &["run", "-", "--out", &out_arg, "--quiet"],
        Some(RECORDS[1].2.as_bytes()),
    );
    let docs = documents_by_source(&out);
    assert_eq!(docs["stdin"].3, RECORDS[1].2);
}

/// Every Parquet file under `dir`, sorted, with its `lang=` partition value if any.
fn parquet_files(dir: &Path) -> Vec<(PathBuf, Option<String>)> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy();
        if name.ends_with(".parquet") && !name.starts_with('.') {
            let lang = entry
                .path()
                .parent()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_string_lossy().strip_prefix("lang=").map(str::to_owned));
            files.push((entry.path().to_path_buf(), lang));
        }
    }
    files
}

/// (doc_id, sentence_id, text, lang) of every sentence of a dataset directory or file.
fn sentence_rows(path: &Path) -> BTreeSet<(u64, u32, String, String)> {
    let files = if path.is_dir() {
        parquet_files(path)
    } else {
        vec![(path.to_path_buf(), None)]
    };
    let mut rows = BTreeSet::new();
    for (file, partition) in files {
        let table = Table::read(&file);
        let langs = match &partition {
            Some(lang) => {
                assert!(
                    table.0.column_by_name("lang").is_none(),
                    "{}: lang stored in the file too",
                    file.display()
                );
                vec![lang.clone(); table.rows()]
            }
            None => table.texts("lang"),
        };
        let (ids, sentence_ids, texts) = (
            table.u64s("doc_id"),
            table.u32s("sentence_id"),
            table.texts("text"),
        );
        for i in 0..table.rows() {
            rows.insert((ids[i], sentence_ids[i], texts[i].clone(), langs[i].clone()));
        }
    }
    rows
}

/// (doc_id, row count) per table of a dataset directory or file.
fn rows_per_doc(path: &Path) -> BTreeMap<u64, usize> {
    let files = if path.is_dir() {
        parquet_files(path)
    } else {
        vec![(path.to_path_buf(), None)]
    };
    let mut counts = BTreeMap::new();
    for (file, _) in files {
        for id in Table::read(&file).u64s("doc_id") {
            *counts.entry(id).or_default() += 1;
        }
    }
    counts
}

fn corpus_dir(root: &Path) -> PathBuf {
    let inputs = root.join("in");
    std::fs::create_dir_all(inputs.join("site")).unwrap();
    std::fs::write(inputs.join("mixed.jsonl"), jsonl(&RECORDS)).unwrap();
    for (i, (_, _, text)) in RECORDS.iter().enumerate() {
        // A line repeated across the site's pages: counted corpus-wide, whatever the shard.
        std::fs::write(
            inputs.join(format!("site/{i}.txt")),
            format!("{text}\nAll rights reserved by the site.\n"),
        )
        .unwrap();
    }
    inputs
}

#[test]
fn partitioned_output_reads_back_as_the_unpartitioned_table() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = corpus_dir(dir.path());
    let single = dir.path().join("single");
    let partitioned = dir.path().join("partitioned");
    run(&[&inputs], &single, &[]);
    run(&[&inputs], &partitioned, &["--partition-by", "lang"]);
    let files = parquet_files(&partitioned.join("sentences"));
    assert!(
        files
            .iter()
            .all(|(path, lang)| lang.is_some() && path.ends_with("part-00000.parquet"))
    );
    let langs: BTreeSet<&str> = files
        .iter()
        .filter_map(|(_, lang)| lang.as_deref())
        .collect();
    assert!(langs.contains("por") && langs.contains("eng"), "{langs:?}");
    assert_eq!(
        sentence_rows(&partitioned.join("sentences")),
        sentence_rows(&single.join("sentences.parquet"))
    );
    for table in ["documents", "tokens", "entities", "removed_lines"] {
        assert_eq!(
            rows_per_doc(&partitioned.join(table)),
            rows_per_doc(&single.join(format!("{table}.parquet"))),
            "{table}"
        );
    }
    // Metadata that shapes the rows is in every file.
    let (first, _) = &parquet_files(&partitioned.join("tokens"))[0];
    let reader =
        parquet::file::reader::SerializedFileReader::new(std::fs::File::open(first).unwrap())
            .unwrap();
    use parquet::file::reader::FileReader;
    let metadata = reader
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .unwrap();
    let read_options = metadata
        .iter()
        .find(|kv| kv.key == "corpusmill.read_options")
        .unwrap();
    assert!(
        read_options
            .value
            .as_deref()
            .unwrap()
            .contains("\"text_field\":\"text\"")
    );
    assert!(metadata.iter().any(|kv| kv.key == "corpusmill.options"));
}

#[test]
fn three_shards_write_the_rows_of_one_run_and_a_done_shard_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = corpus_dir(dir.path());
    let single = dir.path().join("single");
    run(&[&inputs], &single, &[]);
    let sharded = dir.path().join("sharded");
    for k in 0..3 {
        run(&[&inputs], &sharded, &["--shard", &format!("{k}/3")]);
        assert!(sharded.join(format!("_done/part-{k}-of-3.json")).exists());
    }
    for table in [
        "documents",
        "sentences",
        "tokens",
        "entities",
        "removed_lines",
    ] {
        let parts: Vec<String> = parquet_files(&sharded.join(table))
            .into_iter()
            .map(|(path, _)| path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            parts,
            [
                "part-00000-of-00003.parquet",
                "part-00001-of-00003.parquet",
                "part-00002-of-00003.parquet"
            ]
        );
        assert_eq!(
            rows_per_doc(&sharded.join(table)),
            rows_per_doc(&single.join(format!("{table}.parquet"))),
            "{table}"
        );
    }
    assert_eq!(
        sentence_rows(&sharded.join("sentences")),
        sentence_rows(&single.join("sentences.parquet"))
    );

    let part = sharded.join("tokens/part-00001-of-00003.parquet");
    let before = std::fs::metadata(&part).unwrap().modified().unwrap();
    let output = run(&[&inputs], &sharded, &["--shard", "1/3"]);
    assert_eq!(
        std::fs::metadata(&part).unwrap().modified().unwrap(),
        before
    );
    assert!(output.status.success());
    let marker: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sharded.join("_done/part-1-of-3.json")).unwrap())
            .unwrap();
    assert!(
        marker["input_files"]
            .as_array()
            .is_some_and(|files| files.iter().all(|f| f["xxh64"].is_string()))
    );
}
