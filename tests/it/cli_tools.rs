//! The tools around `run`: `stats`, `report`, the configuration file and progress output.

use crate::tables::Table;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpusmill(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corpusmill"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "corpusmill failed ({:?}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// One run over raw/, shared by the tests that only read it.
fn sample_out() -> &'static Path {
    static OUT: OnceLock<tempfile::TempDir> = OnceLock::new();
    OUT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("out");
        let raw = repo().join("raw");
        succeeded(&corpusmill(
            &repo(),
            &[
                "run",
                raw.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--quiet",
                "--no-config",
            ],
        ));
        dir
    })
    .path()
}

fn counts(values: impl IntoIterator<Item = String>) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for value in values {
        *counts.entry(value).or_default() += 1;
    }
    counts
}

fn as_counts(value: &serde_json::Value) -> BTreeMap<String, u64> {
    serde_json::from_value(value.clone()).expect("a map of counts")
}

#[test]
fn stats_numbers_match_the_tables() {
    let out = sample_out().join("out");
    let json = succeeded(&corpusmill(
        &repo(),
        &["stats", out.to_str().unwrap(), "--json"],
    ));
    let stats: serde_json::Value = serde_json::from_str(&json).expect("stats --json is JSON");

    let documents = Table::read(&out.join("documents.parquet"));
    let sentences = Table::read(&out.join("sentences.parquet"));
    let tokens = Table::read(&out.join("tokens.parquet"));
    let entities = Table::read(&out.join("entities.parquet"));
    let removed = Table::read(&out.join("removed_lines.parquet"));

    let rows = as_counts(&stats["rows"]);
    assert_eq!(rows["documents"], documents.rows() as u64);
    assert_eq!(rows["sentences"], sentences.rows() as u64);
    assert_eq!(rows["tokens"], tokens.rows() as u64);
    assert_eq!(rows["entities"], entities.rows() as u64);
    assert_eq!(rows["removed_lines"], removed.rows() as u64);
    assert!(rows["tokens"] > 1000, "the samples have real text");

    assert_eq!(
        as_counts(&stats["documents_by_status"]),
        counts(documents.texts("status"))
    );
    assert_eq!(
        as_counts(&stats["removed_lines_by_rule"]),
        counts(removed.texts("rule"))
    );
    assert_eq!(
        as_counts(&stats["sentences_by_lang"]),
        counts(sentences.texts("lang"))
    );
    let by_lang = as_counts(&stats["tokens_by_lang"]);
    assert_eq!(by_lang.values().sum::<u64>(), tokens.rows() as u64);
    assert!(
        by_lang.contains_key("eng") && by_lang.contains_key("por"),
        "{by_lang:?}"
    );

    let mut sentence_lang = BTreeMap::new();
    for ((doc, sentence), lang) in sentences
        .u64s("doc_id")
        .into_iter()
        .zip(sentences.u32s("sentence_id"))
        .zip(sentences.texts("lang"))
    {
        sentence_lang.insert((doc, sentence), lang);
    }
    let mut expected_by_lang: BTreeMap<String, u64> = BTreeMap::new();
    for key in tokens
        .u64s("doc_id")
        .into_iter()
        .zip(tokens.u32s("sentence_id"))
    {
        *expected_by_lang
            .entry(sentence_lang[&key].clone())
            .or_default() += 1;
    }
    assert_eq!(by_lang, expected_by_lang, "tokens per sentence language");

    let top = &stats["top_entities"][0];
    let most_frequent = counts(entities.texts("text"))
        .into_values()
        .max()
        .unwrap_or(0);
    assert_eq!(top["count"].as_u64(), Some(most_frequent));

    let text = succeeded(&corpusmill(&repo(), &["stats", out.to_str().unwrap()]));
    assert!(
        text.contains(&format!("tokens         {}", tokens.rows())),
        "{text}"
    );
    assert!(text.contains("top entity candidates"), "{text}");
}

#[test]
fn stats_reads_dataset_directories() {
    let out = sample_out().join("out");
    let dataset = tempfile::tempdir().expect("temp dir");
    for table in [
        "documents",
        "sentences",
        "tokens",
        "entities",
        "removed_lines",
    ] {
        let dir = dataset.path().join(table).join("shard=0");
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::copy(
            out.join(format!("{table}.parquet")),
            dir.join("part-0.parquet"),
        )
        .expect("copy");
        std::fs::write(dir.join(".part-1.parquet.partial"), b"not parquet").expect("write");
    }
    let single = succeeded(&corpusmill(
        &repo(),
        &["stats", out.to_str().unwrap(), "--json"],
    ));
    let split = succeeded(&corpusmill(
        &repo(),
        &["stats", dataset.path().to_str().unwrap(), "--json"],
    ));
    let single: serde_json::Value = serde_json::from_str(&single).expect("json");
    let split: serde_json::Value = serde_json::from_str(&split).expect("json");
    assert_eq!(single["rows"], split["rows"]);
    assert_eq!(single["tokens_by_lang"], split["tokens_by_lang"]);
}

#[test]
fn stats_names_a_missing_table() {
    let empty = tempfile::tempdir().expect("temp dir");
    let output = corpusmill(&repo(), &["stats", empty.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no documents table"));
}

#[test]
fn report_is_written_and_self_contained() {
    let source = sample_out().join("out");
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path();
    for entry in std::fs::read_dir(&source).expect("read out") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), out.join(entry.file_name())).expect("copy");
    }
    let printed = succeeded(&corpusmill(&repo(), &["report", out.to_str().unwrap()]));
    let path = out.join("report.html");
    assert_eq!(printed.trim(), path.display().to_string());
    let html = std::fs::read_to_string(&path).expect("report.html is written");
    assert!(html.starts_with("<!DOCTYPE html>"));
    for reference in [
        "http://", "https://", "<script", "<link", "src=", "href=", "url(",
    ] {
        assert!(!html.contains(reference), "external reference {reference}");
    }
    for section in [
        "documents-by-language",
        "tokens-by-language",
        "boilerplate-by-rule",
        "sentence-lengths",
        "top-entities",
    ] {
        let start = html
            .find(&format!("<section id=\"{section}\">"))
            .unwrap_or_else(|| panic!("no section {section}"));
        let end = start + html[start..].find("</section>").expect("closed");
        assert!(html[start..end].contains("<svg"), "{section} has a chart");
    }
    assert!(
        html.contains(">eng<") && html.contains(">por<"),
        "languages are labelled"
    );
    assert!(!out.join(".report.html.partial").exists());
}

/// A directory holding a configuration file and nothing else.
fn config_dir(toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let raw = repo().join("raw");
    let text = toml.replace("RAW", &raw.display().to_string().replace('\\', "\\\\"));
    std::fs::write(dir.path().join("corpusmill.toml"), text).expect("write config");
    dir
}

fn manifest(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("manifest.json")).expect("manifest.json");
    serde_json::from_str(&text).expect("manifest is JSON")
}

#[test]
fn config_file_values_are_used_and_flags_override_them() {
    let dir = config_dir(
        "inputs = [\"RAW\"]\nout = \"from-file\"\nthreads = 1\nzstd-level = 5\nquiet = true\n",
    );
    let stdout = succeeded(&corpusmill(dir.path(), &["run"]));
    assert!(stdout.is_empty(), "quiet = true from the file: {stdout}");
    let options = &manifest(&dir.path().join("from-file"))["options"];
    assert_eq!(options["threads"], 1);
    assert_eq!(options["zstd_level"], 5);

    // Flags win; keys the command line did not give still come from the file.
    succeeded(&corpusmill(
        dir.path(),
        &["run", "--out", "from-flag", "--threads", "2"],
    ));
    let options = &manifest(&dir.path().join("from-flag"))["options"];
    assert_eq!(options["threads"], 2);
    assert_eq!(options["zstd_level"], 5);

    // `corpusmill` alone is `run` with the file's settings.
    std::fs::remove_dir_all(dir.path().join("from-file")).expect("remove");
    succeeded(&corpusmill(dir.path(), &[]));
    assert!(
        dir.path()
            .join("from-file")
            .join("tokens.parquet")
            .is_file()
    );
}

#[test]
fn an_explicit_config_file_and_no_config() {
    let dir = config_dir("inputs = [\"RAW\"]\nout = \"from-file\"\nquiet = true\n");
    let other = dir.path().join("batch.toml");
    std::fs::write(&other, "out = \"from-batch\"\nquiet = true\n").expect("write");
    let raw = repo().join("raw");
    succeeded(&corpusmill(
        dir.path(),
        &["run", raw.to_str().unwrap(), "--config", "batch.toml"],
    ));
    assert!(
        dir.path()
            .join("from-batch")
            .join("documents.parquet")
            .is_file()
    );
    assert!(
        !dir.path().join("from-file").exists(),
        "--config replaces ./corpusmill.toml"
    );

    succeeded(&corpusmill(
        dir.path(),
        &[
            "run",
            raw.to_str().unwrap(),
            "--no-config",
            "--out",
            "plain",
            "--quiet",
        ],
    ));
    assert!(
        !dir.path().join("from-file").exists(),
        "--no-config ignores ./corpusmill.toml"
    );
}

#[test]
fn unknown_config_keys_are_errors_naming_key_and_file() {
    let dir = config_dir("inputs = [\"RAW\"]\ntreads = 2\n");
    let output = corpusmill(dir.path(), &["run"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("corpusmill.toml") && stderr.contains("`treads`"),
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists(), "nothing is run");

    let dir = config_dir("threads = \"many\"\n");
    let output = corpusmill(dir.path(), &["run"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("corpusmill.toml") && stderr.contains("many"),
        "{stderr}"
    );
}

#[test]
fn json_log_format_is_one_object_per_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let raw = repo().join("raw");
    let stdout = succeeded(&corpusmill(
        &repo(),
        &[
            "run",
            raw.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--log-format",
            "json",
            "--no-config",
        ],
    ));
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}")))
        .collect();
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    assert_eq!(kinds.first(), Some(&"started"));
    assert_eq!(kinds.last(), Some(&"summary"));
    let last_progress = events
        .iter()
        .rfind(|e| e["event"] == "progress" && e["pass"] == "process")
        .expect("a progress event for the processing pass");
    assert_eq!(last_progress["bytes_done"], last_progress["bytes_total"]);
    assert_eq!(last_progress["documents_done"], 2);
    let summary = events.last().expect("summary");
    assert_eq!(summary["documents_by_status"]["processed"], 2);
}

#[test]
fn progress_is_quiet_off_a_terminal_for_short_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let raw = repo().join("raw");
    let output = corpusmill(
        &repo(),
        &[
            "run",
            raw.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--no-config",
        ],
    );
    succeeded(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // No bar redrawn into a log: only plain lines, no carriage returns or escape codes.
    assert!(
        !stderr.contains('\r') && !stderr.contains('\u{1b}'),
        "{stderr:?}"
    );
}

/// `corpusmill … | head`: the reader goes away before the output is written. The commands end
/// quietly with success instead of panicking on the closed pipe (Rust ignores SIGPIPE).
#[test]
fn a_closed_stdout_pipe_ends_commands_quietly() {
    let commands: [&[&str]; 4] = [
        &[
            "inspect",
            "raw/en-stalingrad-anniversary.txt",
            "--color",
            "never",
        ],
        &["eval", "langid", "tests/fixtures/eval/tiny_langid.tsv"],
        &[
            "eval",
            "ud",
            "--lang",
            "eng",
            "tests/fixtures/eval/tiny.conllu",
        ],
        &["schema"],
    ];
    for args in commands {
        let mut child = Command::new(env!("CARGO_BIN_EXE_corpusmill"))
            .args(args)
            .current_dir(repo())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the binary runs");
        // Closed before the process has started writing.
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("the binary ends");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            output.status.success(),
            "{args:?}: {:?} {stderr}",
            output.status
        );
    }
}
