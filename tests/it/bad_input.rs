//! Bad input: every file in a corpus of broken, odd and huge inputs is accounted for, nothing
//! panics, offsets slice back exactly, and the files do not depend on the thread count.
//!
//! Small fixtures live in tests/fixtures/bad_input/; the big ones, and the entries that cannot
//! be committed (FIFO, dangling symlink, symlink loop), are made in a temporary directory.

use crate::tables::Table;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(crate) fn corpusmill(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corpusmill"))
        .args(args)
        .output()
        .expect("the binary runs")
}

pub(crate) const TABLES: [&str; 5] = [
    "documents",
    "sentences",
    "tokens",
    "entities",
    "removed_lines",
];

/// The five tables of an output directory.
pub(crate) fn read_tables(out: &Path) -> HashMap<&'static str, Table> {
    TABLES
        .iter()
        .map(|&name| (name, Table::read(&out.join(format!("{name}.parquet")))))
        .collect()
}

pub(crate) fn manifest(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("manifest.json")).expect("manifest.json");
    serde_json::from_str(&text).expect("manifest is JSON")
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad_input")
}

/// Writes the whole bad-input corpus into `dir`; `big` adds the multi-megabyte inputs.
pub(crate) fn bad_corpus(dir: &Path, big: bool) {
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    if big {
        let words = [
            "the", "red", "army", "held", "a", "city", "on", "volga", "river", "while", "winter",
            "came",
        ];
        let mut line = String::with_capacity(50_000_000);
        let mut i = 0usize;
        while line.len() < 50_000_000 {
            line.push_str(words[(i * 7 + i / 13) % words.len()]);
            line.push(' ');
            i += 1;
        }
        std::fs::write(dir.join("big-50mb-single-line.txt"), line).unwrap();
        let lines: String = (0..1_000_000)
            .map(|i| if i % 2 == 0 { "a\n" } else { ".\n" })
            .collect();
        std::fs::write(dir.join("big-million-one-char-lines.txt"), lines).unwrap();
        std::fs::write(dir.join("big-10mb-bangs.txt"), "!".repeat(10_000_000)).unwrap();
        let word = format!(
            "A word follows. {} And the text goes on.",
            "x".repeat(1_000_000)
        );
        std::fs::write(dir.join("big-1mb-word.txt"), word).unwrap();
    }
    special_entries(dir);
}

/// Entries no file permission can protect from root: a dangling symlink (its target does not
/// exist, so opening it fails for everyone), a FIFO (opening it would block: it must be
/// refused without being opened) and a symlink loop (a directory link to its parent).
fn special_entries(dir: &Path) {
    std::os::unix::fs::symlink(dir.join("no-such-target"), dir.join("dangling-symlink.txt"))
        .unwrap();
    std::fs::create_dir(dir.join("looping")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("looping/parent")).unwrap();
    let fifo = dir.join("a-fifo.txt");
    let status = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

fn expected_failures() -> [&'static str; 3] {
    ["a-fifo.txt", "dangling-symlink.txt", "looping/parent"]
}

/// Slices `text` at code points `[start, end)`, as Python and DuckDB do.
fn slice_chars(text: &str, start: u32, end: u32) -> String {
    text.chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect()
}

/// Every span of `table` slices back to its row text, by bytes and by chars.
pub(crate) fn assert_spans_slice_back(tables: &HashMap<&str, Table>, name: &str) {
    let documents = &tables["documents"];
    let texts: HashMap<u64, String> = documents
        .u64s("doc_id")
        .into_iter()
        .zip(documents.texts("text"))
        .collect();
    let table = &tables[name];
    let doc_ids = table.u64s("doc_id");
    let (char_start, char_end) = (table.u32s("char_start"), table.u32s("char_end"));
    let (byte_start, byte_end) = (table.u32s("byte_start"), table.u32s("byte_end"));
    let row_texts = table.texts("text");
    // Char offsets are checked with one cursor per document, so the check stays linear.
    let mut cursor: Option<(u64, usize, usize)> = None;
    for row in 0..table.rows() {
        let text = &texts[&doc_ids[row]];
        let (start, end) = (byte_start[row] as usize, byte_end[row] as usize);
        assert!(
            text.is_char_boundary(start) && text.is_char_boundary(end),
            "{name} row {row}"
        );
        assert_eq!(
            &text[start..end],
            row_texts[row],
            "{name} row {row} by bytes"
        );
        let (char_before, from) = match cursor {
            Some((doc, byte, chars)) if doc == doc_ids[row] && byte <= start => (chars, byte),
            _ => (0, 0),
        };
        let chars_to_start = char_before + text[from..start].chars().count();
        assert_eq!(
            chars_to_start as u32, char_start[row],
            "{name} row {row} char_start"
        );
        assert_eq!(
            char_end[row] - char_start[row],
            text[start..end].chars().count() as u32,
            "{name} row {row} char length"
        );
        cursor = Some((doc_ids[row], start, chars_to_start));
        if text.len() < 10_000 {
            assert_eq!(
                slice_chars(text, char_start[row], char_end[row]),
                row_texts[row]
            );
        }
    }
}

fn run_into(corpus: &Path, out: &Path, threads: &str) -> Output {
    corpusmill(&[
        "run",
        corpus.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        threads,
        "--quiet",
    ])
}

#[test]
fn bad_inputs_are_accounted_for_sliced_exactly_and_reproducible() {
    let corpus = tempfile::tempdir().unwrap();
    bad_corpus(corpus.path(), true);
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    let output = run_into(corpus.path(), one.path(), "1");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "some inputs fail: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    // Every input listed, with a status and, unless processed, a reason; counts add up.
    let manifest = manifest(one.path());
    let inputs = manifest["inputs"].as_array().unwrap();
    let status_of: HashMap<&str, (&str, &str)> = inputs
        .iter()
        .map(|i| {
            let reason = i["reason"].as_str().unwrap_or("");
            (
                i["source"].as_str().unwrap(),
                (i["status"].as_str().unwrap(), reason),
            )
        })
        .collect();
    let files = std::fs::read_dir(fixtures()).unwrap().count() + 4 + expected_failures().len();
    assert_eq!(inputs.len(), files, "{status_of:#?}");
    let by_status = manifest["summary"]["documents_by_status"]
        .as_object()
        .unwrap();
    let counted: u64 = by_status.values().map(|n| n.as_u64().unwrap()).sum();
    assert_eq!(counted as usize, inputs.len());
    for failed in expected_failures() {
        let (status, reason) = status_of[failed];
        assert_eq!(status, "failed", "{failed}");
        assert!(reason.starts_with("unreadable"), "{failed}: {reason}");
    }
    assert_eq!(status_of["empty.txt"], ("skipped", "empty"));
    assert_eq!(
        status_of["only-boilerplate.txt"],
        ("skipped", "empty_after_cleaning")
    );
    for processed in [
        "invalid-utf8-middle.txt",
        "windows-1252-pt.txt",
        "latin1-pt.txt",
        "utf16-bom.txt",
        "nul-bytes.txt",
        "unicode-mix.txt",
        "big-10mb-bangs.txt",
        "big-1mb-word.txt",
    ] {
        assert_eq!(
            status_of[processed].0, "processed",
            "{processed}: {:?}",
            status_of[processed]
        );
    }
    for big in ["big-50mb-single-line.txt", "big-million-one-char-lines.txt"] {
        assert_ne!(status_of[big].0, "failed", "{big}");
    }

    // documents keeps a row for every input, skipped and failed included.
    let tables = read_tables(one.path());
    let documents = &tables["documents"];
    assert_eq!(documents.rows(), inputs.len());
    let sources = documents.texts("source");
    let encodings = documents.strings("encoding");
    let texts = documents.texts("text");
    let row = |source: &str| sources.iter().position(|s| s == source).unwrap();
    let encoding = |source: &str| encodings[row(source)].clone().unwrap_or_default();
    assert_eq!(encoding("invalid-utf8-middle.txt"), "utf-8-lossy");
    assert_eq!(encoding("windows-1252-pt.txt"), "windows-1252");
    assert_eq!(encoding("latin1-pt.txt"), "windows-1252");
    assert_eq!(encoding("utf16-bom.txt"), "utf-16le");
    assert!(texts[row("windows-1252-pt.txt")].contains("“Ação e reação”"));
    assert!(texts[row("windows-1252-pt.txt")].contains("5 €"));
    assert!(texts[row("latin1-pt.txt")].contains("população da União Soviética"));
    assert!(texts[row("utf16-bom.txt")].contains("cidade heroica"));
    assert!(texts[row("invalid-utf8-middle.txt")].contains('\u{FFFD}'));
    assert!(
        !texts.iter().any(|t| t.contains('\0')),
        "a NUL reached the text"
    );
    assert!(texts[row("nul-bytes.txt")].contains("cartas, fotografias"));
    let unicode = &texts[row("unicode-mix.txt")];
    for kept in [
        "👩\u{200d}👩\u{200d}👧\u{200d}👦",
        "القاهرة",
        "ירושלים",
        "Иван Петров",
        "東京",
        "Αθήνα",
    ] {
        assert!(unicode.contains(kept), "{kept} lost from {unicode}");
    }

    for name in ["sentences", "tokens", "entities"] {
        assert_spans_slice_back(&tables, name);
    }
    // A ZWJ emoji sequence is never cut inside (the NFC text keeps it whole in one token).
    let tokens = tables["tokens"].texts("text");
    assert!(
        !tokens
            .iter()
            .any(|t| t.starts_with('\u{200d}') || t.ends_with('\u{200d}'))
    );

    let output = run_into(corpus.path(), two.path(), "2");
    assert_eq!(output.status.code(), Some(3));
    for name in TABLES {
        let file = format!("{name}.parquet");
        let a = std::fs::read(one.path().join(&file)).unwrap();
        let b = std::fs::read(two.path().join(&file)).unwrap();
        assert!(a == b, "{file} differs between --threads 1 and --threads 2");
    }
}

#[test]
fn fail_fast_stops_at_the_first_failed_input_and_names_it() {
    let corpus = tempfile::tempdir().unwrap();
    std::fs::write(
        corpus.path().join("a-good.txt"),
        "The Red Army held Stalingrad.",
    )
    .unwrap();
    std::os::unix::fs::symlink(
        corpus.path().join("gone"),
        corpus.path().join("b-dangling.txt"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let out_arg = out.path().join("out");
    let output = corpusmill(&[
        "run",
        corpus.path().to_str().unwrap(),
        "--out",
        out_arg.to_str().unwrap(),
        "--quiet",
        "--fail-fast",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("b-dangling.txt") && stderr.contains("--fail-fast"),
        "{stderr}"
    );
    assert!(!out_arg.join("documents.parquet").exists());
    // Without it the same corpus completes, exit code 3.
    let output = corpusmill(&[
        "run",
        corpus.path().to_str().unwrap(),
        "--out",
        out_arg.to_str().unwrap(),
        "--quiet",
        "--force",
    ]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(read_tables(&out_arg)["documents"].rows(), 2);
}

#[test]
fn compressed_records_are_capped_by_their_decompressed_size() {
    use std::io::Write;
    let corpus = tempfile::tempdir().unwrap();
    let path = corpus.path().join("pages.jsonl.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&path).unwrap(),
        flate2::Compression::default(),
    );
    writeln!(
        gz,
        r#"{{"id": "small", "text": "The Red Army held Stalingrad."}}"#
    )
    .unwrap();
    // 2 MB of text that compresses to a few kilobytes: only the decompressed size counts.
    writeln!(
        gz,
        r#"{{"id": "huge", "text": "{}"}}"#,
        "word ".repeat(400_000)
    )
    .unwrap();
    gz.finish().unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 100_000);
    let out = tempfile::tempdir().unwrap();
    let output = corpusmill(&[
        "run",
        corpus.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--force",
        "--quiet",
        "--max-doc-bytes",
        "1000000",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let documents = &read_tables(out.path())["documents"];
    let reasons = documents.strings("skip_reason");
    let statuses = documents.texts("status");
    assert_eq!(documents.rows(), 2);
    assert_eq!(statuses[0], "processed");
    assert_eq!(statuses[1], "skipped");
    assert!(
        reasons[1].as_deref().unwrap_or("").starts_with("too_large"),
        "{reasons:?}"
    );
}
