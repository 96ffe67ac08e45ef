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
//!
//! Beside them, [`extraction_scores`] gives the figures of the Web Content Extraction Benchmark
//! (WCXB, whose development pages `wcxb-dev.jsonl` holds) in that benchmark's own metric, so
//! they can be set beside its leaderboard of extractors: per page, the bag-of-words precision
//! and recall of the kept text against the content lines (its `evaluate.py`, `word_f1`), then
//! the mean over pages.

use super::{f1, file_name, ratio, read_input, round4};
use crate::input::url_host;
use crate::linestats::LineStats;
use crate::pipeline::{Config, Pipeline};
use anyhow::{Context, bail};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
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

/// WCXB's per-page figures, averaged over pages: how well the kept lines give back the content.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ExtractionScores {
    /// Mean over pages of content words kept / words kept (as bags of lowercased words).
    pub precision: f64,
    /// Mean over pages of content words kept / content words.
    pub recall: f64,
    /// Mean over pages of the page's F1 (not the F1 of the two means).
    pub f1: f64,
}

/// Scores removal decisions in WCXB's metric: per page, the multiset overlap of the kept
/// lines' lowercased `\w+` words with the content lines' words; a page without content words
/// scores 1 when nothing is kept and 0 otherwise, a page with nothing kept 0.
pub fn extraction_scores(pages: &[Page], removed: &[BTreeSet<usize>]) -> ExtractionScores {
    let mut sums = ExtractionScores::default();
    for (page, removed) in pages.iter().zip(removed) {
        let mut kept: HashMap<String, u32> = HashMap::new();
        let mut content: HashMap<String, u32> = HashMap::new();
        let (mut kept_words, mut content_words) = (0u64, 0u64);
        for (index, (line, is_content)) in page.lines.iter().enumerate() {
            let keep = !removed.contains(&index);
            if !keep && !is_content {
                continue;
            }
            for word in WORD.find_iter(line) {
                let word = word.as_str().to_lowercase();
                if *is_content {
                    content_words += 1;
                    *content.entry(word.clone()).or_default() += 1;
                }
                if keep {
                    kept_words += 1;
                    *kept.entry(word).or_default() += 1;
                }
            }
        }
        let (precision, recall) = if content_words == 0 {
            let nothing_kept = if kept_words == 0 { 1.0 } else { 0.0 };
            (nothing_kept, nothing_kept)
        } else {
            let overlap: u64 = kept
                .iter()
                .map(|(word, &n)| u64::from(n.min(content.get(word).copied().unwrap_or(0))))
                .sum();
            (ratio(overlap, kept_words), ratio(overlap, content_words))
        };
        sums.precision += precision;
        sums.recall += recall;
        sums.f1 += f1(precision, recall);
    }
    let pages = pages.len().max(1) as f64;
    ExtractionScores {
        precision: sums.precision / pages,
        recall: sums.recall / pages,
        f1: sums.f1 / pages,
    }
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
pub fn to_json(
    file: &str,
    counts: &RemovalCounts,
    extraction: &ExtractionScores,
) -> serde_json::Value {
    let boilerplate = counts.tp + counts.fn_;
    serde_json::json!({
        "file": file,
        "precision": round4(counts.precision()),
        "recall": round4(counts.recall()),
        "f1": round4(counts.f1()),
        "page_precision": round4(extraction.precision),
        "page_recall": round4(extraction.recall),
        "page_f1": round4(extraction.f1),
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
            "{:<24} {:>6} {:>9} {:>6} {:>6} {:>6} {:>8}",
            "file",
            "pages",
            "words",
            "P",
            "R",
            "F1",
            "page F1"
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
        let extraction = extraction_scores(&pages, &removed);
        if json {
            outln!("{}", to_json(&name, &counts, &extraction));
        } else {
            outln!(
                "{:<24} {:>6} {:>9} {:>6.3} {:>6.3} {:>6.3} {:>8.3}",
                name,
                counts.pages,
                counts.words,
                counts.precision(),
                counts.recall(),
                counts.f1(),
                extraction.f1
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

    /// The decisions of `tests/fixtures/eval/tiny_decisions.jsonl`.
    fn fixture_decisions() -> Vec<BTreeSet<usize>> {
        vec![[1, 2, 3].into_iter().collect(), [0].into_iter().collect()]
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
        let removed = fixture_decisions();
        let counts = score(&pages, &removed);
        assert_eq!((counts.tp, counts.fp, counts.fn_), (6, 2, 4));
        assert_eq!(counts.precision(), 0.75);
        assert_eq!(counts.recall(), 0.6);
        assert_eq!(counts.words, 20);
    }

    #[test]
    fn extraction_scores_are_wcxb_page_means_on_the_fixture() {
        // Page 1 keeps "The council met on Monday." and the menu line: 9 words kept, 7 content
        // words ("Read more" removed), 5 in common: P 5/9, R 5/7, F1 0.625. Page 2 keeps
        // exactly its content: 1, 1, 1.
        let pages = fixture();
        let removed = fixture_decisions();
        let scores = extraction_scores(&pages, &removed);
        assert!((scores.precision - (5.0 / 9.0 + 1.0) / 2.0).abs() < 1e-12);
        assert!((scores.recall - (5.0 / 7.0 + 1.0) / 2.0).abs() < 1e-12);
        assert!((scores.f1 - (0.625 + 1.0) / 2.0).abs() < 1e-12);
    }

    #[test]
    fn extraction_counts_repeated_words_once_per_copy_and_folds_case() {
        // "Read more" kept twice against one content copy: the overlap counts it once.
        let page = Page {
            id: "p".into(),
            url: None,
            lines: vec![
                ("Read MORE".into(), true),
                ("read more".into(), false),
                ("Menu".into(), false),
            ],
        };
        let removed: Vec<BTreeSet<usize>> = vec![[2].into_iter().collect()];
        let scores = extraction_scores(std::slice::from_ref(&page), &removed);
        assert!((scores.precision - 0.5).abs() < 1e-12);
        assert!((scores.recall - 1.0).abs() < 1e-12);
        // A page without content words scores 1 only when everything goes.
        let empty = Page {
            id: "e".into(),
            url: None,
            lines: vec![("Menu".into(), false)],
        };
        let all: Vec<BTreeSet<usize>> = vec![[0].into_iter().collect()];
        let none: Vec<BTreeSet<usize>> = vec![BTreeSet::new()];
        let one = std::slice::from_ref(&empty);
        assert_eq!(extraction_scores(one, &all).f1, 1.0);
        assert_eq!(extraction_scores(one, &none).f1, 0.0);
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
