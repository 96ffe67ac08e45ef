//! `eval boilerplate`: word-weighted precision and recall of boilerplate *removal* on
//! line-labelled pages, the figures of `shared/eval/boilerplate/score.py`.
//!
//! Each page's text is its lines joined with `\n`. The pages of one file form the corpus: line
//! statistics ([`crate::linestats`]) are gathered over all of them first, with the site of a page
//! being its URL's host (else the file, as `run` does for records without a URL), and then each page goes through [`Pipeline::process_in`], the path
//! `corpusmill run` takes, so the removals scored are the ones `run` makes.
//!
//! A line weighs its number of `\w+` words in Python's sense (runs of letters, digits and `_`);
//! precision = boilerplate words removed / words removed, recall = boilerplate words removed /
//! boilerplate words.

use super::{f1, file_name, ratio, read_input, round4};
use crate::input::url_host;
use crate::linestats::LineStats;
use crate::pipeline::{Config, Pipeline};
use anyhow::{Context, bail};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::LazyLock;

/// A line-labelled page.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Page {
    /// Its identifier.
    pub id: String,
    /// Its URL, when known.
    #[serde(default)]
    pub url: Option<String>,
    /// Lines with their labels (true: main content).
    pub lines: Vec<(String, bool)>,
}

impl Page {
    /// The page text as the pipeline sees it.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for (index, (line, _)) in self.lines.iter().enumerate() {
            if index > 0 {
                text.push('\n');
            }
            text.push_str(line);
        }
        text
    }

    /// The site, as `run` gives it to a record of a multi-document file: the URL's host, else
    /// the file (`source`).
    pub fn site(&self, source: &str) -> String {
        self.url
            .as_deref()
            .and_then(url_host)
            .unwrap_or_else(|| source.to_owned())
    }
}

static WORD: LazyLock<regex::Regex> = LazyLock::new(|| {
    // Python's `\w` is `str.isalnum()` or `_`: letters and numbers by general category. Rust's
    // `\w` also takes combining marks and all connector punctuation, so it is spelled out.
    regex::Regex::new(r"[\p{L}\p{N}_]+").unwrap_or_else(|_| unreachable!("constant regex"))
});

/// Number of `\w+` words of a line, as Python's `re` counts them.
pub fn word_count(line: &str) -> u64 {
    WORD.find_iter(line).count() as u64
}

/// Removal counts in words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RemovalCounts {
    /// Boilerplate words removed.
    pub tp: u64,
    /// Content words removed.
    pub fp: u64,
    /// Boilerplate words kept.
    pub fn_: u64,
    /// All words.
    pub words: u64,
    /// Pages.
    pub pages: u64,
}

impl RemovalCounts {
    /// Boilerplate words removed / words removed.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// Boilerplate words removed / boilerplate words.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// F1 of the two.
    pub fn f1(&self) -> f64 {
        f1(self.precision(), self.recall())
    }
}

/// Scores removal decisions (line indexes per page, parallel to `pages`) as score.py does.
pub fn score(pages: &[Page], removed: &[BTreeSet<usize>]) -> RemovalCounts {
    let mut counts = RemovalCounts {
        pages: pages.len() as u64,
        ..RemovalCounts::default()
    };
    for (page, removed) in pages.iter().zip(removed) {
        for (index, (line, content)) in page.lines.iter().enumerate() {
            let words = word_count(line);
            counts.words += words;
            if words == 0 {
                continue;
            }
            match (removed.contains(&index), content) {
                (true, true) => counts.fp += words,
                (true, false) => counts.tp += words,
                (false, false) => counts.fn_ += words,
                (false, true) => {}
            }
        }
    }
    counts
}

/// Cleans the pages of the file `source` as one corpus the way `run` does and returns each
/// page's removed lines.
pub fn clean(pages: &[Page], source: &str, keep_comments: bool) -> Vec<BTreeSet<usize>> {
    let texts: Vec<String> = pages.par_iter().map(Page::text).collect();
    let sites: Vec<String> = pages.iter().map(|page| page.site(source)).collect();
    let mut stats = LineStats::new();
    for (text, site) in texts.iter().zip(&sites) {
        stats.add_document(site, text);
    }
    let pipeline = Pipeline::new(Config {
        keep_comments,
        ..Config::default()
    })
    .with_repeated_lines(stats.finish());
    texts
        .par_iter()
        .zip(sites.par_iter())
        .map(|(text, site)| {
            let document = pipeline.process_in(text, site);
            document
                .removed_lines
                .iter()
                .map(|line| line.line_no as usize - 1)
                .collect()
        })
        .collect()
}

/// Reads a JSONL file of pages.
pub fn read_pages(path: &Path) -> anyhow::Result<Vec<Page>> {
    let source = read_input(path)?;
    let mut pages = Vec::new();
    for (index, line) in source.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let page: Page = serde_json::from_str(line)
            .with_context(|| format!("{}: line {}", path.display(), index + 1))?;
        pages.push(page);
    }
    Ok(pages)
}

/// The JSON object of one file's scores.
pub fn to_json(file: &str, counts: &RemovalCounts) -> serde_json::Value {
    let boilerplate = counts.tp + counts.fn_;
    serde_json::json!({
        "file": file,
        "precision": round4(counts.precision()),
        "recall": round4(counts.recall()),
        "f1": round4(counts.f1()),
        "n_pages": counts.pages,
        "words": counts.words,
        "boilerplate_words": boilerplate,
        "removed_words": counts.tp + counts.fp,
    })
}

/// `eval boilerplate` on files.
pub fn run(
    files: &[PathBuf],
    keep_comments: bool,
    decisions: Option<&Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    if files.is_empty() {
        bail!("eval boilerplate needs at least one JSONL file");
    }
    let mut failed = false;
    if !json {
        outln!(
            "{:<24} {:>6} {:>9} {:>6} {:>6} {:>6}",
            "file",
            "pages",
            "words",
            "P",
            "R",
            "F1"
        );
    }
    for path in files {
        let pages = match read_pages(path) {
            Ok(pages) => pages,
            Err(error) => {
                failed = true;
                errln!("corpusmill: eval boilerplate: {error:#}");
                continue;
            }
        };
        let name = file_name(path);
        let removed = clean(&pages, &name, keep_comments);
        if let Some(out) = decisions {
            write_decisions(out, &pages, &removed)?;
        }
        let counts = score(&pages, &removed);
        if json {
            outln!("{}", to_json(&name, &counts));
        } else {
            outln!(
                "{:<24} {:>6} {:>9} {:>6.3} {:>6.3} {:>6.3}",
                name,
                counts.pages,
                counts.words,
                counts.precision(),
                counts.recall(),
                counts.f1()
            );
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes `{"id", "removed"}` per page, the decisions file score.py reads.
fn write_decisions(path: &Path, pages: &[Page], removed: &[BTreeSet<usize>]) -> anyhow::Result<()> {
    let file = std::fs::File::create(path).with_context(|| format!("create {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    for (page, removed) in pages.iter().zip(removed) {
        let record = serde_json::json!({"id": page.id, "removed": removed});
        writeln!(out, "{record}")?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Vec<Page> {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval/tiny_pages.jsonl");
        read_pages(&path).expect("fixture parses")
    }

    #[test]
    fn words_are_counted_like_python_re() {
        assert_eq!(word_count("Hello, world! 3 cats_and dogs"), 5);
        assert_eq!(word_count("café ½ x²"), 3);
        // A combining mark is not a word character in Python: "e\u{301}t" is two words.
        assert_eq!(word_count("e\u{301}t"), 2);
        assert_eq!(word_count(" — "), 0);
    }

    #[test]
    fn removal_scores_match_score_py_on_the_fixture() {
        // score.py on tiny_pages.jsonl with tiny_decisions.jsonl prints P=0.750 R=0.600; by hand:
        // removed boilerplate 3 + 3 words, removed content 2 words, kept boilerplate 4 words.
        let pages = fixture();
        let removed: Vec<BTreeSet<usize>> =
            vec![[1, 2, 3].into_iter().collect(), [0].into_iter().collect()];
        let counts = score(&pages, &removed);
        assert_eq!((counts.tp, counts.fp, counts.fn_), (6, 2, 4));
        assert_eq!(counts.precision(), 0.75);
        assert_eq!(counts.recall(), 0.6);
        assert_eq!(counts.words, 20);
    }

    #[test]
    fn sites_are_url_hosts_else_the_file() {
        let pages = fixture();
        assert_eq!(pages[0].site("tiny_pages.jsonl"), "example.com");
        assert_eq!(pages[1].site("tiny_pages.jsonl"), "tiny_pages.jsonl");
    }

    #[test]
    fn cleaning_returns_line_indexes_within_each_page() {
        let pages = fixture();
        let removed = clean(&pages, "tiny_pages.jsonl", false);
        assert_eq!(removed.len(), pages.len());
        for (page, removed) in pages.iter().zip(&removed) {
            assert!(removed.iter().all(|&i| i < page.lines.len()));
        }
    }
}
