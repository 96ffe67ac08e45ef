//! `corpusmill run` on the sample pages in raw/: the data contract of the five tables.

use crate::tables::Table;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run_corpusmill(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_corpusmill"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("the binary runs")
}

fn run_raw(out: &Path, threads: &str) {
    let out_arg = out.to_str().unwrap();
    let output = run_corpusmill(&[
        "run",
        "raw",
        "--out",
        out_arg,
        "--threads",
        threads,
        "--quiet",
    ]);
    assert!(
        output.status.success(),
        "corpusmill failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

struct Output {
    documents: Table,
    sentences: Table,
    tokens: Table,
    entities: Table,
    removed_lines: Table,
}

impl Output {
    fn read(dir: &Path) -> Output {
        let table = |name: &str| Table::read(&dir.join(format!("{name}.parquet")));
        Output {
            documents: table("documents"),
            sentences: table("sentences"),
            tokens: table("tokens"),
            entities: table("entities"),
            removed_lines: table("removed_lines"),
        }
    }

    fn document_texts(&self) -> HashMap<u64, String> {
        self.documents
            .u64s("doc_id")
            .into_iter()
            .zip(self.documents.texts("text"))
            .collect()
    }

    fn doc_id_of(&self, source_prefix: &str) -> u64 {
        let sources = self.documents.texts("source");
        let index = sources
            .iter()
            .position(|s| s.starts_with(source_prefix))
            .unwrap_or_else(|| panic!("no document {source_prefix}* in {sources:?}"));
        self.documents.u64s("doc_id")[index]
    }
}

/// The English sample's comment form, as it stands in the page.
const ENGLISH_COMMENT_FORM: [&str; 9] = [
    "Leave a comment",
    "Filed under History",
    "Leave a Reply",
    "Fill in your details below or click an icon to log in: Logo",
    "You are commenting using your account. Log\u{a0}Out\u{a0}/\u{a0} Change\u{a0})",
    "Twitter picture",
    "You are commenting using your Twitter account. Log\u{a0}Out\u{a0}/\u{a0} Change\u{a0})",
    "Facebook photo",
    "Connecting to %s",
];

fn sample_output() -> &'static (tempfile::TempDir, Output) {
    static OUTPUT: std::sync::OnceLock<(tempfile::TempDir, Output)> = std::sync::OnceLock::new();
    OUTPUT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        run_raw(dir.path(), "2");
        let output = Output::read(dir.path());
        (dir, output)
    })
}

#[test]
fn comment_form_lines_are_removed_with_a_rule_and_absent_from_sentences() {
    let (_, output) = sample_output();
    let english = output.doc_id_of("en-");
    let removed: Vec<(u64, String, String)> = output
        .removed_lines
        .u64s("doc_id")
        .into_iter()
        .zip(output.removed_lines.texts("text"))
        .zip(output.removed_lines.texts("rule"))
        .map(|((id, text), rule)| (id, text, rule))
        .collect();
    let sentences = output.sentences.texts("text");
    for line in ENGLISH_COMMENT_FORM {
        let entry = removed
            .iter()
            .find(|(id, text, _)| *id == english && text == line)
            .unwrap_or_else(|| panic!("{line:?} is not in removed_lines"));
        assert!(!entry.2.is_empty(), "{line:?} has no rule");
        let normalized = line.replace('\u{a0}', " ");
        let fragment = normalized.split(" Log").next().unwrap();
        assert!(
            !sentences.iter().any(|s| s.contains(fragment)),
            "{fragment:?} survived in a sentence"
        );
    }
}

#[test]
fn languages_of_the_samples() {
    let (_, output) = sample_output();
    let sources = output.documents.texts("source");
    let langs = output.documents.texts("lang");
    let confidences = output.documents.f32s("lang_confidence");
    for ((source, lang), confidence) in sources.iter().zip(&langs).zip(&confidences) {
        let expected = if source.starts_with("en-") {
            "eng"
        } else {
            "por"
        };
        assert_eq!(lang, expected, "{source}");
        assert!(*confidence > 0.5, "{source}: confidence {confidence}");
    }
}

/// Slices `text` at code points `[start, end)`, as Python, pandas and DuckDB do.
fn slice_chars(text: &str, start: u32, end: u32) -> String {
    text.chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect()
}

fn assert_offsets_slice_back(table: &Table, texts: &HashMap<u64, String>, name: &str) {
    let doc_ids = table.u64s("doc_id");
    let (char_start, char_end) = (table.u32s("char_start"), table.u32s("char_end"));
    let (byte_start, byte_end) = (table.u32s("byte_start"), table.u32s("byte_end"));
    let row_texts = table.texts("text");
    assert!(table.rows() > 0, "{name} is empty");
    for row in 0..table.rows() {
        let text = &texts[&doc_ids[row]];
        let by_bytes = &text[byte_start[row] as usize..byte_end[row] as usize];
        assert_eq!(by_bytes, row_texts[row], "{name} row {row} by bytes");
        let by_chars = slice_chars(text, char_start[row], char_end[row]);
        assert_eq!(by_chars, row_texts[row], "{name} row {row} by chars");
    }
}

#[test]
fn every_offset_slices_back_to_its_row_text() {
    let (_, output) = sample_output();
    let texts = output.document_texts();
    assert_offsets_slice_back(&output.sentences, &texts, "sentences");
    assert_offsets_slice_back(&output.tokens, &texts, "tokens");
    assert_offsets_slice_back(&output.entities, &texts, "entities");
}

#[test]
fn required_entity_candidates_are_found() {
    let (_, output) = sample_output();
    let entities = output.entities.texts("text");
    for expected in [
        "Joseph Stalin",
        "Red Army",
        "Volga River",
        "Exército Vermelho",
    ] {
        assert!(
            entities.iter().any(|e| e == expected),
            "{expected:?} not among the entity candidates"
        );
    }
}

#[test]
fn celebrating_stems_to_celebr() {
    let (_, output) = sample_output();
    let lower = output.tokens.texts("lower");
    let stems = output.tokens.strings("stem");
    let index = lower
        .iter()
        .position(|w| w == "celebrating")
        .expect("the English page says 'celebrating'");
    assert_eq!(stems[index].as_deref(), Some("celebr"));
    let kinds = output.tokens.texts("kind");
    for (kind, stem) in kinds.iter().zip(&stems) {
        if kind != "word" {
            assert_eq!(stem, &None, "a {kind} token has a stem");
        }
    }
}

#[test]
fn entity_token_ranges_point_at_their_tokens() {
    let (_, output) = sample_output();
    let token_index: HashMap<(u64, u32), usize> = output
        .tokens
        .u64s("doc_id")
        .into_iter()
        .zip(output.tokens.u32s("token_id"))
        .enumerate()
        .map(|(row, key)| (key, row))
        .collect();
    let token_start = output.tokens.u32s("byte_start");
    let token_end = output.tokens.u32s("byte_end");
    let doc_ids = output.entities.u64s("doc_id");
    let (first, last) = (
        output.entities.u32s("token_start"),
        output.entities.u32s("token_end"),
    );
    let (byte_start, byte_end) = (
        output.entities.u32s("byte_start"),
        output.entities.u32s("byte_end"),
    );
    for row in 0..output.entities.rows() {
        let first_row = token_index[&(doc_ids[row], first[row])];
        let last_row = token_index[&(doc_ids[row], last[row] - 1)];
        assert_eq!(token_start[first_row], byte_start[row]);
        assert_eq!(token_end[last_row], byte_end[row]);
    }
}

#[test]
fn one_and_two_threads_write_identical_files() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    run_raw(one.path(), "1");
    run_raw(two.path(), "2");
    for table in [
        "documents",
        "sentences",
        "tokens",
        "entities",
        "removed_lines",
    ] {
        let name = format!("{table}.parquet");
        let a = std::fs::read(one.path().join(&name)).unwrap();
        let b = std::fs::read(two.path().join(&name)).unwrap();
        assert!(a == b, "{name} differs between --threads 1 and --threads 2");
    }
}

#[test]
fn a_non_empty_output_directory_is_refused_without_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let out = dir.path().to_str().unwrap();
    let refused = run_corpusmill(&["run", "raw", "--out", out, "--quiet"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not empty"));
    let forced = run_corpusmill(&["run", "raw", "--out", out, "--quiet", "--force"]);
    assert!(forced.status.success());
    assert!(dir.path().join("tokens.parquet").exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}
