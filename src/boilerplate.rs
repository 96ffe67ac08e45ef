//! Boilerplate line removal: comment forms, share bars, menus, footers. Every removed line is
//! reported with the rule that removed it.
//!
//! Three layers, cheapest first:
//! 1. Phrase rules per language (`src/data/boilerplate/<iso639-3>.tsv`): whole-line glob patterns
//!    for the furniture strings of WordPress, Blogger, Disqus, Medium-like platforms, share bars,
//!    footers and cookie notices, matched after normalization (case, spaces, quotes).
//! 2. Corpus signals from [`crate::linestats`]: how many documents of the same site (and of the
//!    corpus) contain the same line.
//! 3. Structural signals (trailing and leading runs of short lines, counter/date lines, the
//!    comment section after a comment header) combined by a two-stage logistic line model whose
//!    weights are learned on line-labelled pages (`src/data/boilerplate/model.tsv`, made by
//!    `scripts/train_boilerplate.sh`). The second stage sees the first stage's verdict on the
//!    neighbouring lines, since boilerplate comes in blocks.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use memchr::memmem::Finder;

use crate::linestats::{KeyHasher, RepeatedLines, normalize_line, normalized_line_key};

const RULE_FILES: [&str; 6] = [
    include_str!("data/boilerplate/eng.tsv"),
    include_str!("data/boilerplate/por.tsv"),
    include_str!("data/boilerplate/spa.tsv"),
    include_str!("data/boilerplate/fra.tsv"),
    include_str!("data/boilerplate/deu.tsv"),
    include_str!("data/boilerplate/ita.tsv"),
];
const MODEL_FILE: &str = include_str!("data/boilerplate/model.tsv");

/// Name of the corpus rule: the line repeats across documents of the same site.
pub const RULE_REPEATED: &str = "repeated_line";
/// Name of the structural rule: trailing run of short unpunctuated lines (menus, tag clouds).
pub const RULE_TRAILING: &str = "trailing_short_run";
/// Name of the structural rule: leading run of short unpunctuated lines (header, navigation).
pub const RULE_LEADING: &str = "leading_short_run";
/// Name of the structural rule: the line is mostly counters, dates or times ("Share 0").
pub const RULE_COUNTER: &str = "counter_line";
/// Name of the structural rule: reader comments below a comment header.
pub const RULE_COMMENTS: &str = "comment_section";
/// Name of the learned line model, used when no more specific rule explains a removal.
pub const RULE_MODEL: &str = "line_model";

/// Why a line was removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Removal {
    /// 0-based line index in the input text (lines split on `\n`).
    pub line_index: u32,
    /// The rule's name, as written to `removed_lines.rule`.
    pub rule: &'static str,
    /// Distinct documents of the same site containing this line, when it repeats (≥ 2).
    pub doc_freq: Option<u32>,
}

/// Which rules run.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Rule names to switch off (`--keep-rule NAME`): lines they would remove are kept.
    pub keep_rules: Vec<String>,
    /// Keep reader comments as text (comment forms and headers are still removed).
    pub keep_comments: bool,
}

#[derive(Debug, Clone)]
enum Tok {
    Lit(String),
    Any,
    Num,
}

#[derive(Debug)]
struct Pattern {
    name: &'static str,
    toks: Vec<Tok>,
    lead_any: bool,
    trail_any: bool,
    /// A searcher for the longest literal, checked before the backtracking match; built once,
    /// since every line is checked against dozens of patterns.
    finder: Finder<'static>,
}

/// A phrase-rule hit on one line.
#[derive(Clone, Copy, Debug)]
struct Hit {
    name: &'static str,
    hard: bool,
}

/// The rule set, built once and shared by all workers.
#[derive(Debug)]
pub struct Rules {
    patterns: Vec<Pattern>,
    exact: HashMap<String, usize>,
    by_first: HashMap<char, Vec<usize>>,
    loose: Vec<usize>,
    /// Matches a line containing the key literal of any `loose` pattern: most lines contain
    /// none, and one pass over them replaces a search per pattern.
    loose_filter: Option<regex::bytes::Regex>,
    w1: Vec<f32>,
    w2: Vec<f32>,
    threshold: f32,
    soft_threshold: f32,
    guard_threshold: f32,
    repeat_min_docs: u32,
    config: Config,
}

impl Default for Rules {
    fn default() -> Self {
        Rules::builtin()
    }
}

fn compile(pat: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut lit = String::new();
    for c in pat.chars() {
        if c == '*' || c == '#' {
            if !lit.is_empty() {
                toks.push(Tok::Lit(std::mem::take(&mut lit)));
            }
            toks.push(if c == '*' { Tok::Any } else { Tok::Num });
        } else {
            lit.push(c);
        }
    }
    if !lit.is_empty() {
        toks.push(Tok::Lit(lit));
    }
    // "* we use cookies *" must also match a line where the phrase ends the sentence
    // ("... our use of cookies."): the space next to an outer `*` is optional.
    let n = toks.len();
    if n >= 2 {
        if let [.., Tok::Lit(l), Tok::Any] = toks.as_mut_slice() {
            if l.len() > 1 && l.ends_with(' ') {
                l.pop();
            }
        }
        if let [Tok::Any, Tok::Lit(l), ..] = toks.as_mut_slice() {
            if l.len() > 1 && l.starts_with(' ') {
                l.remove(0);
            }
        }
    }
    toks
}

/// Length of the counter at the start of `s`: digits with `.`/`,` groups, then an optional
/// k/m suffix or `+` ("12", "1.2k", "3,400+"). 0 when `s` does not start with a digit.
fn num_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i == 0 {
        return 0;
    }
    while i + 1 < b.len() && (b[i] == b'.' || b[i] == b',') && b[i + 1].is_ascii_digit() {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i < b.len() && matches!(b[i], b'k' | b'm') {
        i += 1;
    }
    if i < b.len() && b[i] == b'+' {
        i += 1;
    }
    i
}

fn glob(toks: &[Tok], s: &str) -> bool {
    match toks.first() {
        None => s.is_empty(),
        Some(Tok::Lit(l)) => s.starts_with(l.as_str()) && glob(&toks[1..], &s[l.len()..]),
        Some(Tok::Num) => {
            let n = num_len(s);
            n > 0 && glob(&toks[1..], &s[n..])
        }
        Some(Tok::Any) => {
            let rest = &toks[1..];
            if rest.is_empty() {
                return true;
            }
            if let Some(Tok::Lit(l)) = rest.first() {
                // Only positions where the next literal starts can match.
                let mut from = 0;
                while let Some(p) = s[from..].find(l.as_str()) {
                    if glob(rest, &s[from + p..]) {
                        return true;
                    }
                    from += p + s[from + p..].chars().next().map_or(1, char::len_utf8);
                    if from > s.len() {
                        break;
                    }
                }
                return false;
            }
            s.char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(s.len()))
                .any(|i| glob(rest, &s[i..]))
        }
    }
}

/// The longest literal of a pattern ("" when it has none): every match contains it.
fn longest_literal(toks: &[Tok]) -> &str {
    toks.iter()
        .filter_map(|t| {
            if let Tok::Lit(l) = t {
                Some(l.as_str())
            } else {
                None
            }
        })
        .max_by_key(|l| l.len())
        .unwrap_or("")
}

/// Per-line facts shared by the features and the decisions.
#[derive(Clone, Debug, Default)]
struct LineInfo {
    idx: usize,
    words: u32,
    end_punct: bool,
    hit: Option<Hit>,
    counter: bool,
    key: u64,
    site_df: u32,
    all_df: u32,
    /// Facts of the normalized line the stage-1 features use, kept so it is normalized once.
    norm_colon: bool,
    copyright: bool,
    url_or_email: bool,
    starts_digit: bool,
    ellipsis_end: bool,
}

/// Counts `\w+` runs, the way the scorer weighs lines.
fn word_count(s: &str) -> u32 {
    let mut n = 0;
    let mut inw = false;
    for c in s.chars() {
        let w = c.is_alphanumeric() || c == '_';
        if w && !inw {
            n += 1;
        }
        inw = w;
    }
    n
}

fn ends_sentence(s: &str) -> bool {
    let t = s.trim_end();
    let t = t.trim_end_matches(['"', '\'', ')', ']', '”', '’', '»', '*']);
    t.ends_with(['.', '!', '?', '…', '。', '！', '？'])
}

const MONTHS: &[&str] = &[
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "am",
    "pm",
    "at",
    "ago",
    "on",
    "by",
    "updated",
    "published",
    "posted",
    "min",
    "mins",
    "minute",
    "minutes",
    "hour",
    "hours",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "read",
    "views",
    "view",
    "comments",
    "comment",
    "shares",
    "share",
    "likes",
    "like",
    "replies",
    "reply",
    "votes",
    "points",
    "reviews",
    "ratings",
    "stars",
    "of",
];

/// A line made of numbers, dates, times and counter words only ("12 Comments", "Share 0",
/// "1.2K views", "September 17, 2025 at 6:26 pm"), with at least one number.
fn is_counter_line(norm: &str, words: u32) -> bool {
    if words == 0 || words > 8 || !norm.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    norm.split(|c: char| !(c.is_alphanumeric()))
        .filter(|t| !t.is_empty())
        .all(|t| {
            num_len(t) == t.len()
                || t.bytes()
                    .all(|b| b.is_ascii_digit() || b == b'k' || b == b'm')
                || MONTHS.contains(&t)
                || (t.len() <= 4 && t.bytes().take_while(|b| b.is_ascii_digit()).count() > 0)
        })
}

/// Names of the stage-1 features, in vector order (the model file refers to them by name).
pub const FEATURES1: &[&str] = &[
    "bias",
    "logw",
    "w_le2",
    "w_le4",
    "w_le8",
    "w_ge20",
    "end_punct",
    "end_colon",
    "title_frac",
    "digit_frac",
    "separators",
    "copyright",
    "rule_hard",
    "rule_soft",
    "counter",
    "log_site_df",
    "log_all_df",
    "site_df_ratio",
    "pos",
    "cum_words",
    "trailing_run",
    "leading_run",
    "win1_logw",
    "win3_punct",
    "win5_long",
    "log_dist_long",
    "before_first_long",
    "after_last_long",
    "after_comment_marker",
    "reply_near",
    "dup_in_doc",
    "avg_word_len",
    "log_doc_words",
    "doc_long_frac",
    "url_or_email",
    "starts_digit",
    "all_caps",
    "ellipsis_end",
    "code_like",
    "rule_comment_kind",
    "rule_nav_kind",
];

/// Names of the extra stage-2 features (appended to the stage-1 ones).
pub const FEATURES2: &[&str] = &[
    "s1_logit",
    "s1_mean1",
    "s1_mean3",
    "s1_mean8",
    "s1_mass_before",
    "s1_mass_after",
    "s1_max2",
    "s1_prev",
    "s1_next",
    "b_w0",
    "b_w1",
    "b_w2",
    "b_w3",
    "b_w4",
    "b_w5",
    "b_w6",
    "b_w7",
    "b_p0",
    "b_p1",
    "b_p2",
    "b_p3",
    "b_p4",
    "b_p5",
    "b_p6",
    "b_p7",
    "b_p8",
    "b_p9",
    "b_mb0",
    "b_mb1",
    "b_mb2",
    "b_mb3",
    "b_mb4",
    "b_mb5",
    "b_mb6",
    "b_ma0",
    "b_ma1",
    "b_ma2",
    "b_ma3",
    "b_ma4",
    "b_ma5",
    "b_ma6",
    "b_m3_0",
    "b_m3_1",
    "b_m3_2",
    "b_m3_3",
    "b_m3_4",
    "i_long_punct",
    "i_after_last_logw",
    "i_before_first_logw",
];

/// Index of the bin of `v` among ascending upper `edges` (last bin open-ended).
fn bin(v: f32, edges: &[f32]) -> usize {
    edges.iter().position(|&e| v < e).unwrap_or(edges.len())
}

fn push_onehot(x: &mut Vec<f32>, v: f32, edges: &[f32]) {
    let b = bin(v, edges);
    for i in 0..=edges.len() {
        x.push((i == b) as u8 as f32);
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

fn dot(w: &[f32], x: &[f32]) -> f32 {
    w.iter().zip(x).map(|(a, b)| a * b).sum()
}

/// The features of one document's non-empty lines, for training and inspection.
#[derive(Debug, Clone, Default)]
pub struct DocFeatures {
    /// Line index (in the input text) of each row.
    pub line_index: Vec<u32>,
    /// Word count of each row (the scorer's weight).
    pub words: Vec<u32>,
    /// Stage-1 feature rows, [`FEATURES1`] order.
    pub x1: Vec<Vec<f32>>,
}

impl Rules {
    /// The built-in rules for every language with a data file, with the default config.
    pub fn builtin() -> Rules {
        Rules::with_config(Config::default())
    }

    /// The built-in rules with `config`.
    pub fn with_config(config: Config) -> Rules {
        let mut r = Rules {
            patterns: Vec::new(),
            exact: HashMap::new(),
            by_first: HashMap::new(),
            loose: Vec::new(),
            loose_filter: None,
            w1: vec![0.0; FEATURES1.len()],
            w2: vec![0.0; FEATURES1.len() + FEATURES2.len()],
            threshold: 0.5,
            soft_threshold: 0.3,
            guard_threshold: 0.85,
            repeat_min_docs: 3,
            config,
        };
        for file in RULE_FILES {
            for line in file.lines() {
                if line.starts_with('#') || line.trim().is_empty() {
                    continue;
                }
                let mut cols = line.split('\t');
                let (Some(name), Some(pat)) = (cols.next(), cols.next()) else {
                    continue;
                };
                r.add_pattern(name, pat);
            }
        }
        r.load_model(MODEL_FILE);
        r.loose_filter = r.build_loose_filter();
        r
    }

    fn build_loose_filter(&self) -> Option<regex::bytes::Regex> {
        let mut keys = Vec::with_capacity(self.loose.len());
        for &i in &self.loose {
            let key = longest_literal(&self.patterns[i].toks);
            if key.is_empty() {
                return None; // a pattern without a literal matches anywhere
            }
            keys.push(regex::escape(key));
        }
        regex::bytes::Regex::new(&keys.join("|")).ok()
    }

    fn add_pattern(&mut self, name: &'static str, pat: &str) {
        let mut norm = String::new();
        normalize_line(pat, &mut norm);
        let toks = compile(&norm);
        let idx = self.patterns.len();
        let lead_any = matches!(toks.first(), Some(Tok::Any));
        let trail_any = matches!(toks.last(), Some(Tok::Any));
        let key = longest_literal(&toks).to_string();
        if toks.len() == 1 && key == norm {
            self.exact.entry(norm).or_insert(idx);
        } else if let Some(Tok::Lit(l)) = toks.first() {
            if let Some(c) = l.chars().next() {
                self.by_first.entry(c).or_default().push(idx);
            }
        } else {
            self.loose.push(idx);
        }
        let finder = Finder::new(key.as_bytes()).into_owned();
        self.patterns.push(Pattern {
            name,
            toks,
            lead_any,
            trail_any,
            finder,
        });
    }

    /// Replaces the line model's weights with those in `tsv` (the `model.tsv` format: `s1`/`s2`,
    /// feature name, weight; `threshold`, value). Unknown names are ignored.
    pub fn load_model(&mut self, tsv: &str) {
        for line in tsv.lines() {
            let cols: Vec<&str> = line.split('\t').collect();
            match cols.as_slice() {
                ["s1", name, w] => {
                    if let (Some(i), Ok(w)) = (FEATURES1.iter().position(|f| f == name), w.parse())
                    {
                        self.w1[i] = w;
                    }
                }
                ["s2", name, w] => {
                    let i = FEATURES1.iter().position(|f| f == name).or_else(|| {
                        FEATURES2
                            .iter()
                            .position(|f| f == name)
                            .map(|i| i + FEATURES1.len())
                    });
                    if let (Some(i), Ok(w)) = (i, w.parse()) {
                        self.w2[i] = w;
                    }
                }
                ["threshold", v] => {
                    if let Ok(v) = v.parse() {
                        self.threshold = v;
                    }
                }
                ["guard_threshold", v] => {
                    if let Ok(v) = v.parse() {
                        self.guard_threshold = v;
                    }
                }
                ["repeat_min_docs", v] => {
                    if let Ok(v) = v.parse() {
                        self.repeat_min_docs = v;
                    }
                }
                _ => {}
            }
        }
    }

    /// Sets the decision threshold of the line model (probability of boilerplate).
    pub fn set_threshold(&mut self, t: f32) {
        self.threshold = t;
    }

    /// Sets the stage weights directly (training harness).
    pub fn set_weights(&mut self, w1: Vec<f32>, w2: Vec<f32>) {
        if w1.len() == self.w1.len() {
            self.w1 = w1;
        }
        if w2.len() == self.w2.len() {
            self.w2 = w2;
        }
    }

    fn kept(&self, rule: &str) -> bool {
        self.config.keep_rules.iter().any(|k| k == rule)
    }

    /// The phrase rule matching a normalized line, if any.
    fn phrase_hit(&self, norm: &str, words: u32, end_punct: bool) -> Option<Hit> {
        if norm.is_empty() {
            return None;
        }
        let hard_of = |p: &Pattern| !p.lead_any && (!p.trail_any || (words <= 10 && !end_punct));
        if norm.len() <= 200 {
            if let Some(&i) = self.exact.get(norm) {
                return Some(Hit {
                    name: self.patterns[i].name,
                    hard: true,
                });
            }
            let first = norm.chars().next()?;
            if let Some(list) = self.by_first.get(&first) {
                for &i in list {
                    let p = &self.patterns[i];
                    // These patterns start with a literal, which a match must start with.
                    if let Some(Tok::Lit(first)) = p.toks.first()
                        && !norm.starts_with(first.as_str())
                    {
                        continue;
                    }
                    if p.finder.find(norm.as_bytes()).is_some() && glob(&p.toks, norm) {
                        return Some(Hit {
                            name: p.name,
                            hard: hard_of(p),
                        });
                    }
                }
            }
        }
        if norm.len() <= 2000
            && self
                .loose_filter
                .as_ref()
                .is_none_or(|filter| filter.is_match(norm.as_bytes()))
        {
            for &i in &self.loose {
                let p = &self.patterns[i];
                if p.finder.find(norm.as_bytes()).is_some() && glob(&p.toks, norm) {
                    return Some(Hit {
                        name: p.name,
                        hard: hard_of(p),
                    });
                }
            }
        }
        None
    }

    /// Classifies the lines of `text` (split on `\n`) on its own, without corpus statistics,
    /// returning the removed ones in order.
    pub fn removals(&self, text: &str) -> Vec<Removal> {
        self.removals_in(text, "", None)
    }

    /// Classifies the lines of `text` (split on `\n`) of a document from `site` (source directory
    /// or URL host), using the corpus statistics `repeated` when given.
    pub fn removals_in(
        &self,
        text: &str,
        site: &str,
        repeated: Option<&RepeatedLines>,
    ) -> Vec<Removal> {
        let (infos, x1) = self.analyse(text, site, repeated);
        let p2 = self.scores(&x1);
        let mut out = Vec::new();
        let mut comment_marker = false;
        let first_marker = x1
            .iter()
            .position(|x| x[28] > 0.0)
            .map(|k| k.saturating_sub(1));
        for (k, info) in infos.iter().enumerate() {
            let x = &x1[k];
            if x[28] > 0.0 {
                comment_marker = true;
            }
            let doc_freq = (info.site_df >= 2).then_some(info.site_df);
            let content_like = info.words >= 10 && info.end_punct;
            let mut rule: Option<&'static str> = None;
            if let Some(h) = info.hit {
                if h.hard || p2[k] >= self.soft_threshold {
                    rule = Some(h.name);
                }
            }
            if rule.is_none()
                && info.site_df >= self.repeat_min_docs
                && !content_like
                && p2[k] >= self.soft_threshold
            {
                rule = Some(RULE_REPEATED);
            }
            // Pages often end their text right above the comment form, where position alone
            // looks like a footer: long lines there need stronger evidence.
            let guarded =
                info.words >= 15 && !comment_marker && first_marker.is_some_and(|m| k < m);
            let need = if guarded {
                self.guard_threshold
            } else {
                self.threshold
            };
            if rule.is_none() && p2[k] >= need {
                rule = Some(if info.site_df >= 2 && !content_like {
                    RULE_REPEATED
                } else if info.counter {
                    RULE_COUNTER
                } else if x[20] > 0.0 {
                    RULE_TRAILING
                } else if x[21] > 0.0 {
                    RULE_LEADING
                } else if comment_marker && x[27] > 0.0 {
                    RULE_COMMENTS
                } else {
                    RULE_MODEL
                });
            }
            let Some(mut name) = rule else { continue };
            if self.config.keep_comments
                && comment_marker
                && info.words >= 4
                && !info.hit.is_some_and(|h| h.hard)
            {
                continue;
            }
            if self.kept(name) {
                // A switched-off phrase rule still leaves the line to the other signals.
                if info.hit.is_some() && p2[k] >= self.threshold && !self.kept(RULE_MODEL) {
                    name = RULE_MODEL;
                } else {
                    continue;
                }
            }
            out.push(Removal {
                line_index: info.idx as u32,
                rule: name,
                doc_freq,
            });
        }
        out
    }

    /// Stage-2 probabilities of boilerplate for the rows `x1` of one document.
    fn scores(&self, x1: &[Vec<f32>]) -> Vec<f32> {
        let s1: Vec<f32> = x1.iter().map(|x| dot(&self.w1, x)).collect();
        let mut p2 = Vec::with_capacity(x1.len());
        stage2_rows(x1, &s1, |x| p2.push(sigmoid(dot(&self.w2, x))));
        p2
    }

    /// Stage-1 and stage-2 feature rows of a document (training harness).
    pub fn features(
        &self,
        text: &str,
        site: &str,
        repeated: Option<&RepeatedLines>,
    ) -> DocFeatures {
        let (infos, x1) = self.analyse(text, site, repeated);
        DocFeatures {
            line_index: infos.iter().map(|i| i.idx as u32).collect(),
            words: infos.iter().map(|i| i.words).collect(),
            x1,
        }
    }

    /// Builds stage-2 rows from stage-1 rows and stage-1 logits (training harness).
    pub fn stage2(x1: &[Vec<f32>], s1: &[f32]) -> Vec<Vec<f32>> {
        stage2_features(x1, s1)
    }

    fn analyse(
        &self,
        text: &str,
        site: &str,
        repeated: Option<&RepeatedLines>,
    ) -> (Vec<LineInfo>, Vec<Vec<f32>>) {
        let site_hash = RepeatedLines::site_hash(site);
        let site_docs = repeated.map_or(0, |r| r.site_docs(site));
        let mut infos: Vec<LineInfo> = Vec::new();
        let mut raw: Vec<&str> = Vec::new();
        let mut norm = String::new();
        for (idx, line) in text.split('\n').enumerate() {
            let words = word_count(line);
            if words == 0 {
                continue;
            }
            normalize_line(line, &mut norm);
            let end_punct = ends_sentence(&norm);
            let hit = self.phrase_hit(&norm, words, end_punct);
            let counter = is_counter_line(&norm, words);
            let key = normalized_line_key(&norm);
            let f = repeated
                .map(|r| r.freq_by_key(site_hash, key))
                .unwrap_or_default();
            infos.push(LineInfo {
                idx,
                words,
                end_punct,
                hit,
                counter,
                key,
                site_df: f.site.max(1),
                all_df: f.all.max(1),
                norm_colon: norm.ends_with(':'),
                copyright: norm.contains('©')
                    || norm.contains("copyright")
                    || norm.contains("all rights reserved"),
                url_or_email: norm.contains("http") || norm.contains("www.") || norm.contains('@'),
                starts_digit: norm.starts_with(|c: char| c.is_ascii_digit()),
                ellipsis_end: norm.ends_with("...") || norm.ends_with('…'),
            });
            raw.push(line);
        }
        let n = infos.len();
        let total_words: u32 = infos.iter().map(|i| i.words).sum();
        let long = |i: &LineInfo| i.words >= 20 && i.end_punct;
        let long_idx: Vec<usize> = (0..n).filter(|&k| long(&infos[k])).collect();
        let long_words: u32 = long_idx.iter().map(|&k| infos[k].words).sum();
        let first_long = long_idx.first().copied();
        let last_long = long_idx.last().copied();
        let short = |i: &LineInfo| i.words < 8 && !i.end_punct;
        let mut trailing_from = n;
        while trailing_from > 0 && short(&infos[trailing_from - 1]) {
            trailing_from -= 1;
        }
        let mut leading_to = 0;
        while leading_to < n && short(&infos[leading_to]) {
            leading_to += 1;
        }
        let mut key_count: HashMap<u64, u32, BuildHasherDefault<KeyHasher>> =
            HashMap::with_capacity_and_hasher(n, Default::default());
        for i in &infos {
            *key_count.entry(i.key).or_insert(0) += 1;
        }
        let is_comment_header = |i: &LineInfo| {
            i.hit.is_some_and(|h| {
                h.hard
                    && matches!(
                        h.name,
                        "wp_leave_comment" | "wp_leave_reply" | "disqus_furniture"
                    )
            })
        };
        let is_reply = |i: &LineInfo| i.hit.is_some_and(|h| h.name == "wp_leave_reply");
        let mut x1 = Vec::with_capacity(n);
        let mut words_before = 0u32;
        let mut marker_seen = false;
        let mut long_ptr = 0usize;
        for k in 0..n {
            let i = &infos[k];
            let line = raw[k];
            let w = i.words as f32;
            let mut x = vec![0.0f32; FEATURES1.len()];
            let (mut alnum, mut digits, mut upper_words, mut in_word, mut letters, mut uppers) =
                (0u32, 0u32, 0u32, false, 0u32, 0u32);
            let (mut seps, mut code) = (0u32, 0u32);
            for c in line.chars() {
                let wc = c.is_alphanumeric();
                if wc {
                    alnum += 1;
                    if c.is_ascii_digit() {
                        digits += 1;
                    }
                    if c.is_alphabetic() {
                        letters += 1;
                        if c.is_uppercase() {
                            uppers += 1;
                            if !in_word {
                                upper_words += 1;
                            }
                        }
                    }
                }
                in_word = wc;
                match c {
                    '|' | '»' | '›' | '·' | '•' | '/' | '>' => seps += 1,
                    ';' | '{' | '}' | '=' | '(' | '<' => code += 1,
                    _ => {}
                }
            }
            x[0] = 1.0;
            x[1] = (1.0 + w).ln();
            x[2] = (i.words <= 2) as u8 as f32;
            x[3] = (i.words <= 4) as u8 as f32;
            x[4] = (i.words <= 8) as u8 as f32;
            x[5] = (i.words >= 20) as u8 as f32;
            x[6] = i.end_punct as u8 as f32;
            x[7] = i.norm_colon as u8 as f32;
            x[8] = upper_words as f32 / w;
            x[9] = digits as f32 / alnum.max(1) as f32;
            x[10] = (seps as f32 / w).min(1.0);
            x[11] = i.copyright as u8 as f32;
            x[12] = i.hit.is_some_and(|h| h.hard) as u8 as f32;
            x[13] = i.hit.is_some_and(|h| !h.hard) as u8 as f32;
            x[14] = i.counter as u8 as f32;
            x[15] = (i.site_df as f32).ln();
            x[16] = (i.all_df as f32).ln();
            x[17] = if site_docs >= 3 {
                i.site_df as f32 / site_docs as f32
            } else {
                0.0
            };
            x[18] = k as f32 / n as f32;
            x[19] = words_before as f32 / total_words.max(1) as f32;
            x[20] = (k >= trailing_from) as u8 as f32;
            x[21] = (k < leading_to) as u8 as f32;
            let lw = |j: usize| (1.0 + infos[j].words as f32).ln();
            let mut s = 0.0;
            let mut c = 0.0;
            for j in [k.wrapping_sub(1), k + 1] {
                if j < n {
                    s += lw(j);
                    c += 1.0;
                }
            }
            x[22] = if c > 0.0 { s / c } else { 0.0 };
            let (mut sp, mut cp) = (0.0, 0.0);
            for j in k.saturating_sub(3)..(k + 4).min(n) {
                if j != k {
                    sp += infos[j].end_punct as u8 as f32;
                    cp += 1.0;
                }
            }
            x[23] = if cp > 0.0 { sp / cp } else { 0.0 };
            let (mut sl, mut cl) = (0.0, 0.0);
            for j in k.saturating_sub(5)..(k + 6).min(n) {
                if j != k {
                    sl += (infos[j].words >= 15) as u8 as f32;
                    cl += 1.0;
                }
            }
            x[24] = if cl > 0.0 { sl / cl } else { 0.0 };
            while long_ptr < long_idx.len() && long_idx[long_ptr] < k {
                long_ptr += 1;
            }
            let mut dist = n;
            if long_ptr < long_idx.len() {
                dist = dist.min(long_idx[long_ptr] - k);
            }
            if long_ptr > 0 {
                dist = dist.min(k - long_idx[long_ptr - 1]);
            }
            x[25] = (1.0 + dist as f32).ln();
            x[26] = first_long.is_none_or(|f| k < f) as u8 as f32;
            x[27] = last_long.is_none_or(|l| k > l) as u8 as f32;
            x[28] = marker_seen as u8 as f32;
            if is_comment_header(i) {
                marker_seen = true;
            }
            x[29] = (k.saturating_sub(3)..(k + 4).min(n)).any(|j| j != k && is_reply(&infos[j]))
                as u8 as f32;
            x[30] = (key_count.get(&i.key).copied().unwrap_or(1) > 1) as u8 as f32;
            x[31] = (letters as f32 / w / 10.0).min(2.0);
            x[32] = (1.0 + total_words as f32).ln() / 10.0;
            x[33] = long_words as f32 / total_words.max(1) as f32;
            x[34] = i.url_or_email as u8 as f32;
            x[35] = i.starts_digit as u8 as f32;
            x[36] = (letters >= 4 && uppers == letters) as u8 as f32;
            x[37] = i.ellipsis_end as u8 as f32;
            x[38] = (code as f32 / w).min(1.0);
            x[39] = i.hit.is_some_and(|h| {
                matches!(
                    h.name,
                    "wp_leave_comment" | "wp_leave_reply" | "wp_comment_form" | "disqus_furniture"
                )
            }) as u8 as f32;
            x[40] = i.hit.is_some_and(|h| {
                matches!(
                    h.name,
                    "wp_filed_under"
                        | "page_footer"
                        | "share_bar"
                        | "medium_furniture"
                        | "blogger_furniture"
                )
            }) as u8 as f32;
            words_before += i.words;
            x1.push(x);
        }
        (infos, x1)
    }
}

fn stage2_features(x1: &[Vec<f32>], s1: &[f32]) -> Vec<Vec<f32>> {
    let mut out = Vec::with_capacity(x1.len());
    stage2_rows(x1, s1, |x| out.push(x.to_vec()));
    out
}

/// Calls `row` with each stage-2 feature row in turn, built in one reused buffer: scoring needs
/// only the dot product of each row, not the rows.
fn stage2_rows(x1: &[Vec<f32>], s1: &[f32], mut row: impl FnMut(&[f32])) {
    let n = x1.len();
    let p: Vec<f32> = s1.iter().map(|&s| sigmoid(s)).collect();
    let words: Vec<f32> = x1.iter().map(|x| x[1].exp() - 1.0).collect();
    let content_mass: Vec<f32> = (0..n).map(|k| (1.0 - p[k]) * words[k]).collect();
    let total: f32 = content_mass.iter().sum::<f32>().max(1.0);
    let mean = |k: usize, r: usize| {
        let lo = k.saturating_sub(r);
        let hi = (k + r + 1).min(n);
        let (mut s, mut c) = (0.0, 0.0);
        for j in lo..hi {
            if j != k {
                s += p[j];
                c += 1.0;
            }
        }
        if c > 0.0 { s / c } else { 0.5 }
    };
    let mut before = 0.0f32;
    let mut x = Vec::with_capacity(FEATURES1.len() + FEATURES2.len());
    for k in 0..n {
        x.clear();
        x.extend_from_slice(&x1[k]);
        x.push(s1[k].clamp(-10.0, 10.0) / 5.0);
        x.push(mean(k, 1));
        x.push(mean(k, 3));
        x.push(mean(k, 8));
        x.push(before / total);
        x.push((total - before - content_mass[k]).max(0.0) / total);
        let lo = k.saturating_sub(2);
        let hi = (k + 3).min(n);
        x.push(
            (lo..hi)
                .filter(|&j| j != k)
                .map(|j| p[j])
                .fold(0.0, f32::max),
        );
        x.push(if k > 0 { p[k - 1] } else { 1.0 });
        x.push(if k + 1 < n { p[k + 1] } else { 1.0 });
        let mb = before / total;
        let ma = (total - before - content_mass[k]).max(0.0) / total;
        push_onehot(&mut x, words[k], &[1.5, 2.5, 4.5, 7.5, 12.5, 20.5, 35.5]);
        push_onehot(&mut x, p[k], &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
        let mass_edges = [0.02, 0.1, 0.3, 0.7, 0.9, 0.98];
        push_onehot(&mut x, mb, &mass_edges);
        push_onehot(&mut x, ma, &mass_edges);
        push_onehot(&mut x, mean(k, 3), &[0.2, 0.4, 0.6, 0.8]);
        x.push(x1[k][6] * (words[k] >= 10.0) as u8 as f32);
        x.push(x1[k][27] * x1[k][1]);
        x.push(x1[k][26] * x1[k][1]);
        before += content_mass[k];
        row(&x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn removed(rules: &Rules, text: &str) -> Vec<u32> {
        rules.removals(text).iter().map(|r| r.line_index).collect()
    }

    #[test]
    fn every_example_matches_its_rule() {
        let r = Rules::builtin();
        let mut norm = String::new();
        for file in RULE_FILES {
            for line in file
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            {
                let cols: Vec<&str> = line.split('\t').collect();
                assert_eq!(cols.len(), 3, "three columns: {line}");
                normalize_line(cols[2], &mut norm);
                let w = word_count(cols[2]);
                let hit = r.phrase_hit(&norm, w, ends_sentence(&norm));
                assert!(hit.is_some(), "example not matched: {line}");
            }
        }
    }

    #[test]
    fn wordpress_comment_form_removed_content_kept() {
        let r = Rules::builtin();
        let text = "Stalingrad was the turning point of the war, and critics leave a reply to every post about it in long letters to the editor.\n\
            Critics leave a reply to every post.\n\
            Leave a comment\nFiled under History\nLeave a Reply\n\
            Fill in your details below or click an icon to log in: Logo\n\
            You are commenting using your Twitter account. Log\u{a0}Out\u{a0}/\u{a0} Change\u{a0})\n\
            Twitter picture\nFacebook photo\nConnecting to %s";
        let rem = r.removals(text);
        let idx: Vec<u32> = rem.iter().map(|r| r.line_index).collect();
        assert_eq!(idx, vec![2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(rem[0].rule, "wp_leave_comment");
        assert_eq!(rem[1].rule, "wp_filed_under");
    }

    #[test]
    fn portuguese_comment_form() {
        let r = Rules::builtin();
        let text = "A batalha durou cinco meses e deixou um comentário amargo na história da guerra.\n\
            Deixe um comentário\n\
            Você está comentando utilizando sua conta Twitter. ( Sair / Alterar )\n\
            Conectando a %s";
        assert_eq!(removed(&r, text), vec![1, 2, 3]);
    }

    #[test]
    fn sentence_mentioning_twitter_or_comments_is_kept() {
        let r = Rules::builtin();
        let text = "The minister answered on Twitter within an hour, and 12 comments followed in the press.\n\
            Readers can leave a comment on Twitter or Facebook, the editor said in a statement.";
        assert!(removed(&r, text).is_empty());
    }

    #[test]
    fn counter_and_share_lines() {
        assert!(is_counter_line("12 comments", 2));
        assert!(is_counter_line("1.2k views", 3));
        assert!(is_counter_line("september 17, 2025 at 6:26 pm", 7));
        assert!(!is_counter_line("12 soldiers crossed the river in 1942", 7));
        let r = Rules::builtin();
        let mut n = String::new();
        normalize_line("Share 0", &mut n);
        assert!(
            r.phrase_hit(&n, 2, false)
                .is_some_and(|h| h.hard && h.name == "share_bar")
        );
        normalize_line(
            "Share your thoughts with the community before Friday.",
            &mut n,
        );
        assert!(r.phrase_hit(&n, 8, true).is_none());
    }

    #[test]
    fn cookie_and_javascript_notices_are_soft_hints() {
        let r = Rules::builtin();
        let mut n = String::new();
        normalize_line(
            "We use cookies to ensure that we give you the best experience on our website.",
            &mut n,
        );
        assert!(
            r.phrase_hit(&n, 15, true)
                .is_some_and(|h| h.name == "cookie_notice")
        );
        normalize_line("Please enable JavaScript in your browser.", &mut n);
        assert!(
            r.phrase_hit(&n, 6, true)
                .is_some_and(|h| h.name == "c4_javascript")
        );
        // A line about JavaScript itself is no notice.
        normalize_line(
            "JavaScript is a programming language used on most websites.",
            &mut n,
        );
        assert!(r.phrase_hit(&n, 9, true).is_none());
        normalize_line("Grandma's cookies use butter, not margarine.", &mut n);
        assert!(r.phrase_hit(&n, 7, true).is_none());
    }

    #[test]
    fn filed_under_needs_a_short_line() {
        let r = Rules::builtin();
        let mut n = String::new();
        normalize_line("Filed under History", &mut n);
        assert!(r.phrase_hit(&n, 3, false).is_some_and(|h| h.hard));
        normalize_line(
            "Filed under pressure, the report reached the minister on the last day of June.",
            &mut n,
        );
        assert!(!r.phrase_hit(&n, 14, true).is_some_and(|h| h.hard));
    }

    #[test]
    fn trailing_menu_run_removed_with_corpus_counts() {
        use crate::linestats::LineStats;
        let body = "The river froze early that winter, and the supply lines across the ice held for weeks while the city waited.\n\
            Soldiers on both banks wrote letters that survive in the archives, describing the cold and the hunger in detail.\n\
            The offensive began on the nineteenth of November and closed the ring around the army within four days.";
        let footer = "About Us\nCareers\nPress Room\nOur Newsletter\nGift Cards";
        let mut stats = LineStats::new();
        for i in 0..4 {
            stats.add_document(
                "example.org",
                &format!("Story {i} opens with a different sentence about the city.\n{footer}"),
            );
        }
        let text = format!("{body}\n{footer}");
        stats.add_document("example.org", &text);
        let rep = stats.finish();
        let r = Rules::builtin();
        let rem = r.removals_in(&text, "example.org", Some(&rep));
        let idx: Vec<u32> = rem.iter().map(|r| r.line_index).collect();
        assert_eq!(idx, vec![3, 4, 5, 6, 7]);
        assert!(rem.iter().any(|r| r.doc_freq == Some(5)));
        let kept = Rules::with_config(Config {
            keep_rules: vec!["page_footer".into()],
            ..Config::default()
        });
        assert!(
            kept.removals_in(&text, "example.org", Some(&rep))
                .iter()
                .all(|r| r.rule != "page_footer")
        );
    }

    #[test]
    fn keep_comments_keeps_reader_text() {
        let text = "The station opened in 1932 and was rebuilt after the war with a new steel roof over the platforms.\n\
            The architects kept the original clock, which still runs four minutes fast, as every commuter knows.\n\
            3 Comments\n\
            Maria September 17, 2025 at 6:26 pm\n\
            I took this train every day for ten years and never noticed the clock was wrong, thanks for the story!\n\
            Reply\n\
            Leave a Reply Cancel reply";
        let r = Rules::with_config(Config {
            keep_comments: true,
            ..Config::default()
        });
        let idx: Vec<u32> = r.removals(text).iter().map(|r| r.line_index).collect();
        assert!(!idx.contains(&4), "{idx:?}");
        assert!(
            idx.contains(&2) && idx.contains(&5) && idx.contains(&6),
            "{idx:?}"
        );
    }
}
