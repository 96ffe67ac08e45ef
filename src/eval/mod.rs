//! `corpusmill eval`: quality measured against gold data (UD treebanks, language-labelled
//! sentences, Snowball vocabularies, line-labelled boilerplate pages).
//!
//! Every subcommand reads only the files it is given, prints a readable table, and with `--json`
//! prints one JSON object per input file instead. The definitions follow
//! `shared/eval/README.md` and its reference scorers (`ud/score.py`, `boilerplate/score.py`);
//! docs/quality.md lists the figures and the commands that reproduce them.

pub mod boilerplate;
pub mod langid;
pub mod stem;
pub mod ud;

use std::path::PathBuf;
use std::process::ExitCode;

/// The `eval` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum EvalCommand {
    /// Sentence, token and entity-candidate P/R/F1 against UD CoNLL-U files.
    Ud {
        /// CoNLL-U files.
        files: Vec<PathBuf>,
        /// ISO 639-3 language of every file (default: from the file name, `en_ewt-…` → `eng`).
        #[arg(long)]
        lang: Option<String>,
        /// Also score plain UAX #29 sentences and words on the same text.
        #[arg(long)]
        baseline: bool,
        /// One JSON object per file instead of the table.
        #[arg(long)]
        json: bool,
        /// Also write our spans per document (code points) to FILE, the predictions
        /// `shared/eval/ud/score.py --pred` scores (one input file only).
        #[arg(long, value_name = "FILE")]
        pred: Option<PathBuf>,
    },
    /// Language identification accuracy on a `lang<TAB>text` file, each line scored alone.
    Langid {
        /// The TSV file.
        file: PathBuf,
        /// Also score per-sentence languages inside mixed documents of blocks of K lines.
        #[arg(long, value_name = "K")]
        docs: Option<usize>,
        /// One JSON object instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Agreement with the Snowball test vocabularies (`DIR/<language>/voc.txt` → `output.txt`).
    Stem {
        /// The folder holding one sub-folder per language.
        dir: PathBuf,
        /// Print this many disagreements per language.
        #[arg(long, default_value_t = 0)]
        examples: usize,
        /// One JSON object instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Word-weighted removal precision and recall on line-labelled pages (JSONL).
    Boilerplate {
        /// JSONL files of `{"id", "url", "lines": [[text, is_content], ...]}`; each file is one
        /// corpus (cross-document line statistics are gathered over it).
        files: Vec<PathBuf>,
        /// Keep reader comments (passed to the boilerplate rules).
        #[arg(long)]
        keep_comments: bool,
        /// Write the removal decisions (`{"id", "removed": [line indexes]}` per page) here, the
        /// input `shared/eval/boilerplate/score.py` takes; with several files, the last wins.
        #[arg(long, value_name = "FILE")]
        decisions: Option<PathBuf>,
        /// One JSON object per file instead of the table.
        #[arg(long)]
        json: bool,
    },
}

/// Runs an eval subcommand, printing its report; the exit code is non-zero on bad input files.
pub fn run(command: &EvalCommand) -> anyhow::Result<ExitCode> {
    match command {
        EvalCommand::Ud {
            files,
            lang,
            baseline,
            json,
            pred,
        } => ud::run(files, lang.as_deref(), *baseline, *json, pred.as_deref()),
        EvalCommand::Langid { file, docs, json } => langid::run(file, *docs, *json),
        EvalCommand::Stem {
            dir,
            examples,
            json,
        } => stem::run(dir, *examples, *json),
        EvalCommand::Boilerplate {
            files,
            keep_comments,
            decisions,
            json,
        } => boilerplate::run(files, *keep_comments, decisions.as_deref(), *json),
    }
}

/// Micro-averaged counts of a set comparison: true positives, predicted, gold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Predicted items that are in the gold.
    pub tp: u64,
    /// Predicted items.
    pub predicted: u64,
    /// Gold items.
    pub gold: u64,
}

impl Counts {
    /// Adds the comparison of one document's predicted and gold sets.
    pub fn add_sets<T: Eq + std::hash::Hash>(
        &mut self,
        predicted: &std::collections::HashSet<T>,
        gold: &std::collections::HashSet<T>,
    ) {
        self.tp += predicted.intersection(gold).count() as u64;
        self.predicted += predicted.len() as u64;
        self.gold += gold.len() as u64;
    }

    /// Precision, 0 when nothing was predicted (as score.py does).
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.predicted)
    }

    /// Recall, 0 when there is no gold.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.gold)
    }

    /// Harmonic mean of precision and recall, 0 when both are 0.
    pub fn f1(&self) -> f64 {
        f1(self.precision(), self.recall())
    }
}

/// `num / den`, 0 for an empty denominator.
pub fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// F1 of a precision and a recall.
pub fn f1(p: f64, r: f64) -> f64 {
    if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}

/// Rounds to 4 decimals, as score.py reports, so JSON lines compare directly.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Python's `str.isspace`: Unicode White_Space plus the four ASCII information separators
/// (U+001C..U+001F), which Python counts as whitespace and Rust does not. The reference
/// scorers strip with it, so offsets only agree if we do too.
pub fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.strip()`.
pub fn py_strip(s: &str) -> &str {
    s.trim_matches(py_isspace)
}

/// The file name of a path, for the `file` field.
pub fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Reads a whole input file as UTF-8, naming the file in the error.
pub fn read_input(path: &std::path::Path) -> anyhow::Result<String> {
    use anyhow::Context;
    std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_give_micro_averaged_scores() {
        let counts = Counts {
            tp: 3,
            predicted: 4,
            gold: 6,
        };
        assert_eq!(counts.precision(), 0.75);
        assert_eq!(counts.recall(), 0.5);
        assert!((counts.f1() - 0.6).abs() < 1e-12);
        assert_eq!(Counts::default().f1(), 0.0);
    }

    #[test]
    fn python_whitespace_includes_information_separators() {
        assert_eq!(py_strip("\u{1f} a b\u{a0}\n"), "a b");
        assert!(!py_isspace('x'));
        assert_eq!(round4(0.123_456), 0.1235);
    }
}
