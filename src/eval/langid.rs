//! `eval langid`: language identification accuracy on `lang<TAB>text` lines.
//!
//! Each line is scored alone with [`lang::detect_document`], the detector for a lone text.
//! Serbian, Croatian and Bosnian count as one answer (the same language in Latin script).
//!
//! With `--docs K`, mixed-language documents are also built and each line's language is scored
//! in context with [`lang::detect_sentences`] (see [`mixed_documents`] for the construction).

use super::{file_name, ratio, read_input, round4};
use crate::lang::{self, LangGuess};
use crate::span::Span;
use anyhow::bail;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

/// Texts shorter than this many characters count as short.
pub const SHORT_CHARS: usize = 40;
/// In a mixed document, blocks alternate between two languages this many times each.
pub const BLOCKS_PER_LANGUAGE: usize = 4;
/// Each language is paired with the languages this many places after it (in code order).
pub const PAIR_STEPS: [usize; 3] = [1, 2, 5];

/// The answer a code stands for: Serbo-Croatian variants are one.
pub fn answer(code: &str) -> &str {
    match code {
        "srp" | "hrv" | "bos" => "hbs",
        other => other,
    }
}

/// Right and total counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Correct answers.
    pub right: u64,
    /// Answers.
    pub total: u64,
}

impl Tally {
    fn add(&mut self, ok: bool) {
        self.right += ok as u64;
        self.total += 1;
    }

    /// right / total.
    pub fn accuracy(&self) -> f64 {
        ratio(self.right, self.total)
    }
}

/// The scores of one file.
#[derive(Clone, Debug, Default)]
pub struct LangidScores {
    /// All lines.
    pub all: Tally,
    /// Lines under [`SHORT_CHARS`] characters.
    pub short: Tally,
    /// Per gold language: all lines and short lines.
    pub per_language: BTreeMap<String, (Tally, Tally)>,
    /// (gold, predicted) pairs of wrong answers, with counts.
    pub confusions: BTreeMap<(String, String), u64>,
    /// Per-sentence accuracy inside mixed documents (with `--docs`).
    pub mixed: Option<Tally>,
    /// Mixed documents built.
    pub mixed_docs: usize,
}

impl LangidScores {
    /// The most frequent confusions, most frequent first (ties by name).
    pub fn top_confusions(&self, n: usize) -> Vec<(&str, &str, u64)> {
        let mut top: Vec<(&str, &str, u64)> = self
            .confusions
            .iter()
            .map(|((gold, got), &count)| (gold.as_str(), got.as_str(), count))
            .collect();
        top.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)).then(a.1.cmp(b.1)));
        top.truncate(n);
        top
    }
}

/// Parses `lang<TAB>text` lines (no quoting; a first line `lang<TAB>text` is a header).
pub fn parse(source: &str) -> anyhow::Result<Vec<(&str, &str)>> {
    let mut rows = Vec::new();
    for (index, line) in source.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        let Some((code, text)) = line.split_once('\t') else {
            bail!("line {}: no tab", index + 1);
        };
        if index == 0 && code == "lang" {
            continue;
        }
        rows.push((code, text));
    }
    Ok(rows)
}

/// Scores rows alone, and in mixed documents of blocks of `docs` lines when given.
pub fn score(rows: &[(&str, &str)], docs: Option<usize>) -> LangidScores {
    let mut scores = LangidScores::default();
    for &(gold, text) in rows {
        let guess = lang::detect_document(text);
        let ok = answer(guess.lang.code()) == answer(gold);
        let short = text.chars().count() < SHORT_CHARS;
        scores.all.add(ok);
        let entry = scores.per_language.entry(gold.to_owned()).or_default();
        entry.0.add(ok);
        if short {
            scores.short.add(ok);
            entry.1.add(ok);
        }
        if !ok {
            *scores
                .confusions
                .entry((gold.to_owned(), guess.lang.code().to_owned()))
                .or_default() += 1;
        }
    }
    if let Some(k) = docs {
        let documents = mixed_documents(rows, k);
        let mut tally = Tally::default();
        for document in &documents {
            let guess = lang::detect_document(&document.text);
            let guesses: Vec<LangGuess> =
                lang::detect_sentences(&document.text, &document.spans, guess);
            for (guess, gold) in guesses.iter().zip(&document.gold) {
                tally.add(answer(guess.lang.code()) == answer(gold));
            }
        }
        scores.mixed = Some(tally);
        scores.mixed_docs = documents.len();
    }
    scores
}

/// A mixed-language document: lines joined with `\n`, each line one sentence.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MixedDoc {
    /// The text.
    pub text: String,
    /// Each line's span (without the `\n`).
    pub spans: Vec<Span>,
    /// Each line's gold language.
    pub gold: Vec<String>,
}

/// Builds the mixed-language documents.
///
/// Languages are sorted by code; each language's lines keep file order and are consumed by a
/// cursor that wraps around. For each step `s` in [`PAIR_STEPS`] and each language `a` (the
/// `i`-th), with `b` the language `(i + s) mod n`, one document is made of
/// `2 × BLOCKS_PER_LANGUAGE` blocks of `k` lines alternating `a, b, a, b, …`, each block taking
/// the next `k` lines of its language. Neighbouring pairs of codes (dan/deu, nld/nob) and far
/// ones both occur. No documents with fewer than two languages or `k = 0`.
pub fn mixed_documents(rows: &[(&str, &str)], k: usize) -> Vec<MixedDoc> {
    let mut by_lang: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for &(gold, text) in rows {
        by_lang.entry(gold).or_default().push(text);
    }
    let langs: Vec<&str> = by_lang.keys().copied().collect();
    if langs.len() < 2 || k == 0 {
        return Vec::new();
    }
    let mut cursors: BTreeMap<&str, usize> = BTreeMap::new();
    let mut documents = Vec::new();
    for step in PAIR_STEPS {
        for (i, &a) in langs.iter().enumerate() {
            let b = langs[(i + step) % langs.len()];
            if a == b {
                continue;
            }
            let mut doc = MixedDoc::default();
            for block in 0..2 * BLOCKS_PER_LANGUAGE {
                let lang = if block % 2 == 0 { a } else { b };
                let lines = &by_lang[lang];
                let cursor = cursors.entry(lang).or_default();
                for _ in 0..k {
                    let line = lines[*cursor % lines.len()];
                    *cursor += 1;
                    if !doc.text.is_empty() {
                        doc.text.push('\n');
                    }
                    let start = doc.text.len();
                    doc.text.push_str(line);
                    doc.spans.push(Span::new(start, doc.text.len()));
                    doc.gold.push(lang.to_owned());
                }
            }
            documents.push(doc);
        }
    }
    documents
}

/// The JSON object of one file's scores.
pub fn to_json(file: &str, scores: &LangidScores) -> serde_json::Value {
    let per_language: serde_json::Map<String, serde_json::Value> = scores
        .per_language
        .iter()
        .map(|(code, (all, short))| {
            (
                code.clone(),
                serde_json::json!({
                    "accuracy": round4(all.accuracy()),
                    "short_accuracy": round4(short.accuracy()),
                    "n": all.total,
                    "n_short": short.total,
                }),
            )
        })
        .collect();
    let confusions: Vec<serde_json::Value> = scores
        .top_confusions(15)
        .into_iter()
        .map(|(gold, got, n)| serde_json::json!({"gold": gold, "predicted": got, "n": n}))
        .collect();
    let mut object = serde_json::json!({
        "file": file,
        "accuracy": round4(scores.all.accuracy()),
        "short_accuracy": round4(scores.short.accuracy()),
        "n": scores.all.total,
        "n_short": scores.short.total,
        "per_language": per_language,
        "top_confusions": confusions,
    });
    if let (Some(map), Some(mixed)) = (object.as_object_mut(), scores.mixed) {
        map.insert("mixed_doc_accuracy".into(), round4(mixed.accuracy()).into());
        map.insert("mixed_docs".into(), scores.mixed_docs.into());
        map.insert("mixed_sentences".into(), mixed.total.into());
    }
    object
}

/// `eval langid` on a file.
pub fn run(path: &Path, docs: Option<usize>, json: bool) -> anyhow::Result<ExitCode> {
    let source = match read_input(path) {
        Ok(source) => source,
        Err(error) => {
            errln!("corpusmill: eval langid: {error:#}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let rows = match parse(&source) {
        Ok(rows) => rows,
        Err(error) => {
            errln!("corpusmill: eval langid: {}: {error:#}", path.display());
            return Ok(ExitCode::FAILURE);
        }
    };
    let scores = score(&rows, docs);
    let name = file_name(path);
    if json {
        outln!("{}", to_json(&name, &scores));
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "{name}: accuracy {:.4} ({}/{}), under {SHORT_CHARS} chars {:.4} ({}/{})",
        scores.all.accuracy(),
        scores.all.right,
        scores.all.total,
        scores.short.accuracy(),
        scores.short.right,
        scores.short.total
    );
    if let Some(mixed) = scores.mixed {
        outln!(
            "mixed documents (blocks of {} lines): per-sentence accuracy {:.4} ({}/{}) in {} documents",
            docs.unwrap_or(0),
            mixed.accuracy(),
            mixed.right,
            mixed.total,
            scores.mixed_docs
        );
    }
    outln!(
        "{:<6} {:>6} {:>8} {:>6} {:>8}",
        "lang",
        "n",
        "accuracy",
        "short",
        "short acc"
    );
    for (code, (all, short)) in &scores.per_language {
        outln!(
            "{:<6} {:>6} {:>8.4} {:>6} {:>8.4}",
            code,
            all.total,
            all.accuracy(),
            short.total,
            short.accuracy()
        );
    }
    let top: Vec<String> = scores
        .top_confusions(15)
        .into_iter()
        .map(|(gold, got, n)| format!("{gold}→{got} {n}"))
        .collect();
    outln!("top confusions: {}", top.join(", "));
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../../tests/fixtures/eval/tiny_langid.tsv");

    #[test]
    fn parses_header_and_unquoted_text() {
        let rows = parse(FIXTURE).expect("fixture parses");
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[0].0, "eng");
        assert!(rows.iter().any(|(_, text)| text.contains('"')));
        assert!(parse("eng no tab here\n").is_err());
    }

    #[test]
    fn counts_lines_short_lines_and_merged_serbo_croatian() {
        let rows = parse(FIXTURE).expect("fixture parses");
        let scores = score(&rows, None);
        assert_eq!(scores.all.total, 6);
        // Two lines are under 40 characters ("Ok." and "Hvala."); "Ok." cannot be told.
        assert_eq!(scores.short.total, 2);
        let (eng, eng_short) = scores.per_language["eng"];
        assert_eq!((eng.total, eng_short.total), (3, 1));
        assert!(eng_short.right == 0, "a three-letter line is undetermined");
        assert!(
            scores
                .confusions
                .contains_key(&("eng".to_owned(), "und".to_owned()))
        );
        assert_eq!(answer("hrv"), answer("srp"));
        assert_ne!(answer("slv"), answer("srp"));
    }

    #[test]
    fn mixed_documents_alternate_blocks_of_two_languages() {
        let rows = [
            ("aaa", "a1"),
            ("bbb", "b1"),
            ("aaa", "a2"),
            ("bbb", "b2"),
            ("ccc", "c1"),
        ];
        let docs = mixed_documents(&rows, 2);
        // Three languages, three steps: steps 1, 2 and 5 pair each language with another.
        assert_eq!(docs.len(), 9);
        let first = &docs[0];
        assert_eq!(first.spans.len(), 2 * BLOCKS_PER_LANGUAGE * 2);
        assert_eq!(&first.gold[..6], ["aaa", "aaa", "bbb", "bbb", "aaa", "aaa"]);
        assert!(first.text.starts_with("a1\na2\nb1\nb2\na1\na2\n"));
        for doc in &docs {
            for (span, gold) in doc.spans.iter().zip(&doc.gold) {
                assert_eq!(&doc.text[span.range()][..1], &gold[..1]);
            }
        }
        assert!(mixed_documents(&rows[..1], 2).is_empty());
    }
}
