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
use std::hash::{BuildHasherDefault, Hasher};

use memchr::memmem::{self, Finder};

use std::sync::LazyLock;

use crate::linestats::{KeyHasher, RepeatedLines, fold_line, folded_line_key, split_lines};

mod forest;
use forest::{Forest, TREE_BLOCK};

const RULE_FILES: [&str; 28] = [
    include_str!("data/boilerplate/eng.tsv"),
    include_str!("data/boilerplate/por.tsv"),
    include_str!("data/boilerplate/spa.tsv"),
    include_str!("data/boilerplate/fra.tsv"),
    include_str!("data/boilerplate/deu.tsv"),
    include_str!("data/boilerplate/ita.tsv"),
    include_str!("data/boilerplate/nld.tsv"),
    include_str!("data/boilerplate/swe.tsv"),
    include_str!("data/boilerplate/dan.tsv"),
    include_str!("data/boilerplate/nob.tsv"),
    include_str!("data/boilerplate/fin.tsv"),
    include_str!("data/boilerplate/pol.tsv"),
    include_str!("data/boilerplate/ces.tsv"),
    include_str!("data/boilerplate/rus.tsv"),
    include_str!("data/boilerplate/tur.tsv"),
    include_str!("data/boilerplate/ron.tsv"),
    include_str!("data/boilerplate/cat.tsv"),
    include_str!("data/boilerplate/ind.tsv"),
    include_str!("data/boilerplate/ell.tsv"),
    include_str!("data/boilerplate/hun.tsv"),
    include_str!("data/boilerplate/ukr.tsv"),
    include_str!("data/boilerplate/slk.tsv"),
    include_str!("data/boilerplate/vie.tsv"),
    include_str!("data/boilerplate/jpn.tsv"),
    include_str!("data/boilerplate/zho.tsv"),
    include_str!("data/boilerplate/kor.tsv"),
    include_str!("data/boilerplate/ara.tsv"),
    include_str!("data/boilerplate/heb.tsv"),
];
// One bit per rule file in [`CounterWords`].
const _: () = assert!(RULE_FILES.len() <= 32);
const MODEL_FILE: &str = include_str!("data/boilerplate/model.tsv");
/// Gradient-boosted trees on the linear model's context rows (`scripts/train_boilerplate_trees.py`).
const TREES_FILE: &str = include_str!("data/boilerplate/trees.tsv");

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
/// Name of the rule for lines without a word (`|`, `•`, `---`) among removed lines.
pub const RULE_PUNCT: &str = "punctuation_only";
/// Rule-file name of the patterns of a reader comment's byline ("NAME says:", "by NAME
/// writes:"): they remove nothing themselves, they mark where comments start for the trees
/// ([`FEATURES3`]). `--keep-comments` still keys on the comment-section phrases: a date line
/// or a "says:" also stands above articles and product lists, which it would then keep.
const COMMENT_BYLINE: &str = "comment_byline";
/// Rule-file name of the words a counter or date line may be made of besides numbers ("views",
/// "março", "vor", "il y a"): they remove nothing themselves, [`RULE_COUNTER`] and the line
/// model read them.
const COUNTER_WORD: &str = "counter_word";
/// Words above which a line is no comment byline or header: those are a name and a date.
const COMMENT_HEADER_MAX_WORDS: u32 = 14;
/// Words from which a line ending in sentence punctuation above the comment form is guarded
/// (needs the guard threshold to go): the last sentences of a text, not a "Like this:".
const GUARDED_SENTENCE_WORDS: u32 = 5;

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
    /// The first eight bytes (at most) of the leading literal and the mask of those bytes, for
    /// a compare with a line's [`head_of`] before the literal's (0 and 0 without one).
    head: u64,
    head_mask: u64,
}

/// The first eight bytes of `s` as a little-endian `u64`, zeros past its end.
fn head_of(s: &[u8]) -> u64 {
    let mut bytes = [0u8; 8];
    let n = s.len().min(8);
    bytes[..n].copy_from_slice(&s[..n]);
    u64::from_le_bytes(bytes)
}

impl Pattern {
    /// Whether the pattern matches the whole of `norm`. A pattern that ends in a literal needs
    /// the line to end with it, which a compare of a few bytes rules out for most lines before
    /// the searcher runs.
    fn matches(&self, norm: &str) -> bool {
        if !self.trail_any
            && let Some(Tok::Lit(last)) = self.toks.last()
            && !norm.ends_with(last.as_str())
        {
            return false;
        }
        self.finder.find(norm.as_bytes()).is_some() && glob(&self.toks, norm)
    }
}

/// A phrase-rule hit on one line.
#[derive(Clone, Copy, Debug)]
struct Hit {
    name: &'static str,
    hard: bool,
}

/// A page's line facts and model probabilities ([`Rules::score_page`]).
#[derive(Debug, Clone)]
pub struct ScoredPage {
    infos: Vec<LineInfo>,
    x1: Vec<f32>,
    p2: Vec<f32>,
}

/// The rule set, built once and shared by all workers.
#[derive(Debug)]
pub struct Rules {
    patterns: Vec<Pattern>,
    /// Whole-line patterns by the [`folded_line_key`] of their text (checked for equality).
    exact: HashMap<u64, usize, BuildHasherDefault<KeyHasher>>,
    /// Patterns starting with a literal, by the literal's first byte.
    by_first: Vec<Vec<usize>>,
    loose: Vec<usize>,
    /// The key literal of every `loose` pattern ([`LOOSE`]) and the copyright ([`COPYRIGHT`])
    /// and URL ([`URL`]) literals: most lines contain none, and one pass over a line replaces
    /// a search per literal.
    literals: LiteralSet,
    /// The [`COMMENT_BYLINE`] patterns of every language.
    bylines: Vec<Pattern>,
    /// Whether every byline pattern has a colon ("says:", "at 4:12 pm"), so that most lines
    /// need no matching.
    bylines_need_colon: bool,
    /// The words of counter and date lines, by language ([`is_counter_line`]).
    counter_words: CounterWords,
    /// Line model weights: stage 1 ([`FEATURES1`]), then the context stages
    /// ([`FEATURES1`] + [`FEATURES2`]), each fed the previous stage's logits.
    stages: Vec<Vec<f32>>,
    /// Tree stages after the linear ones, each fed the context row of the previous stage's
    /// logits ([`FEATURES1`] + [`FEATURES2`]).
    forests: Vec<Forest>,
    /// The word weights the first forest reads.
    lexicon: Lexicon,
    threshold: f32,
    soft_threshold: f32,
    guard_threshold: f32,
    /// The line model's threshold for a short line between two lines of running text it keeps
    /// ([`Rules::sandwiched`]): a subheading, a caption or a pull quote more often than not.
    sandwich_threshold: f32,
    /// The line model's threshold for a long line of running text ([`LineInfo::prose_like`]).
    prose_threshold: f32,
    /// How much of the mean tree logit of the lines just above and below is added to a line's
    /// own ([`lean_on_neighbours`]); 0 for none.
    neighbour_weight: f32,
    /// Lines whose linear logit is further from 0 than this keep it: the trees are not walked
    /// for them ([`forest_logits`]).
    linear_sure_logit: f32,
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
    let mut chars = pat.chars().peekable();
    while let Some(c) = chars.next() {
        // `\*` and `\#` are the characters themselves: WordPress ends its form notice with a
        // literal `*` ("Required fields are marked *"), which a wildcard would make a mere hint.
        if c == '\\'
            && let Some(&escaped) = chars.peek()
            && (escaped == '*' || escaped == '#')
        {
            lit.push(escaped);
            chars.next();
        } else if c == '*' || c == '#' {
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
        if let [.., Tok::Lit(l), Tok::Any] = toks.as_mut_slice()
            && l.len() > 1
            && l.ends_with(' ')
        {
            l.pop();
        }
        if let [Tok::Any, Tok::Lit(l), ..] = toks.as_mut_slice()
            && l.len() > 1
            && l.starts_with(' ')
        {
            l.remove(0);
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

/// [`LiteralSet`] group of the loose phrase patterns' key literals.
const LOOSE: u8 = 1;
/// [`LiteralSet`] group of the copyright literals.
const COPYRIGHT: u8 = 2;
/// [`LiteralSet`] group of the URL literals.
const URL: u8 = 4;

/// Literals in groups, found by one pass over a line that looks at every second position
/// only: the three bytes there are hashed into a table of the three bytes at the first and at
/// the second position of each literal, so that each occurrence of a literal of four bytes or
/// more has one of its two trigrams at a position looked at. Only a position whose hash is
/// taken is compared with its literals. A literal shorter than four bytes is searched for on
/// its own; an empty one is in every line.
#[derive(Debug)]
struct LiteralSet {
    literals: Vec<(Vec<u8>, u8)>,
    /// Whether a hash is taken.
    taken: [bool; 1 << LITERAL_HASH_BITS],
    /// Per hash, the literals with a trigram of that hash and the trigram's offset in them.
    by_hash: Vec<Vec<(u16, u8)>>,
    short: Vec<(Finder<'static>, u8)>,
    /// Groups with an empty literal.
    everywhere: u8,
    groups: u8,
}

const LITERAL_HASH_BITS: u32 = 12;

/// Bytes a literal needs to be found by its trigrams: two of them.
const TRIGRAM_LITERAL_MIN: usize = 4;

impl Default for LiteralSet {
    fn default() -> Self {
        LiteralSet {
            literals: Vec::new(),
            taken: [false; 1 << LITERAL_HASH_BITS],
            by_hash: vec![Vec::new(); 1 << LITERAL_HASH_BITS],
            short: Vec::new(),
            everywhere: 0,
            groups: 0,
        }
    }
}

/// The hash of the three bytes that start `bytes` (at least three).
fn trigram_hash(bytes: &[u8]) -> usize {
    // One load of four bytes where there are four.
    let trigram = match bytes.first_chunk::<4>() {
        Some(&quad) => u32::from_le_bytes(quad) & 0x00ff_ffff,
        None => u32::from_le_bytes([bytes[0], bytes[1], bytes[2], 0]),
    };
    (trigram.wrapping_mul(0x9E37_79B1) >> (32 - LITERAL_HASH_BITS)) as usize
}

impl LiteralSet {
    fn add(&mut self, literal: &str, group: u8) {
        self.groups |= group;
        let bytes = literal.as_bytes();
        if bytes.is_empty() {
            self.everywhere |= group;
        } else if bytes.len() >= TRIGRAM_LITERAL_MIN && self.literals.len() < u16::MAX as usize {
            let k = self.literals.len() as u16;
            for offset in 0..2 {
                let h = trigram_hash(&bytes[offset..]);
                self.taken[h] = true;
                self.by_hash[h].push((k, offset as u8));
            }
            self.literals.push((bytes.to_vec(), group));
        } else {
            self.short.push((Finder::new(bytes).into_owned(), group));
        }
    }

    /// The groups of the literals `hay` contains.
    fn groups_in(&self, hay: &[u8]) -> u8 {
        let mut found = self.everywhere;
        for (finder, group) in &self.short {
            if found & group == 0 && finder.find(hay).is_some() {
                found |= group;
            }
        }
        let mut at = 0;
        while at + 3 <= hay.len() {
            let h = trigram_hash(&hay[at..]);
            if self.taken[h] {
                for &(k, offset) in &self.by_hash[h] {
                    let (literal, group) = &self.literals[k as usize];
                    if found & group == 0
                        && let Some(start) = at.checked_sub(offset as usize)
                        && hay[start..].starts_with(literal)
                    {
                        found |= group;
                    }
                }
                if found == self.groups {
                    break;
                }
            }
            at += 2;
        }
        found
    }
}

/// Per-line facts shared by the features and the decisions.
#[derive(Clone, Copy, Debug, Default)]
struct LineInfo {
    idx: u32,
    words: u32,
    end_punct: bool,
    hit: Option<Hit>,
    counter: bool,
    key: u64,
    site_df: u32,
    all_df: u32,
    chars: CharStats,
    /// Facts of the normalized line the stage-1 features use, kept so it is normalized once.
    norm_colon: bool,
    copyright: bool,
    url_or_email: bool,
    starts_digit: bool,
    ellipsis_end: bool,
    title_match: bool,
    /// A reader comment's byline ([`Rules::is_byline`]) or a date line whose shape recurs on
    /// the page ([`comment_headers`]).
    comment_head: bool,
    /// Hash of the line's shape ([`line_shape`]), 0 for a line too long to be furniture.
    shape: u32,
    /// Lines of the page with the same [`LineInfo::shape`], this one included (0 for none).
    shape_count: u32,
    /// The line spells the main label of the site's host ([`names_site`]).
    site_named: bool,
    /// The line's word hashes ([`push_word_hashes`], [`word_hashes_and_shape`]) in the page's
    /// hash buffer.
    hashes_from: u32,
    hashes_to: u32,
}

impl LineInfo {
    /// A long line of running text (few capitals and separators) that only lacks its final
    /// punctuation: what a menu or a tag list never looks like.
    fn prose_like(&self) -> bool {
        let c = &self.chars;
        self.words >= 12
            && !self.end_punct
            && self.hit.is_none()
            && c.upper_words * 3 <= self.words
            && c.seps * 10 <= self.words
    }
}

/// Character classes of a raw line, counted in one pass.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct CharStats {
    /// `\w+` runs, the way the scorer weighs lines.
    words: u32,
    alnum: u32,
    digits: u32,
    letters: u32,
    uppers: u32,
    /// Words (alphanumeric runs) starting with a capital.
    upper_words: u32,
    /// Menu and breadcrumb separators (`|`, `»`, `›`, `·`, `•`, `/`, `>`).
    seps: u32,
    /// Characters of code and markup (`;`, `{`, `}`, `=`, `(`, `<`).
    code: u32,
    copyright_sign: bool,
    at_sign: bool,
}

const C_WORD: u8 = 1;
const C_DIGIT: u8 = 2;
const C_ALPHA: u8 = 4;
const C_UPPER: u8 = 8;
const C_SEP: u8 = 16;
const C_CODE: u8 = 32;
const C_UNDERSCORE: u8 = 64;
const C_AT: u8 = 128;

/// The class of an ASCII byte, so the common case needs no Unicode table.
const fn ascii_class(c: u8) -> u8 {
    if c.is_ascii_digit() {
        C_WORD | C_DIGIT
    } else if c.is_ascii_uppercase() {
        C_WORD | C_ALPHA | C_UPPER
    } else if c.is_ascii_lowercase() {
        C_WORD | C_ALPHA
    } else if c == b'_' {
        C_UNDERSCORE
    } else if c == b'@' {
        C_AT
    } else if matches!(c, b'|' | b'/' | b'>') {
        C_SEP
    } else if matches!(c, b';' | b'{' | b'}' | b'=' | b'(' | b'<') {
        C_CODE
    } else {
        0
    }
}

/// The word, letter and capital classes of a character, from the Unicode tables.
fn letter_class(c: char) -> u8 {
    let mut class = 0;
    if c.is_alphanumeric() {
        class |= C_WORD;
        if c.is_alphabetic() {
            class |= C_ALPHA;
            if c.is_uppercase() {
                class |= C_UPPER;
            }
        }
    }
    class
}

/// [`letter_class`] of the Latin characters below U+0250 (accented letters of the European
/// languages), looked up instead of searched for in the Unicode tables.
static LATIN_CLASS: LazyLock<[u8; 0x250]> =
    LazyLock::new(|| std::array::from_fn(|cp| char::from_u32(cp as u32).map_or(0, letter_class)));

/// [`CharStats`] counts are summed in lanes of this many bits of one `u64`, one lane per count
/// (the `CS_*` lanes), so that an ASCII byte costs one table load and one add rather than a
/// test and an add per count; the lanes are emptied into the counts every
/// [`LANE_MAX_CHARS`] characters, before one can overflow.
const LANE_BITS: u32 = 7;
const LANE_MAX_CHARS: usize = (1 << LANE_BITS) - 1;
const CS_WORDS: u32 = 0;
const CS_ALNUM: u32 = 1;
const CS_DIGITS: u32 = 2;
const CS_LETTERS: u32 = 3;
const CS_UPPERS: u32 = 4;
const CS_UPPER_WORDS: u32 = 5;
const CS_SEPS: u32 = 6;
const CS_CODE: u32 = 7;
const CS_AT: u32 = 8;

/// Where a character stands: bit 0 inside a `\w` run, bit 1 inside an alphanumeric run.
const fn run_state(class: u8) -> u8 {
    let word = class & C_WORD != 0;
    let scored = word || class & C_UNDERSCORE != 0;
    scored as u8 | (word as u8) << 1
}

/// What a character of `class` adds to the [`CharStats`] lanes after a character whose
/// [`run_state`] is `before`: a word starts where a run does.
const fn char_lanes(class: u8, before: u8) -> u64 {
    let word = class & C_WORD != 0;
    let scored = word || class & C_UNDERSCORE != 0;
    let letter = word && class & C_ALPHA != 0;
    let upper = letter && class & C_UPPER != 0;
    lane(scored && before & 1 == 0, CS_WORDS)
        | lane(word, CS_ALNUM)
        | lane(word && class & C_DIGIT != 0, CS_DIGITS)
        | lane(letter, CS_LETTERS)
        | lane(upper, CS_UPPERS)
        | lane(upper && before & 2 == 0, CS_UPPER_WORDS)
        | lane(class & C_SEP != 0, CS_SEPS)
        | lane(class & C_CODE != 0, CS_CODE)
        | lane(class & C_AT != 0, CS_AT)
}

/// 1 in `lane` if `on`.
const fn lane(on: bool, lane: u32) -> u64 {
    (on as u64) << (lane * LANE_BITS)
}

/// [`char_lanes`] of every ASCII byte after every [`run_state`], at `before << 7 | byte`.
static ASCII_LANES: [u64; 4 * 128] = {
    let mut t = [0u64; 4 * 128];
    let mut k = 0;
    while k < t.len() {
        t[k] = char_lanes(ascii_class((k & 127) as u8), (k >> 7) as u8);
        k += 1;
    }
    t
};

/// [`run_state`] of every ASCII byte.
static ASCII_RUN_STATE: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = run_state(ascii_class(b as u8));
        b += 1;
    }
    t
};

impl CharStats {
    fn of(line: &str) -> CharStats {
        let mut s = CharStats::default();
        let bytes = line.as_bytes();
        let latin = &*LATIN_CLASS;
        let mut state = 0u8;
        let mut ats = 0u32;
        let mut i = 0;
        while i < bytes.len() {
            // Each character adds at most 1 to a lane.
            let round_end = (i + LANE_MAX_CHARS).min(bytes.len());
            let mut lanes = 0u64;
            while i < round_end {
                let b = bytes[i];
                if b < 0x80 {
                    lanes += ASCII_LANES[(state as usize) << 7 | b as usize];
                    state = ASCII_RUN_STATE[b as usize];
                    i += 1;
                    continue;
                }
                let Some(c) = line[i..].chars().next() else {
                    i = bytes.len();
                    break;
                };
                i += c.len_utf8();
                let mut class = match latin.get(c as usize) {
                    Some(&class) => class,
                    None => letter_class(c),
                };
                match c {
                    '»' | '›' | '·' | '•' => class |= C_SEP,
                    '©' => s.copyright_sign = true,
                    _ => {}
                }
                lanes += char_lanes(class, state);
                state = run_state(class);
            }
            let lane = |l: u32| (lanes >> (l * LANE_BITS)) as u32 & LANE_MAX_CHARS as u32;
            s.words += lane(CS_WORDS);
            s.alnum += lane(CS_ALNUM);
            s.digits += lane(CS_DIGITS);
            s.letters += lane(CS_LETTERS);
            s.uppers += lane(CS_UPPERS);
            s.upper_words += lane(CS_UPPER_WORDS);
            s.seps += lane(CS_SEPS);
            s.code += lane(CS_CODE);
            ats += lane(CS_AT);
        }
        s.at_sign = ats > 0;
        s
    }

    /// [`CharStats::of`] a character at a time, a test per count: the definition the lanes
    /// must agree with.
    #[cfg(test)]
    fn of_by_char(line: &str) -> CharStats {
        let mut s = CharStats::default();
        let (mut in_word, mut in_scored) = (false, false);
        for c in line.chars() {
            let mut class = if c.is_ascii() {
                ascii_class(c as u8)
            } else {
                letter_class(c)
            };
            match c {
                '»' | '›' | '·' | '•' => class |= C_SEP,
                '©' => s.copyright_sign = true,
                _ => {}
            }
            let word = class & C_WORD != 0;
            let scored = word || class & C_UNDERSCORE != 0;
            s.words += (scored && !in_scored) as u32;
            in_scored = scored;
            if word {
                s.alnum += 1;
                s.digits += (class & C_DIGIT != 0) as u32;
                if class & C_ALPHA != 0 {
                    s.letters += 1;
                    if class & C_UPPER != 0 {
                        s.uppers += 1;
                        s.upper_words += !in_word as u32;
                    }
                }
            }
            in_word = word;
            s.seps += (class & C_SEP != 0) as u32;
            s.code += (class & C_CODE != 0) as u32;
            s.at_sign |= class & C_AT != 0;
        }
        s
    }
}

/// Adds the lines without a word (rules, bullets, lone `|` or `»`) that sit between removed
/// lines, or between a removed line and the page's edge: left alone they would survive as
/// litter in the kept text. Each takes the rule [`RULE_PUNCT`]. `worded` are the lines with a
/// word, in order, which [`Rules::analyse`] has already found.
fn with_punctuation_lines(text: &str, removed: Vec<Removal>, worded: &[LineInfo]) -> Vec<Removal> {
    let mut out = Vec::with_capacity(removed.len());
    let mut next = removed.iter().peekable();
    // Word-less non-blank lines seen since the last line with words, and whether that line
    // (or the page start) was removed.
    let mut pending: Vec<u32> = Vec::new();
    let mut prev_removed = true;
    let mut worded = worded.iter().map(|i| i.idx).peekable();
    for (idx, line) in split_lines(text).enumerate() {
        let idx = idx as u32;
        let has_word = worded.next_if_eq(&idx).is_some();
        if next.peek().is_some_and(|r| r.line_index == idx) {
            if prev_removed {
                out.extend(pending.drain(..).map(|line_index| Removal {
                    line_index,
                    rule: RULE_PUNCT,
                    doc_freq: None,
                }));
            }
            pending.clear();
            out.extend(next.next().cloned());
            prev_removed = true;
        } else if has_word {
            pending.clear();
            prev_removed = false;
        } else if !line.trim().is_empty() {
            pending.push(idx);
        }
    }
    if prev_removed {
        out.extend(pending.drain(..).map(|line_index| Removal {
            line_index,
            rule: RULE_PUNCT,
            doc_freq: None,
        }));
    }
    out
}

/// Counts `\w+` runs, the way the scorer weighs lines ([`CharStats::words`] in one pass).
#[cfg(test)]
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

/// The [`COUNTER_WORD`] rows of every language: each word with the set of languages (rule
/// files, one bit each) that list it, sorted for lookup.
#[derive(Debug, Default)]
struct CounterWords(Vec<(Box<str>, u32)>);

impl CounterWords {
    fn insert(&mut self, word: &str, language: usize) {
        let bit = 1 << language;
        match self.0.binary_search_by(|(w, _)| (**w).cmp(word)) {
            Ok(at) => self.0[at].1 |= bit,
            Err(at) => self.0.insert(at, (word.into(), bit)),
        }
    }

    /// The languages that list `word`, none when no language does.
    fn languages(&self, word: &str) -> u32 {
        self.0
            .binary_search_by(|(w, _)| (**w).cmp(word))
            .map_or(0, |at| self.0[at].1)
    }
}

/// A line made of numbers, dates, times and counter words only ("12 Comments", "Share 0",
/// "1.2K views", "September 17, 2025 at 6:26 pm", "há 3 dias"), with at least one number.
/// Its words must all be of one language's [`COUNTER_WORD`] rows: the union of the languages'
/// rows would make English lines such as "4.7 out of 5" ("out", Portuguese for October) or
/// "Published a day ago" counter lines by accident.
fn is_counter_line(norm: &str, words: u32, counter_words: &CounterWords) -> bool {
    if words == 0 || words > 8 || !norm.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut languages = u32::MAX;
    for t in norm
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
    {
        let number = num_len(t) == t.len()
            || t.bytes()
                .all(|b| b.is_ascii_digit() || b == b'k' || b == b'm')
            || (t.len() <= 4 && t.bytes().take_while(|b| b.is_ascii_digit()).count() > 0);
        if !number {
            languages &= counter_words.languages(t);
            if languages == 0 {
                return false;
            }
        }
    }
    true
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
    "title_match",
    "before_title",
    "first_line",
    "log_short_run",
    "short_run_ge6",
    "in_main_block",
    "log_before_block",
    "log_after_block",
    "block_share",
    "words_after_block",
    "log_dist_title",
    "log_hits_before",
    "log_hits_after",
    "log_words_since_hit",
    "len_rel_max",
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

/// Names of the tree-only features, after [`FEATURES1`] and [`FEATURES2`] in a tree row
/// ([`Rules::tree_rows`]): how a line's vocabulary and neighbourhood cohere with what the
/// linear stages are sure is the page's content. The linear stages never see them.
pub const FEATURES3: &[&str] = &[
    // Share of the line's words that other confident content lines (linear p < 0.2) contain.
    "v_content",
    // The same for words of six bytes or more, which function words rarely are.
    "v_content_long",
    // ln(1 + number of such words).
    "v_content_n",
    // Share of the line's words in the other lines of the main block.
    "v_block",
    // Share of the line's words in the first line (the page title, mostly).
    "v_title",
    // ln(1 + distinct words of the confident content lines) / 10.
    "v_vocab",
    // The segment of the line: the run of consecutive lines on its side of p = 0.5 of the
    // linear stages (length, words, the neighbouring segments' mean p, position in it; its
    // own mean p, which the trees had from s1_logit, did worse held out).
    "seg_len",
    "seg_words",
    "seg_prev_p",
    "seg_next_p",
    "seg_pos",
    // Linear p of the nearest line of 15 words or more above and below (-1 when none), and
    // ln(1 + the distance in lines) (-1 when none).
    "long_above_p",
    "long_below_p",
    "long_above_dist",
    "long_below_dist",
    // Reader comments: the line is a comment header (a byline, "NAME says:", or a recurring
    // date line, [`LineInfo::comment_head`]); ln(1 + headers above) and below; ln(1 + the
    // distance in lines to the nearest header above and below, -1 when none).
    "c_head",
    "c_heads_above",
    "c_heads_below",
    "c_dist_above",
    "c_dist_below",
    // Share of the page's content words (linear p < 0.5) above the first header, -1 without
    // one: comments follow an article, the posts of a forum thread are the page.
    "c_content_before",
    // ln(1 + other short lines of the page with the line's shape, [`line_shape`]): furniture
    // repeats per comment or item, with other names and numbers in it.
    "shape_repeat",
    // The line names the site: it spells the main label of the host ([`site_label`]) in its
    // letters, "© ScratchCulinary 2020" on www.scratchculinary.com (footers, bios, blurbs).
    "site_named",
    // The learned word weights of the line ([`Lexicon::features`]): mean, max, min, first
    // word's, share above 1, share known.
    "lx_mean",
    "lx_max",
    "lx_min",
    "lx_first",
    "lx_high",
    "lx_known",
    // The same over the line's pairs of consecutive words ([`Lexicon::features`]): mean,
    // max, share known. "Leave a comment" and "comment below" weigh a phrase, not its words.
    "bg_mean",
    "bg_max",
    "bg_known",
];

/// Number of tree-only features.
const D3: usize = FEATURES3.len();

/// The index of `name` in [`FEATURES3`], at compile time: a name not in the list fails the
/// build.
const fn feature3(name: &str) -> usize {
    let mut i = 0;
    while i < FEATURES3.len() {
        let (a, b) = (FEATURES3[i].as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return i;
            }
        }
        i += 1;
    }
    panic!("not a tree-only feature name");
}

/// The tree-only features [`tree_features`] fills in a second, backward pass over the page.
const LONG_BELOW_P: usize = feature3("long_below_p");
const LONG_BELOW_DIST: usize = feature3("long_below_dist");
const C_DIST_BELOW: usize = feature3("c_dist_below");

/// Appends the hashes of the words of three bytes or more of a [`fold_line`]d line (runs of
/// ASCII letters and digits and of non-ASCII bytes) to `out`, FNV-1a over the bytes with the
/// top bit of the length-six-or-more words set; never 0, the empty slot of [`VocabTable`].
#[cfg(test)]
fn push_word_hashes(norm: &[u8], out: &mut Vec<u32>) {
    out.extend(counted_words(norm).map(word_hash));
}

/// The words of a folded line that the page vocabulary and the [`Lexicon`] count: runs of
/// ASCII letters and digits or of non-ASCII bytes (whole characters), of three bytes or more.
fn counted_words(norm: &[u8]) -> impl Iterator<Item = &[u8]> {
    norm.split(|&b| !(b.is_ascii_alphanumeric() || b >= 0x80))
        .filter(|w| w.len() >= 3)
}

/// A word's 31-bit FNV-1a hash, never 0, with the top bit set for words of six bytes or more.
fn word_hash(word: &[u8]) -> u32 {
    finish_word_hash(
        word.iter().fold(FNV_START, |h, &b| fnv_mix(h, b)),
        word.len(),
    )
}

/// Learned word weights: for each word, and for each pair of consecutive words, the log-odds of
/// a line holding it being boilerplate rather than content, counted in distinct training sites
/// (`scripts/train_boilerplate_trees.py` writes them as `lex` and `lex2` rows of `trees.tsv`,
/// beside the trees that read them). A word or pair the lexicon does not hold weighs 0.
#[derive(Debug, Clone, Default)]
struct Lexicon {
    words: HashMap<u32, f32, BuildHasherDefault<KeyHasher>>,
    pairs: HashMap<u64, f32, BuildHasherDefault<PairHasher>>,
}

/// Hashes [`pair_key`]s. [`KeyHasher`]'s one multiplication leaves the low bits of the hash,
/// which pick a key's slot in the table, to the low bits of the key alone, the second word's:
/// every pair ending in one word ("of the", "in the") had the same first slot, and a lookup
/// probed 15 groups of slots on average. Folding the product's high half, which every bit of
/// the key reaches, into its low half spreads them by the first word too.
#[derive(Default)]
struct PairHasher(u64);

impl Hasher for PairHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        let product = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        self.0 = product ^ (product >> 32);
    }
}

/// The key of two consecutive word hashes in [`Lexicon::pairs`].
fn pair_key(first: u32, second: u32) -> u64 {
    (first as u64) << 32 | second as u64
}

impl Lexicon {
    fn insert(&mut self, word: &str, weight: f32) {
        if let Some(w) = counted_words(word.as_bytes()).next() {
            self.words.insert(word_hash(w), weight);
        }
    }

    /// Adds the weight of `pair`, two words apart by a space.
    fn insert_pair(&mut self, pair: &str, weight: f32) {
        let mut words = counted_words(pair.as_bytes()).map(word_hash);
        if let (Some(a), Some(b), None) = (words.next(), words.next(), words.next()) {
            self.pairs.insert(pair_key(a, b), weight);
        }
    }

    /// The `lx_*` and `bg_*` features of a line from its word hashes. `lx_*`: mean, max and min
    /// weight of its words, the first word's, the share above 1 and the share the lexicon
    /// holds; `bg_*`: mean and max weight of its pairs of consecutive words and the share held
    /// (all 0 without words or pairs). A pair is looked up only between two known words: the
    /// lexicon holds no other ([`Lexicon::drop_pairs_of_unknown_words`]).
    fn features(&self, hashes: &[u32]) -> ([f32; 6], [f32; 3]) {
        let (mut words, mut pairs) = (Weights::default(), Weights::default());
        let mut previous: Option<(u32, bool)> = None;
        for &h in hashes {
            let w = self.words.get(&h).copied();
            words.add(w);
            if let Some((p, p_known)) = previous {
                pairs.add(if p_known && w.is_some() {
                    self.pairs.get(&pair_key(p, h)).copied()
                } else {
                    None
                });
            }
            previous = Some((h, w.is_some()));
        }
        let pairs = pairs.finish();
        (words.finish(), [pairs[0], pairs[1], pairs[5]])
    }

    /// Removes the pairs of which a word is not in the lexicon, which [`Lexicon::features`]
    /// never looks up. A pair is in no more training sites than either of its words, so the
    /// script never writes one.
    fn drop_pairs_of_unknown_words(&mut self) {
        let words = &self.words;
        self.pairs.retain(|&key, _| {
            words.contains_key(&((key >> 32) as u32)) && words.contains_key(&(key as u32))
        });
    }
}

/// Running statistics of a line's weights (a missing one weighs 0): mean, max, min, the first
/// one, the share above 1 and the share present; all 0 when there are none.
#[derive(Default)]
struct Weights {
    n: u32,
    sum: f64,
    max: f32,
    min: f32,
    first: f32,
    above_one: u32,
    known: u32,
}

impl Weights {
    fn add(&mut self, weight: Option<f32>) {
        self.known += weight.is_some() as u32;
        let w = weight.unwrap_or(0.0);
        if self.n == 0 {
            (self.max, self.min, self.first) = (w, w, w);
        }
        self.n += 1;
        self.sum += w as f64;
        self.max = self.max.max(w);
        self.min = self.min.min(w);
        self.above_one += (w > 1.0) as u32;
    }

    fn finish(&self) -> [f32; 6] {
        if self.n == 0 {
            return [0.0; 6];
        }
        let n = self.n as f64;
        [
            (self.sum / n) as f32,
            self.max,
            self.min,
            self.first,
            (self.above_one as f64 / n) as f32,
            (self.known as f64 / n) as f32,
        ]
    }
}

/// The tab-separated fields of a model row (`Rules::load_model`), without allocating: up to
/// five, and a sixth empty one standing for any more, so that a longer row matches no pattern.
/// The tabs are found by a byte loop: fields are a few bytes long, and the `memchr` call per
/// field behind `split` cost more than the bytes (a model file has some 70,000 rows, read at
/// every start).
fn model_fields(line: &str) -> ([&str; 6], usize) {
    let mut fields = [""; 6];
    let mut rest = line;
    for (n, field) in fields.iter_mut().enumerate().take(5) {
        match rest.bytes().position(|b| b == b'\t') {
            Some(tab) => {
                *field = &rest[..tab];
                rest = &rest[tab + 1..];
            }
            None => {
                *field = rest;
                return (fields, n + 1);
            }
        }
    }
    (fields, 6)
}

/// `text.parse::<f32>()`, read directly when it is a plain decimal of up to seven digits, as
/// the model files' 64,000 weights are: the general parser costs ~150 instructions each.
fn parse_f32(text: &str) -> Option<f32> {
    plain_decimal_f32(text).or_else(|| text.parse().ok())
}

/// `[-]digits.digits` (or `[-]digits`) with at most seven digits in all. The digits then make
/// an integer below 2^24 and the point a power of ten up to 10^7, both exact in `f32`, so one
/// correctly rounded division gives the `f32` nearest the decimal: what `parse` gives.
fn plain_decimal_f32(text: &str) -> Option<f32> {
    const POWERS: [f32; 8] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7];
    let (negative, bytes) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        bytes => (false, bytes),
    };
    // One pass: the digits as an integer, and how many of them come before the point.
    let (mut mantissa, mut digits, mut point) = (0u32, 0usize, None);
    for &byte in bytes {
        if byte.is_ascii_digit() {
            digits += 1;
            if digits > 7 {
                return None;
            }
            mantissa = mantissa * 10 + u32::from(byte - b'0');
        } else if byte == b'.' && point.is_none() {
            point = Some(digits);
        } else {
            return None;
        }
    }
    let fraction = match point {
        // Digits on both sides of the point, as model files write them.
        Some(whole) if whole > 0 && digits > whole => digits - whole,
        None if digits > 0 => 0,
        _ => return None,
    };
    let value = mantissa as f32 / POWERS[fraction];
    Some(if negative { -value } else { value })
}

/// The lines of a model file as [`str::lines`] gives them (a final `\n` ends the last line, a
/// `\r` before a `\n` is dropped), found by a byte loop for the reason of [`model_fields`].
fn model_rows(tsv: &str) -> impl Iterator<Item = &str> {
    let mut rest = tsv;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let Some(newline) = rest.bytes().position(|b| b == b'\n') else {
            return Some(std::mem::take(&mut rest));
        };
        let line = &rest[..newline];
        rest = &rest[newline + 1..];
        Some(line.strip_suffix('\r').unwrap_or(line))
    })
}

/// The words of `line` as the [`Lexicon`] reads them (folded, [`counted_words`]), for training.
pub fn lexicon_words(line: &str) -> Vec<String> {
    let mut norm = String::new();
    fold_line(line, &mut norm);
    counted_words(norm.as_bytes())
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect()
}

/// Whether a word hash is of a word of six bytes or more.
fn long_word(h: u32) -> bool {
    h >> 31 != 0
}

/// A page's vocabulary: for each word hash, how many confident content lines and how many main
/// block lines contain it (each line counted once) and whether the first line does, in one
/// open-addressing table.
struct VocabTable {
    slots: Vec<VocabSlot>,
    mask: usize,
    distinct_content: u32,
}

#[derive(Clone, Copy, Default)]
struct VocabSlot {
    /// Word hash, 0 for an empty slot.
    key: u32,
    /// 1 + the last line that counted the word, so a line counts each word once.
    last: u32,
    content: u16,
    block: u16,
    title: bool,
}

impl VocabTable {
    /// An empty table with room for `n` distinct words at most half full.
    fn with_room(n: usize) -> VocabTable {
        let size = (2 * n).next_power_of_two().max(16);
        VocabTable {
            slots: vec![VocabSlot::default(); size],
            mask: size - 1,
            distinct_content: 0,
        }
    }

    fn slot(&self, h: u32) -> usize {
        let mut i = (h.wrapping_mul(0x9e37_79b9) >> 7) as usize & self.mask;
        while self.slots[i].key != 0 && self.slots[i].key != h {
            i = (i + 1) & self.mask;
        }
        i
    }

    /// Counts the words of line `k`: in the content set, in the main block, the first line.
    fn add(&mut self, k: usize, hashes: &[u32], content: bool, block: bool, title: bool) {
        for &h in hashes {
            let i = self.slot(h);
            let s = &mut self.slots[i];
            if s.last == k as u32 + 1 {
                continue;
            }
            s.key = h;
            s.last = k as u32 + 1;
            if content {
                self.distinct_content += (s.content == 0) as u32;
                s.content = s.content.saturating_add(1);
            }
            s.block = s.block.saturating_add(block as u16);
            s.title |= title;
        }
    }

    /// The slot of a word (all counts 0 when absent).
    fn get(&self, h: u32) -> VocabSlot {
        self.slots[self.slot(h)]
    }
}

/// Linear probability below which a line counts as confident content for [`FEATURES3`].
const CONFIDENT_CONTENT: f32 = 0.2;
/// Words from which a line counts as long for the `long_*` [`FEATURES3`].
const LONG_LINE_WORDS: u32 = 15;

/// The [`FEATURES3`] row of every line of a page into `out`, from the linear stages'
/// probabilities `p` (one per line), the stage-1 rows `x1` (for the main block) and the page's
/// word hashes. Lines `walked` rejects get no vocabulary or lexicon features (the trees will not
/// read them: [`forest_logits`]).
fn tree_features(
    infos: &[LineInfo],
    hashes: &[u32],
    lexicon: &Lexicon,
    x1: &[f32],
    p: &[f32],
    walked: impl Fn(usize) -> bool,
    out: &mut Vec<[f32; D3]>,
) {
    let n = infos.len();
    let d1 = FEATURES1.len();
    out.clear();
    out.resize(n, [0.0; D3]);
    if n == 0 {
        return;
    }
    let line_hashes = |k: usize| {
        let i = &infos[k];
        hashes
            .get(i.hashes_from as usize..i.hashes_to as usize)
            .unwrap_or(&[])
    };
    let in_block = |k: usize| x1.get(k * d1 + 46).is_some_and(|&v| v > 0.0);
    let confident = |k: usize| p[k] < CONFIDENT_CONTENT;
    let counted = |k: usize| k == 0 || confident(k) || in_block(k);
    let room: usize = (0..n)
        .filter(|&k| counted(k))
        .map(|k| line_hashes(k).len())
        .sum();
    let mut vocab = VocabTable::with_room(room);
    for k in (0..n).filter(|&k| counted(k)) {
        vocab.add(k, line_hashes(k), confident(k), in_block(k), k == 0);
    }
    let vocab_feature = ln1p(vocab.distinct_content) / 10.0;
    // Segments: maximal runs of lines on one side of p = 0.5, as (start, end, words, mean p).
    let mut segs: Vec<(usize, usize, u32, f32)> = Vec::new();
    let mut start = 0;
    for k in 1..=n {
        if k == n || (p[k] >= 0.5) != (p[start] >= 0.5) {
            let words = infos[start..k].iter().map(|i| i.words).sum();
            let mean = p[start..k].iter().sum::<f32>() / (k - start) as f32;
            segs.push((start, k, words, mean));
            start = k;
        }
    }
    let heads_total = infos.iter().filter(|i| i.comment_head).count() as u32;
    let content_before_first = match infos.iter().position(|i| i.comment_head) {
        Some(first) => {
            let content_words = |r: std::ops::Range<usize>| -> u32 {
                r.filter(|&k| p[k] < 0.5).map(|k| infos[k].words).sum()
            };
            let total = content_words(0..n);
            if total > 0 {
                content_words(0..first) as f32 / total as f32
            } else {
                0.0
            }
        }
        None => -1.0,
    };
    let mut heads_above = 0u32;
    let mut head_above: Option<usize> = None;
    let mut seg = 0;
    let mut long_above: Option<usize> = None;
    for (k, row) in out.iter_mut().enumerate() {
        let own = if walked(k) { line_hashes(k) } else { &[] };
        let (own_c, own_b) = (confident(k) as u16, in_block(k) as u16);
        let (mut vc, mut vc_long, mut n_long, mut vb, mut vt) = (0u32, 0u32, 0u32, 0u32, 0u32);
        for &h in own {
            let slot = vocab.get(h);
            let long = long_word(h);
            n_long += long as u32;
            if slot.content > own_c {
                vc += 1;
                vc_long += long as u32;
            }
            vb += (slot.block > own_b) as u32;
            vt += (k > 0 && slot.title) as u32;
        }
        let frac = |v: u32, of: usize| if of > 0 { v as f32 / of as f32 } else { 0.0 };
        while segs[seg].1 <= k {
            seg += 1;
        }
        let (s0, s1, sw, _) = segs[seg];
        let head = infos[k].comment_head;
        let (lx, bg) = lexicon.features(own);
        *row = [
            frac(vc, own.len()),
            frac(vc_long, n_long as usize),
            ln1p(vc),
            frac(vb, own.len()),
            frac(vt, own.len()),
            vocab_feature,
            ln1p((s1 - s0) as u32),
            ln1p(sw) / 10.0,
            if seg > 0 { segs[seg - 1].3 } else { 1.0 },
            segs.get(seg + 1).map_or(1.0, |s| s.3),
            (k - s0) as f32 / (s1 - s0) as f32,
            long_above.map_or(-1.0, |j| p[j]),
            -1.0,
            long_above.map_or(-1.0, |j| ln1p((k - j) as u32)),
            -1.0,
            head as u8 as f32,
            ln1p(heads_above),
            ln1p(heads_total - heads_above - head as u32),
            head_above.map_or(-1.0, |j| ln1p((k - j) as u32)),
            -1.0,
            content_before_first,
            ln1p(infos[k].shape_count.saturating_sub(1)),
            infos[k].site_named as u8 as f32,
            lx[0],
            lx[1],
            lx[2],
            lx[3],
            lx[4],
            lx[5],
            bg[0],
            bg[1],
            bg[2],
        ];
        if infos[k].words >= LONG_LINE_WORDS {
            long_above = Some(k);
        }
        if head {
            heads_above += 1;
            head_above = Some(k);
        }
    }
    let mut long_below: Option<usize> = None;
    let mut head_below: Option<usize> = None;
    for k in (0..n).rev() {
        if let Some(j) = long_below {
            out[k][LONG_BELOW_P] = p[j];
            out[k][LONG_BELOW_DIST] = ln1p((j - k) as u32);
        }
        if let Some(j) = head_below {
            out[k][C_DIST_BELOW] = ln1p((j - k) as u32);
        }
        if infos[k].words >= LONG_LINE_WORDS {
            long_below = Some(k);
        }
        if infos[k].comment_head {
            head_below = Some(k);
        }
    }
}

/// Index of the bin of `v` among ascending upper `edges` (last bin open-ended).
fn bin(v: f32, edges: &[f32]) -> usize {
    edges.iter().position(|&e| v < e).unwrap_or(edges.len())
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
            exact: HashMap::default(),
            by_first: vec![Vec::new(); 256],
            loose: Vec::new(),
            literals: LiteralSet::default(),
            bylines: Vec::new(),
            bylines_need_colon: false,
            counter_words: CounterWords::default(),
            stages: vec![vec![0.0; FEATURES1.len()]],
            forests: Vec::new(),
            lexicon: Lexicon::default(),
            threshold: 0.5,
            soft_threshold: 0.3,
            guard_threshold: 0.85,
            sandwich_threshold: 0.5,
            prose_threshold: 0.85,
            neighbour_weight: 0.0,
            linear_sure_logit: f32::INFINITY,
            repeat_min_docs: 3,
            config,
        };
        for (language, file) in RULE_FILES.iter().enumerate() {
            for line in file.lines() {
                if line.starts_with('#') || line.trim().is_empty() {
                    continue;
                }
                let mut cols = line.split('\t');
                let (Some(name), Some(pat)) = (cols.next(), cols.next()) else {
                    continue;
                };
                if name == COMMENT_BYLINE {
                    r.bylines.push(Rules::compile_pattern(COMMENT_BYLINE, pat));
                } else if name == COUNTER_WORD {
                    r.counter_words.insert(pat, language);
                } else {
                    r.add_pattern(name, pat);
                }
            }
        }
        r.bylines_need_colon = r.bylines.iter().all(|p| {
            p.toks
                .iter()
                .any(|t| matches!(t, Tok::Lit(l) if l.contains(':')))
        });
        r.load_model(MODEL_FILE);
        r.load_model(TREES_FILE);
        r.literals = r.build_literals();
        r
    }

    fn build_literals(&self) -> LiteralSet {
        let mut set = LiteralSet::default();
        for &i in &self.loose {
            set.add(longest_literal(&self.patterns[i].toks), LOOSE);
        }
        for key in ["copyright", "all rights reserved"] {
            set.add(key, COPYRIGHT);
        }
        for key in ["http", "www."] {
            set.add(key, URL);
        }
        set
    }

    /// The [`LiteralSet`] groups whose literals `norm` contains; lines longer than the loose
    /// patterns are matched on contain none.
    fn literal_groups(&self, norm: &str) -> u8 {
        if norm.len() <= 2000 {
            self.literals.groups_in(norm.as_bytes())
        } else {
            0
        }
    }

    /// A pattern of a rule file, compiled from its normalized text.
    fn compile_pattern(name: &'static str, pat: &str) -> Pattern {
        let mut norm = String::new();
        fold_line(pat, &mut norm);
        let toks = compile(&norm);
        let lead_any = matches!(toks.first(), Some(Tok::Any));
        let trail_any = matches!(toks.last(), Some(Tok::Any));
        let finder = Finder::new(longest_literal(&toks).as_bytes()).into_owned();
        let (head, head_mask) = match toks.first() {
            Some(Tok::Lit(first)) => {
                let n = first.len().min(8);
                (head_of(first.as_bytes()), head_of(&[0xff; 8][..n]))
            }
            _ => (0, 0),
        };
        Pattern {
            name,
            toks,
            lead_any,
            trail_any,
            finder,
            head,
            head_mask,
        }
    }

    fn add_pattern(&mut self, name: &'static str, pat: &str) {
        let pattern = Rules::compile_pattern(name, pat);
        let toks = &pattern.toks;
        let idx = self.patterns.len();
        if let [Tok::Lit(whole)] = toks.as_slice() {
            self.exact.entry(folded_line_key(whole)).or_insert(idx);
        } else if let Some(Tok::Lit(l)) = toks.first() {
            if let Some(&b) = l.as_bytes().first() {
                self.by_first[b as usize].push(idx);
            }
        } else {
            self.loose.push(idx);
        }
        self.patterns.push(pattern);
    }

    /// Replaces the line model's weights with those in `tsv` (the `model.tsv` format: `s1`/`s2`,
    /// feature name, weight; `threshold`, value; the `trees.tsv` format: `forest`, `tree`, `n`,
    /// `l`). A file with linear stages replaces all of them, one with a forest replaces the tree
    /// stages; a file without either keeps the current ones. Unknown names are ignored.
    pub fn load_model(&mut self, tsv: &str) {
        let stage_row = |c: &[&str]| match c {
            [stage, _, w] => {
                stage
                    .strip_prefix('s')
                    .and_then(|n| n.parse::<usize>().ok())
                    .is_some_and(|n| (1..=8).contains(&n))
                    && w.parse::<f32>().is_ok()
            }
            _ => false,
        };
        // One look at each row's first field before the rows are read: which stages the file
        // replaces, and how large the lexicon will be (a trees file is mostly its rows).
        let (mut has_forest, mut has_stages, mut words, mut pairs) = (false, false, 0, 0);
        // The rows are found once for both looks: the trees file is 1.7 MB of short rows.
        let rows: Vec<&str> = model_rows(tsv).collect();
        for &line in &rows {
            if line.starts_with("lex\t") {
                words += 1;
            } else if line.starts_with("lex2\t") {
                pairs += 1;
            } else if line.starts_with("forest\t") || line.starts_with('s') {
                let (c, n) = model_fields(line);
                has_forest |= matches!(&c[..n], ["forest", _]);
                has_stages |= stage_row(&c[..n]);
            }
        }
        if has_forest {
            // A lexicon belongs to the trees trained with it.
            self.forests.clear();
            self.lexicon = Lexicon::default();
        }
        if has_stages {
            self.stages = vec![vec![0.0; FEATURES1.len()]];
        }
        self.lexicon.words.reserve(words);
        self.lexicon.pairs.reserve(pairs);
        for (cols, n) in rows.into_iter().map(model_fields) {
            match &cols[..n] {
                ["forest", bias] => self.forests.push(Forest::new(bias.parse().unwrap_or(0.0))),
                ["tree"] => {
                    if let Some(f) = self.forests.last_mut() {
                        f.start_tree();
                    }
                }
                ["n", name, thr, left, right] => {
                    let feature = Rules::tree_feature_names().position(|f| f == *name);
                    if let (Some(f), Some(feature), Ok(thr), Ok(left), Ok(right)) = (
                        self.forests.last_mut(),
                        feature,
                        thr.parse::<f64>(),
                        left.parse::<i32>(),
                        right.parse::<i32>(),
                    ) {
                        f.push_split(feature as u16, thr, left, right);
                    }
                }
                ["lex", word, weight] => {
                    if let Some(w) = parse_f32(weight) {
                        self.lexicon.insert(word, w);
                    }
                }
                ["lex2", pair, weight] => {
                    if let Some(w) = parse_f32(weight) {
                        self.lexicon.insert_pair(pair, w);
                    }
                }
                ["l", value] => {
                    if let (Some(f), Some(v)) = (self.forests.last_mut(), parse_f32(value)) {
                        f.push_leaf(v);
                    }
                }
                [stage, name, w] if stage.starts_with('s') => {
                    let Ok(stage) = stage[1..].parse::<usize>() else {
                        continue;
                    };
                    let Ok(w) = w.parse::<f32>() else { continue };
                    if stage == 0 || stage > 8 {
                        continue;
                    }
                    let width = if stage == 1 {
                        FEATURES1.len()
                    } else {
                        FEATURES1.len() + FEATURES2.len()
                    };
                    let i = FEATURES1.iter().position(|f| f == name).or_else(|| {
                        FEATURES2
                            .iter()
                            .position(|f| f == name)
                            .map(|i| i + FEATURES1.len())
                    });
                    while self.stages.len() < stage {
                        let d = FEATURES1.len() + FEATURES2.len();
                        self.stages.push(vec![0.0; d]);
                    }
                    if let Some(i) = i.filter(|&i| i < width) {
                        self.stages[stage - 1][i] = w;
                    }
                }
                ["repeat_min_docs", v] => {
                    if let Ok(v) = v.parse() {
                        self.repeat_min_docs = v;
                    }
                }
                [name, v] => {
                    if let (Some(setting), Ok(v)) = (self.setting_mut(name), v.parse()) {
                        *setting = v;
                    }
                }
                _ => {}
            }
        }
        for forest in &mut self.forests {
            forest.check();
        }
        self.lexicon.drop_pairs_of_unknown_words();
    }

    /// The decision threshold or setting a `NAME VALUE` row of a model file sets.
    fn setting_mut(&mut self, name: &str) -> Option<&mut f32> {
        Some(match name {
            "threshold" => &mut self.threshold,
            "soft_threshold" => &mut self.soft_threshold,
            "prose_threshold" => &mut self.prose_threshold,
            "sandwich_threshold" => &mut self.sandwich_threshold,
            "guard_threshold" => &mut self.guard_threshold,
            "neighbour_weight" => &mut self.neighbour_weight,
            "linear_sure_logit" => &mut self.linear_sure_logit,
            _ => return None,
        })
    }

    /// Sets the decision threshold of the line model (probability of boilerplate).
    pub fn set_threshold(&mut self, t: f32) {
        self.threshold = t;
    }

    /// Whether line `k` is short and sits between two lines of running text (20 words or more,
    /// sentence-final punctuation) that the line model keeps.
    fn sandwiched(&self, infos: &[LineInfo], p: &[f32], k: usize) -> bool {
        let running_text = |j: usize| {
            infos
                .get(j)
                .zip(p.get(j))
                .is_some_and(|(i, &p)| i.words >= 20 && i.end_punct && p < self.threshold)
        };
        infos[k].words < 15 && k > 0 && running_text(k - 1) && running_text(k + 1)
    }

    /// The decision thresholds `[threshold, soft_threshold, guard_threshold, prose_threshold,
    /// sandwich_threshold]`.
    pub fn thresholds(&self) -> [f32; 5] {
        [
            self.threshold,
            self.soft_threshold,
            self.guard_threshold,
            self.prose_threshold,
            self.sandwich_threshold,
        ]
    }

    /// Sets the decision thresholds in [`Rules::thresholds`] order (tuning harness).
    pub fn set_thresholds(&mut self, t: [f32; 5]) {
        [
            self.threshold,
            self.soft_threshold,
            self.guard_threshold,
            self.prose_threshold,
            self.sandwich_threshold,
        ] = t;
    }

    /// Sets the weight of the neighbours' tree logits (`lean_on_neighbours`; tuning harness).
    pub fn set_neighbour_weight(&mut self, weight: f32) {
        self.neighbour_weight = weight;
    }

    /// Sets the linear logit beyond which the trees are not walked (tuning harness).
    pub fn set_linear_sure_logit(&mut self, logit: f32) {
        self.linear_sure_logit = logit;
    }

    /// Sets the stage weights directly (training harness): stage 1 is [`FEATURES1`] wide, the
    /// context stages [`FEATURES1`] + [`FEATURES2`]; stages of another width are ignored.
    pub fn set_weights(&mut self, stages: Vec<Vec<f32>>) {
        let d1 = FEATURES1.len();
        let d2 = d1 + FEATURES2.len();
        let ok = stages
            .iter()
            .enumerate()
            .all(|(i, w)| w.len() == if i == 0 { d1 } else { d2 });
        if ok && !stages.is_empty() {
            self.stages = stages;
        }
    }

    fn kept(&self, rule: &str) -> bool {
        self.config.keep_rules.iter().any(|k| k == rule)
    }

    /// The phrase rule matching a normalized line, if any.
    /// `groups` are the line's [`Rules::literal_groups`].
    fn phrase_hit(
        &self,
        norm: &str,
        key: u64,
        words: u32,
        end_punct: bool,
        groups: u8,
    ) -> Option<Hit> {
        if norm.is_empty() {
            return None;
        }
        let hard_of = |p: &Pattern| !p.lead_any && (!p.trail_any || (words <= 10 && !end_punct));
        if norm.len() <= 200 {
            if let Some(&i) = self.exact.get(&key)
                && matches!(self.patterns[i].toks.as_slice(), [Tok::Lit(l)] if l == norm)
            {
                return Some(Hit {
                    name: self.patterns[i].name,
                    hard: true,
                });
            }
            let first = *norm.as_bytes().first()?;
            if let Some(list) = self.by_first.get(first as usize) {
                // The patterns of a first byte are many: their first eight bytes in one compare
                // rule out most without a call to compare the literal.
                let head = head_of(norm.as_bytes());
                for &i in list {
                    let p = &self.patterns[i];
                    // These patterns start with a literal, which a match must start with.
                    if head & p.head_mask != p.head {
                        continue;
                    }
                    if let Some(Tok::Lit(first)) = p.toks.first()
                        && !norm.starts_with(first.as_str())
                    {
                        continue;
                    }
                    if p.matches(norm) {
                        return Some(Hit {
                            name: p.name,
                            hard: hard_of(p),
                        });
                    }
                }
            }
        }
        if groups & LOOSE != 0 {
            for &i in &self.loose {
                let p = &self.patterns[i];
                if p.matches(norm) {
                    return Some(Hit {
                        name: p.name,
                        hard: hard_of(p),
                    });
                }
            }
        }
        None
    }

    /// Whether a normalized line of `words` words is a reader comment's byline
    /// ([`COMMENT_BYLINE`] patterns).
    fn is_byline(&self, norm: &str, words: u32) -> bool {
        words <= COMMENT_HEADER_MAX_WORDS
            && (!self.bylines_need_colon || memchr::memchr(b':', norm.as_bytes()).is_some())
            && self.bylines.iter().any(|p| p.matches(norm))
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
        self.removals_scored(text, &self.score_page(text, site, repeated))
    }

    /// The line facts and model probabilities of a page, which [`Rules::removals_scored`]
    /// decides on (tuning harness: one scoring serves many thresholds).
    pub fn score_page(
        &self,
        text: &str,
        site: &str,
        repeated: Option<&RepeatedLines>,
    ) -> ScoredPage {
        let (infos, x1, hashes) = self.analyse(text, site, repeated);
        let p2 = self.scores(&infos, &x1, &hashes);
        ScoredPage { infos, x1, p2 }
    }

    /// [`Rules::removals_in`] of `text` from its [`Rules::score_page`], with this rule set's
    /// thresholds.
    pub fn removals_scored(&self, text: &str, scored: &ScoredPage) -> Vec<Removal> {
        let ScoredPage { infos, x1, p2 } = scored;
        let d1 = FEATURES1.len();
        let feature = |k: usize, f: usize| x1[k * d1 + f];
        let mut out = Vec::new();
        let mut comment_marker = false;
        let first_marker = (0..infos.len())
            .position(|k| feature(k, 28) > 0.0)
            .map(|k| k.saturating_sub(1));
        let too_short_to_judge = infos.len() <= 2;
        for (k, info) in infos.iter().enumerate() {
            if feature(k, 28) > 0.0 {
                comment_marker = true;
            }
            let doc_freq = (info.site_df >= 2).then_some(info.site_df);
            let content_like = info.words >= 10 && info.end_punct;
            let mut rule: Option<&'static str> = None;
            if let Some(h) = info.hit
                && (h.hard || p2[k] >= self.soft_threshold)
            {
                rule = Some(h.name);
            }
            if rule.is_none()
                && info.site_df >= self.repeat_min_docs
                && !content_like
                && p2[k] >= self.soft_threshold
            {
                rule = Some(RULE_REPEATED);
            }
            // Pages often end their text right above the comment form, where position alone
            // looks like a footer: long lines there need stronger evidence, and so do sentences
            // up to the form's first line. So does a long line that reads like prose without
            // its final full stop, which menus never are.
            let guarded = !comment_marker
                && first_marker.is_some_and(|m| {
                    (info.words >= LONG_LINE_WORDS && k < m)
                        || (info.end_punct && info.words >= GUARDED_SENTENCE_WORDS && k <= m)
                });
            let need = if guarded {
                self.guard_threshold
            } else if info.prose_like() {
                self.prose_threshold
            } else if self.sandwiched(infos, p2, k) {
                self.sandwich_threshold.max(self.threshold)
            } else {
                self.threshold
            };
            // A page of one or two lines has no structure to judge it by (each line is its
            // first or its last, where the trees learned headers and footers): only the rules
            // above apply.
            if rule.is_none() && !too_short_to_judge && p2[k] >= need {
                rule = Some(if info.site_df >= 2 && !content_like {
                    RULE_REPEATED
                } else if info.counter {
                    RULE_COUNTER
                } else if feature(k, 20) > 0.0 {
                    RULE_TRAILING
                } else if feature(k, 21) > 0.0 {
                    RULE_LEADING
                } else if comment_marker && feature(k, 27) > 0.0 {
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
                line_index: info.idx,
                rule: name,
                doc_freq,
            });
        }
        if !out.is_empty() && !self.kept(RULE_PUNCT) {
            out = with_punctuation_lines(text, out, infos);
        }
        out
    }

    /// Stage probabilities of boilerplate for the rows `x1` (flat, [`FEATURES1`] wide) of one
    /// document: the first stage's logits, then each context stage on the previous one's.
    fn scores(&self, infos: &[LineInfo], x1: &[f32], hashes: &[u32]) -> Vec<f32> {
        let d1 = FEATURES1.len();
        let w1 = &self.stages[0];
        let mut logits: Vec<f32> = x1.chunks_exact(d1).map(|x| dot(w1, x)).collect();
        let words: Vec<f32> = infos.iter().map(|i| i.words as f32).collect();
        // One context and one output buffer serve every stage of the page.
        let mut ctx = Context::default();
        let mut next = Vec::with_capacity(logits.len());
        for w in &self.stages[1..] {
            ctx.fill(&words, &logits);
            context_logits(w, &ctx, x1, &words, &logits, &mut next);
            std::mem::swap(&mut logits, &mut next);
        }
        // The tree-only features read the linear stages' verdicts, whichever forest follows.
        let mut f3 = Vec::new();
        let sound_forests = self.forests.iter().filter(|f| f.is_sound()).count();
        for (i, forest) in self.forests.iter().filter(|f| f.is_sound()).enumerate() {
            ctx.fill(&words, &logits);
            if i == 0 {
                // With more forests, a later one walks the lines its predecessor's logits leave
                // open, which need their features too.
                let sure = if sound_forests == 1 {
                    self.linear_sure_logit
                } else {
                    f32::INFINITY
                };
                let walked = |k: usize| logits[k].abs() <= sure;
                tree_features(infos, hashes, &self.lexicon, x1, &ctx.p, walked, &mut f3);
            }
            let inputs = TreeInputs {
                x1,
                f3: &f3,
                words: &words,
            };
            let sure = self.linear_sure_logit;
            forest_logits(forest, &ctx, &inputs, &logits, sure, &mut next);
            std::mem::swap(&mut logits, &mut next);
        }
        if sound_forests > 0 {
            agree_on_copies(infos, &mut logits);
            if self.neighbour_weight != 0.0 {
                lean_on_neighbours(&mut logits, self.neighbour_weight, &mut next);
                // Copies have other neighbours: they agree again.
                agree_on_copies(infos, &mut logits);
            }
        }
        logits.into_iter().map(sigmoid).collect()
    }

    /// The rows the first tree stage sees ([`FEATURES1`] + [`FEATURES2`] + [`FEATURES3`], the
    /// context part from the linear stages' logits, or from `prev` when given), for training.
    pub fn tree_rows(
        &self,
        text: &str,
        site: &str,
        repeated: Option<&RepeatedLines>,
        prev: Option<&[f32]>,
    ) -> DocFeatures {
        let (infos, x1, hashes) = self.analyse(text, site, repeated);
        let d1 = FEATURES1.len();
        let words: Vec<f32> = infos.iter().map(|i| i.words as f32).collect();
        let logits: Vec<f32> = match prev {
            Some(p) if p.len() == infos.len() => p.to_vec(),
            _ => {
                let w1 = &self.stages[0];
                let mut l: Vec<f32> = x1.chunks_exact(d1).map(|x| dot(w1, x)).collect();
                let mut ctx = Context::default();
                let mut next = Vec::with_capacity(l.len());
                for w in &self.stages[1..] {
                    ctx.fill(&words, &l);
                    context_logits(w, &ctx, &x1, &words, &l, &mut next);
                    std::mem::swap(&mut l, &mut next);
                }
                l
            }
        };
        let ctx = Context::new(&words, &logits);
        let mut f3 = Vec::new();
        tree_features(
            &infos,
            &hashes,
            &self.lexicon,
            &x1,
            &ctx.p,
            |_| true,
            &mut f3,
        );
        DocFeatures {
            line_index: infos.iter().map(|i| i.idx).collect(),
            words: infos.iter().map(|i| i.words).collect(),
            x1: (0..infos.len())
                .map(|k| {
                    let x = &x1[k * d1..(k + 1) * d1];
                    let mut row = Vec::with_capacity(ROW_WIDTH);
                    row.extend_from_slice(x);
                    ctx.line(k, x, &words, &logits).push_row(&mut row);
                    row.extend_from_slice(&f3[k]);
                    row
                })
                .collect(),
        }
    }

    /// Stage-1 feature rows of a document (training harness).
    pub fn features(
        &self,
        text: &str,
        site: &str,
        repeated: Option<&RepeatedLines>,
    ) -> DocFeatures {
        let (infos, x1, _) = self.analyse(text, site, repeated);
        DocFeatures {
            line_index: infos.iter().map(|i| i.idx).collect(),
            words: infos.iter().map(|i| i.words).collect(),
            x1: x1
                .chunks_exact(FEATURES1.len())
                .map(<[f32]>::to_vec)
                .collect(),
        }
    }

    /// Context-stage rows ([`FEATURES1`] then [`FEATURES2`]) from stage-1 rows, word counts and
    /// the previous stage's logits (training harness).
    pub fn context_rows(x1: &[Vec<f32>], words: &[u32], prev: &[f32]) -> Vec<Vec<f32>> {
        let d1 = FEATURES1.len();
        let flat: Vec<f32> = x1.iter().flatten().copied().collect();
        let words: Vec<f32> = words.iter().map(|&w| w as f32).collect();
        let ctx = Context::new(&words, prev);
        (0..x1.len())
            .map(|k| {
                let mut row = flat[k * d1..(k + 1) * d1].to_vec();
                ctx.line(k, &flat[k * d1..(k + 1) * d1], &words, prev)
                    .push_row(&mut row);
                row
            })
            .collect()
    }

    /// Names of the columns of a [`Rules::tree_rows`] row, in order.
    pub fn tree_feature_names() -> impl Iterator<Item = &'static str> {
        FEATURES1.iter().chain(FEATURES2).chain(FEATURES3).copied()
    }

    /// The model's stage weights (training harness; stage 0 is [`FEATURES1`] wide, the others
    /// [`FEATURES1`] + [`FEATURES2`]).
    pub fn stage_weights(&self) -> &[Vec<f32>] {
        &self.stages
    }

    /// The lines of a page with a word: their facts, their stage-1 rows (flat, [`FEATURES1`]
    /// wide) and the word hashes the lines' [`LineInfo::hashes_from`] ranges point into.
    fn analyse(
        &self,
        text: &str,
        site: &str,
        repeated: Option<&RepeatedLines>,
    ) -> (Vec<LineInfo>, Vec<f32>, Vec<u32>) {
        let site_hash = RepeatedLines::site_hash(site);
        let site_docs = repeated.map_or(0, |r| r.site_docs(site));
        let mut infos: Vec<LineInfo> = Vec::new();
        let mut norm = String::new();
        let mut title = String::new();
        let mut title_at: Option<usize> = None;
        let mut hashes: Vec<u32> = Vec::with_capacity(text.len() / 6);
        let site_name = site_label(site);
        let site_finder = site_name.as_deref().map(memmem::Finder::new);
        let mut site_buf = SiteMatch::default();
        for (idx, line) in split_lines(text).enumerate() {
            let chars = CharStats::of(line);
            if chars.words == 0 {
                continue;
            }
            fold_line(line, &mut norm);
            let words = chars.words;
            let end_punct = ends_sentence(&norm);
            let key = folded_line_key(&norm);
            let groups = self.literal_groups(&norm);
            let hit = self.phrase_hit(&norm, key, words, end_punct, groups);
            let counter = chars.digits > 0 && is_counter_line(&norm, words, &self.counter_words);
            let f = repeated
                .map(|r| r.freq_by_key(site_hash, key))
                .unwrap_or_default();
            let nb = norm.as_bytes();
            let hashes_from = hashes.len() as u32;
            // Line shapes are of short lines: furniture and comment headers.
            let shape = word_hashes_and_shape(nb, &mut hashes, words <= COMMENT_HEADER_MAX_WORDS);
            // The page title usually opens crawler text, and the article's heading repeats it
            // (or a part of it): where that heading is, the main text starts.
            let title_match = if infos.is_empty() {
                title.clone_from(&norm);
                false
            } else {
                let m = title_at.is_none()
                    && words >= 2
                    && norm.len() <= title.len()
                    && memmem::find(title.as_bytes(), nb).is_some();
                if m {
                    title_at = Some(infos.len());
                }
                m
            };
            infos.push(LineInfo {
                idx: idx as u32,
                words,
                end_punct,
                hit,
                counter,
                key,
                site_df: f.site.max(1),
                all_df: f.all.max(1),
                chars,
                norm_colon: norm.ends_with(':'),
                // Footers and link lines are short: long lines are not searched.
                copyright: chars.copyright_sign || (nb.len() <= 300 && groups & COPYRIGHT != 0),
                url_or_email: chars.at_sign || (nb.len() <= 300 && groups & URL != 0),
                starts_digit: nb.first().is_some_and(u8::is_ascii_digit),
                ellipsis_end: norm.ends_with("...") || norm.ends_with('…'),
                title_match,
                comment_head: self.is_byline(&norm, words),
                shape,
                shape_count: 0,
                site_named: site_finder
                    .as_ref()
                    .is_some_and(|f| names_site(&norm, f, &mut site_buf)),
                hashes_from,
                hashes_to: hashes.len() as u32,
            });
        }
        comment_headers(&mut infos);
        let n = infos.len();
        let d1 = FEATURES1.len();
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
        // Runs of consecutive short lines (menus, tag lists): each line's run length.
        let mut run_len = vec![0u32; n];
        let mut k = 0;
        while k < n {
            let mut e = k;
            while e < n && short(&infos[e]) {
                e += 1;
            }
            if e > k {
                run_len[k..e].fill((e - k) as u32);
                k = e;
            } else {
                k += 1;
            }
        }
        // Lines whose key occurs more than once in the page, by sorting instead of a map.
        let mut keys: Vec<(u64, u32)> = infos
            .iter()
            .enumerate()
            .map(|(k, i)| (i.key, k as u32))
            .collect();
        keys.sort_unstable();
        let mut dup = vec![false; n];
        for w in keys.windows(2) {
            if w[0].0 == w[1].0 {
                dup[w[0].1 as usize] = true;
                dup[w[1].1 as usize] = true;
            }
        }
        // Prefix sums for the windows: words >= 15, sentence-final punctuation.
        let mut long15 = vec![0u32; n + 1];
        let mut punct = vec![0u32; n + 1];
        for (k, i) in infos.iter().enumerate() {
            long15[k + 1] = long15[k] + (i.words >= 15) as u32;
            punct[k + 1] = punct[k] + i.end_punct as u32;
        }
        let window_frac = |sums: &[u32], k: usize, r: usize, own: bool| {
            let lo = k.saturating_sub(r);
            let hi = (k + r + 1).min(n);
            let count = (hi - lo - 1) as f32;
            if count > 0.0 {
                (sums[hi] - sums[lo] - own as u32) as f32 / count
            } else {
                0.0
            }
        };
        let reply_at: Vec<usize> = (0..n).filter(|&k| is_reply(&infos[k])).collect();
        // The main block: the run of lines with the most words of running text, each other
        // line costing a little (maximum subarray), so menus and link lists end it.
        let (mut block_start, mut block_end) = (0usize, 0usize);
        let mut has_block = false;
        {
            let (mut best, mut cur, mut cur_start) = (0.0f32, 0.0f32, 0usize);
            for (k, i) in infos.iter().enumerate() {
                let gain = if i.words >= 10 && i.end_punct {
                    i.words as f32
                } else {
                    -(2.0 + i.words as f32 / 2.0)
                };
                if cur <= 0.0 {
                    cur = 0.0;
                    cur_start = k;
                }
                cur += gain;
                if cur > best {
                    best = cur;
                    block_start = cur_start;
                    block_end = k;
                    has_block = true;
                }
            }
        }
        let block_words: u32 = if has_block {
            infos[block_start..=block_end].iter().map(|i| i.words).sum()
        } else {
            0
        };
        let max_words = infos.iter().map(|i| i.words).max().unwrap_or(1).max(1);
        let hard_at: Vec<usize> = (0..n)
            .filter(|&k| infos[k].hit.is_some_and(|h| h.hard))
            .collect();
        let mut words_after_block = 0u32;
        let mut hard_ptr = 0usize;
        let mut words_since_hit: Option<u32> = None;
        let mut x1 = vec![0.0f32; n * d1];
        let mut words_before = 0u32;
        let mut marker_seen = false;
        let mut long_ptr = 0usize;
        let doc_words_feature = ln1p(total_words) / 10.0;
        let long_frac = long_words as f32 / total_words.max(1) as f32;
        for k in 0..n {
            let i = &infos[k];
            let c = &i.chars;
            let w = i.words as f32;
            let x = &mut x1[k * d1..(k + 1) * d1];
            x[0] = 1.0;
            x[1] = ln1p(i.words);
            x[2] = (i.words <= 2) as u8 as f32;
            x[3] = (i.words <= 4) as u8 as f32;
            x[4] = (i.words <= 8) as u8 as f32;
            x[5] = (i.words >= 20) as u8 as f32;
            x[6] = i.end_punct as u8 as f32;
            x[7] = i.norm_colon as u8 as f32;
            x[8] = c.upper_words as f32 / w;
            x[9] = c.digits as f32 / c.alnum.max(1) as f32;
            x[10] = (c.seps as f32 / w).min(1.0);
            x[11] = i.copyright as u8 as f32;
            x[12] = i.hit.is_some_and(|h| h.hard) as u8 as f32;
            x[13] = i.hit.is_some_and(|h| !h.hard) as u8 as f32;
            x[14] = i.counter as u8 as f32;
            x[15] = ln1p(i.site_df - 1).max((i.site_df as f32).ln());
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
            x[22] = match (k > 0, k + 1 < n) {
                (true, true) => (ln1p(infos[k - 1].words) + ln1p(infos[k + 1].words)) / 2.0,
                (true, false) => ln1p(infos[k - 1].words),
                (false, true) => ln1p(infos[k + 1].words),
                (false, false) => 0.0,
            };
            x[23] = window_frac(&punct, k, 3, i.end_punct);
            x[24] = window_frac(&long15, k, 5, i.words >= 15);
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
            x[25] = ln1p(dist as u32);
            x[26] = first_long.is_none_or(|f| k < f) as u8 as f32;
            x[27] = last_long.is_none_or(|l| k > l) as u8 as f32;
            x[28] = marker_seen as u8 as f32;
            if is_comment_header(i) {
                marker_seen = true;
            }
            x[29] = reply_at.iter().any(|&j| j != k && j + 3 >= k && j <= k + 3) as u8 as f32;
            x[30] = dup[k] as u8 as f32;
            x[31] = (c.letters as f32 / w / 10.0).min(2.0);
            x[32] = doc_words_feature;
            x[33] = long_frac;
            x[34] = i.url_or_email as u8 as f32;
            x[35] = i.starts_digit as u8 as f32;
            x[36] = (c.letters >= 4 && c.uppers == c.letters) as u8 as f32;
            x[37] = i.ellipsis_end as u8 as f32;
            x[38] = (c.code as f32 / w).min(1.0);
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
            x[41] = i.title_match as u8 as f32;
            x[42] = title_at.is_some_and(|t| k < t) as u8 as f32;
            x[43] = (k == 0) as u8 as f32;
            x[44] = ln1p(run_len[k]) / 3.0;
            x[45] = (run_len[k] >= 6) as u8 as f32;
            if has_block {
                x[46] = (k >= block_start && k <= block_end) as u8 as f32;
                x[47] = ln1p(block_start.saturating_sub(k) as u32);
                x[48] = ln1p(k.saturating_sub(block_end) as u32);
                x[49] = block_words as f32 / total_words.max(1) as f32;
                x[50] = words_after_block as f32 / total_words.max(1) as f32;
                if k > block_end {
                    words_after_block += i.words;
                }
            }
            x[51] = title_at.map_or(-1.0, |t| ln1p(k.abs_diff(t) as u32));
            while hard_ptr < hard_at.len() && hard_at[hard_ptr] < k {
                hard_ptr += 1;
            }
            x[52] = ln1p(hard_ptr as u32);
            let after = hard_at.len() - hard_ptr - (hard_at.get(hard_ptr) == Some(&k)) as usize;
            x[53] = ln1p(after as u32);
            x[54] = words_since_hit.map_or(-1.0, ln1p);
            if i.hit.is_some_and(|h| h.hard) {
                words_since_hit = Some(0);
            } else if let Some(ws) = words_since_hit.as_mut() {
                *ws += i.words;
            }
            x[55] = i.words as f32 / max_words as f32;
            words_before += i.words;
        }
        (infos, x1, hashes)
    }
}

/// Host labels of `data/boilerplate/sites.tsv`: public suffix labels and generic main labels.
const SITES_FILE: &str = include_str!("data/boilerplate/sites.tsv");

/// Letters a host's main label needs for [`site_label`] to name the site by it.
const SITE_LABEL_MIN_LETTERS: usize = 4;

/// The labels of [`SITES_FILE`] of one kind.
fn site_labels(kind: &str) -> impl Iterator<Item = &'static str> + '_ {
    SITES_FILE.lines().filter_map(move |l| {
        let (k, label) = l.split_once('\t')?;
        (k == kind).then_some(label.trim())
    })
}

/// The letters (ASCII, lower case) of the main label of a URL host, by which a page names its
/// site ("www.scratchculinary.com" -> "scratchculinary", "home.tarkett.co.uk" -> "tarkett"):
/// the label before the public suffix (the top-level label, then the labels of one or two
/// letters and the `suffix` labels of [`SITES_FILE`]). `None` for a site that is no host name
/// (a directory), a label of fewer than [`SITE_LABEL_MIN_LETTERS`] letters and the `generic`
/// labels of [`SITES_FILE`] (hosting platforms: "blogspot", "wordpress", "medium").
fn site_label(site: &str) -> Option<Vec<u8>> {
    static SUFFIX: LazyLock<Vec<&'static str>> = LazyLock::new(|| site_labels("suffix").collect());
    static GENERIC: LazyLock<Vec<&'static str>> =
        LazyLock::new(|| site_labels("generic").collect());
    let host = site.trim().trim_end_matches('.');
    if !host.contains('.')
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    {
        return None;
    }
    let host = host.to_ascii_lowercase();
    let mut labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    labels.pop();
    while labels.len() > 1
        && labels
            .last()
            .is_some_and(|l| l.len() <= 2 || SUFFIX.contains(l))
    {
        labels.pop();
    }
    let label = *labels.last()?;
    if label.starts_with("xn--") || GENERIC.contains(&label) {
        return None;
    }
    let letters: Vec<u8> = label.bytes().filter(u8::is_ascii_alphabetic).collect();
    (letters.len() >= SITE_LABEL_MIN_LETTERS).then_some(letters)
}

/// Buffers of [`names_site`], reused from line to line.
#[derive(Default)]
struct SiteMatch {
    /// The line's letters (ASCII ones as they are, others as 0xff), digits and the rest dropped.
    letters: Vec<u8>,
    /// Per letter: bit 0 if it starts a word, bit 1 if it ends one.
    edges: Vec<u8>,
}

/// Whether a [`fold_line`]d line spells the site's main `label` ([`site_label`]) in its letters,
/// whatever the spaces and punctuation between its words ("At Scratch Culinary, we",
/// "© ScratchCulinary 2020"), from the start of a word to the end of one.
fn names_site(norm: &str, label: &memmem::Finder, buf: &mut SiteMatch) -> bool {
    let need = label.needle().len();
    buf.letters.clear();
    buf.edges.clear();
    // Whether the current word has a letter yet (digits are skipped, not word boundaries).
    let mut word_letters = false;
    for c in norm.chars() {
        if c.is_alphabetic() {
            buf.letters.push(if c.is_ascii() {
                c.to_ascii_lowercase() as u8
            } else {
                0xff
            });
            buf.edges.push(!word_letters as u8);
            word_letters = true;
        } else if !c.is_alphanumeric() && word_letters {
            if let Some(e) = buf.edges.last_mut() {
                *e |= 2;
            }
            word_letters = false;
        }
    }
    if word_letters && let Some(e) = buf.edges.last_mut() {
        *e |= 2;
    }
    buf.letters.len() >= need
        && label
            .find_iter(&buf.letters)
            .any(|i| buf.edges[i] & 1 != 0 && buf.edges[i + need - 1] & 2 != 0)
}

fn is_comment_header(i: &LineInfo) -> bool {
    i.hit.is_some_and(|h| {
        h.hard
            && matches!(
                h.name,
                "wp_leave_comment" | "wp_leave_reply" | "disqus_furniture"
            )
    })
}

/// Hash of the shape of a [`fold_line`]d line: each run of letters and digits as `a` (`0` when
/// it has a digit), the other characters as they are, spaces dropped. Comment headers share
/// theirs ("by a(0)a:", "a 0,0 a 0:0 a"), whatever the names and dates; never 0.
#[cfg(test)]
fn line_shape(norm: &[u8]) -> u32 {
    let mut h = 0x811c_9dc5u32;
    let mut mix = |b: u8| h = (h ^ b as u32).wrapping_mul(0x0100_0193);
    let mut run: Option<u8> = None;
    for &b in norm {
        if b.is_ascii_alphanumeric() || b >= 0x80 {
            let digit = b.is_ascii_digit();
            run = Some(match run {
                Some(b'0') => b'0',
                _ if digit => b'0',
                _ => b'a',
            });
            continue;
        }
        if let Some(r) = run.take() {
            mix(r);
        }
        if b != b' ' {
            mix(b);
        }
    }
    if let Some(r) = run {
        mix(r);
    }
    h.max(1)
}

/// [`RUN_BYTES`] of an ASCII digit; other bytes of runs are 1, the rest 0.
const RUN_DIGIT: u8 = 2;

/// Bytes of the runs of [`counted_words`] and [`line_shape`], by a table rather than three
/// range tests per byte.
static RUN_BYTES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c.is_ascii_digit() {
            RUN_DIGIT
        } else {
            (c.is_ascii_alphanumeric() || c >= 0x80) as u8
        };
        b += 1;
    }
    t
};

/// [`push_word_hashes`] of a [`fold_line`]d line, and its [`line_shape`] if `with_shape` (else
/// 0), in one pass: both read the line's runs of ASCII letters and digits and of non-ASCII bytes.
fn word_hashes_and_shape(norm: &[u8], hashes: &mut Vec<u32>, with_shape: bool) -> u32 {
    let mut shape = FNV_START;
    let mut end_run = |shape: &mut u32, word: u32, len: usize, digit: bool| {
        if len >= 3 {
            hashes.push(finish_word_hash(word, len));
        }
        if with_shape && len > 0 {
            *shape = fnv_mix(*shape, if digit { b'0' } else { b'a' });
        }
    };
    let (mut word, mut len, mut digit) = (FNV_START, 0, false);
    for &b in norm {
        let run_byte = RUN_BYTES[b as usize];
        if run_byte != 0 {
            word = fnv_mix(word, b);
            len += 1;
            digit |= run_byte == RUN_DIGIT;
            continue;
        }
        end_run(&mut shape, word, len, digit);
        if with_shape && b != b' ' {
            shape = fnv_mix(shape, b);
        }
        (word, len, digit) = (FNV_START, 0, false);
    }
    end_run(&mut shape, word, len, digit);
    if with_shape { shape.max(1) } else { 0 }
}

/// FNV-1a's start value.
const FNV_START: u32 = 0x811c_9dc5;

/// One byte into an FNV-1a hash.
fn fnv_mix(h: u32, b: u8) -> u32 {
    (h ^ b as u32).wrapping_mul(0x0100_0193)
}

/// [`word_hash`] of a word of `len` bytes from the FNV-1a hash of its bytes.
fn finish_word_hash(fnv: u32, len: usize) -> u32 {
    let h = (fnv ^ (fnv >> 15)).wrapping_mul(0x2c1b_3c6d);
    let h = (h ^ (h >> 12)) & 0x7fff_ffff;
    h.max(1) | ((len >= 6) as u32) << 31
}

/// Sets each line's [`LineInfo::shape_count`], and marks as comment headers the date and
/// counter lines whose shape recurs three times or more ("December 19, 2025 at 13:01" above
/// every comment), which the bylines alone miss on pages that print no "says:".
fn comment_headers(infos: &mut [LineInfo]) {
    let mut shapes: Vec<(u32, u32)> = infos
        .iter()
        .enumerate()
        .filter(|(_, i)| i.shape != 0)
        .map(|(k, i)| (i.shape, k as u32))
        .collect();
    shapes.sort_unstable();
    for run in shapes.chunk_by(|a, b| a.0 == b.0) {
        for &(_, k) in run {
            infos[k as usize].shape_count = run.len() as u32;
        }
    }
    for i in infos.iter_mut() {
        if i.counter && i.words >= 3 && i.shape_count >= 3 {
            i.comment_head = true;
        }
    }
}

fn is_reply(i: &LineInfo) -> bool {
    i.hit.is_some_and(|h| h.name == "wp_leave_reply")
}

/// `ln(1 + v)`, from a table for the small counts most lines have.
fn ln1p(v: u32) -> f32 {
    static TABLE: LazyLock<[f32; 256]> =
        LazyLock::new(|| std::array::from_fn(|i| (1.0 + i as f32).ln()));
    match TABLE.get(v as usize) {
        Some(&l) => l,
        None => (1.0 + v as f32).ln(),
    }
}

const WORD_EDGES: [f32; 7] = [1.5, 2.5, 4.5, 7.5, 12.5, 20.5, 35.5];
const P_EDGES: [f32; 9] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
const MASS_EDGES: [f32; 6] = [0.02, 0.1, 0.3, 0.7, 0.9, 0.98];
const MEAN3_EDGES: [f32; 4] = [0.2, 0.4, 0.6, 0.8];

/// What a context stage knows of a document: the previous stage's probabilities and the
/// content mass (words weighted by the probability of content) before each line.
#[derive(Default)]
struct Context {
    p: Vec<f32>,
    /// Prefix sums of `p`.
    p_sum: Vec<f32>,
    content_mass: Vec<f32>,
    mass_before: Vec<f32>,
    total: f32,
}

/// A context stage's features of one line, beyond its stage-1 row.
struct LineContext {
    cont: [f32; 9],
    bins: [usize; 5],
    inter: [f32; 3],
}

impl Context {
    fn new(words: &[f32], prev: &[f32]) -> Context {
        let mut ctx = Context::default();
        ctx.fill(words, prev);
        ctx
    }

    /// Recomputes the context of `prev` in place, reusing the buffers of the previous stage.
    fn fill(&mut self, words: &[f32], prev: &[f32]) {
        self.p.clear();
        self.p.extend(prev.iter().map(|&s| sigmoid(s)));
        self.p_sum.clear();
        self.p_sum.push(0.0);
        let mut acc = 0.0f32;
        for &v in &self.p {
            acc += v;
            self.p_sum.push(acc);
        }
        self.content_mass.clear();
        self.content_mass
            .extend(self.p.iter().zip(words).map(|(p, w)| (1.0 - p) * w));
        self.mass_before.clear();
        let mut before = 0.0f32;
        for &m in &self.content_mass {
            self.mass_before.push(before);
            before += m;
        }
        self.total = before.max(1.0);
    }

    /// Mean probability of the lines within `r` of `k`, itself excluded (0.5 when none).
    fn mean(&self, k: usize, r: usize) -> f32 {
        let n = self.p.len();
        let lo = k.saturating_sub(r);
        let hi = (k + r + 1).min(n);
        let count = hi - lo - 1;
        if count == 0 {
            return 0.5;
        }
        ((self.p_sum[hi] - self.p_sum[lo] - self.p[k]) / count as f32).clamp(0.0, 1.0)
    }

    // Inlined: it runs for every line of every context stage, and as a call it cost 9 M more
    // instructions on SUB (every tenth bench page) than in the callers' loops.
    #[inline]
    fn line(&self, k: usize, x1: &[f32], words: &[f32], prev: &[f32]) -> LineContext {
        let n = self.p.len();
        let p = &self.p;
        let mb = self.mass_before[k] / self.total;
        let ma = (self.total - self.mass_before[k] - self.content_mass[k]).max(0.0) / self.total;
        let lo = k.saturating_sub(2);
        let hi = (k + 3).min(n);
        let max2 = (lo..hi)
            .filter(|&j| j != k)
            .map(|j| p[j])
            .fold(0.0, f32::max);
        let mean3 = self.mean(k, 3);
        LineContext {
            cont: [
                prev[k].clamp(-10.0, 10.0) / 5.0,
                self.mean(k, 1),
                mean3,
                self.mean(k, 8),
                mb,
                ma,
                max2,
                if k > 0 { p[k - 1] } else { 1.0 },
                if k + 1 < n { p[k + 1] } else { 1.0 },
            ],
            bins: [
                bin(words[k], &WORD_EDGES),
                bin(p[k], &P_EDGES),
                bin(mb, &MASS_EDGES),
                bin(ma, &MASS_EDGES),
                bin(mean3, &MEAN3_EDGES),
            ],
            inter: [
                x1[6] * (words[k] >= 10.0) as u8 as f32,
                x1[27] * x1[1],
                x1[26] * x1[1],
            ],
        }
    }
}

const BIN_WIDTHS: [usize; 5] = [
    WORD_EDGES.len() + 1,
    P_EDGES.len() + 1,
    MASS_EDGES.len() + 1,
    MASS_EDGES.len() + 1,
    MEAN3_EDGES.len() + 1,
];

impl LineContext {
    /// Appends the [`FEATURES2`] part of the row (one-hot bins expanded).
    fn push_row(&self, row: &mut Vec<f32>) {
        let start = row.len();
        row.resize(start + FEATURES2.len(), 0.0);
        self.write_row(&mut row[start..]);
    }

    /// Writes the [`FEATURES2`] part of the row into `out` ([`FEATURES2`] long).
    fn write_row(&self, out: &mut [f32]) {
        let (cont, rest) = out.split_at_mut(self.cont.len());
        cont.copy_from_slice(&self.cont);
        let mut off = 0;
        for (&b, &width) in self.bins.iter().zip(&BIN_WIDTHS) {
            for (i, v) in rest[off..off + width].iter_mut().enumerate() {
                *v = (i == b) as u8 as f32;
            }
            off += width;
        }
        rest[off..].copy_from_slice(&self.inter);
    }

    /// The dot product of `w` ([`FEATURES2`] part) with the row [`LineContext::push_row`]
    /// builds, with each one-hot block read as the one weight it selects.
    fn dot(&self, w: &[f32]) -> f32 {
        let mut s = dot(&w[..9], &self.cont);
        let mut off = 9;
        for (&b, &width) in self.bins.iter().zip(&BIN_WIDTHS) {
            s += w[off + b];
            off += width;
        }
        s + dot(&w[off..], &self.inter)
    }
}

/// Width of a tree row: [`FEATURES1`], [`FEATURES2`], then [`FEATURES3`].
const ROW_WIDTH: usize = FEATURES1.len() + FEATURES2.len() + D3;

/// Gives every copy of a line on the page (the same [`LineInfo::key`]) the mean of the copies'
/// logits. A repeated line is one thing said twice (a heading and its table-of-contents entry,
/// a product name on each tile): it is content or furniture as a whole, and the copies read in
/// different neighbourhoods are several looks at the same question.
fn agree_on_copies(infos: &[LineInfo], logits: &mut [f32]) {
    let mut by_key: Vec<(u64, u32)> = infos
        .iter()
        .enumerate()
        .map(|(k, info)| (info.key, k as u32))
        .collect();
    by_key.sort_unstable();
    for copies in by_key.chunk_by(|a, b| a.0 == b.0) {
        if copies.len() < 2 {
            continue;
        }
        let mean =
            copies.iter().map(|&(_, k)| logits[k as usize]).sum::<f32>() / copies.len() as f32;
        for &(_, k) in copies {
            logits[k as usize] = mean;
        }
    }
}

/// Adds `weight` times the mean logit of the lines just above and below to each line's logit,
/// where the two are on the same side of the decision. The trees judge each line from the
/// linear stages' view of its neighbours, not from their own verdicts on them; a line between
/// two lines they are sure of is likelier to share their side.
fn lean_on_neighbours(logits: &mut [f32], weight: f32, own: &mut Vec<f32>) {
    if logits.len() < 2 {
        return;
    }
    own.clear();
    own.extend_from_slice(logits);
    let last = own.len() - 1;
    for (k, logit) in logits.iter_mut().enumerate() {
        let neighbours = if k == 0 {
            own[1]
        } else if k == last {
            own[last - 1]
        } else if (own[k - 1] >= 0.0) == (own[k + 1] >= 0.0) {
            (own[k - 1] + own[k + 1]) / 2.0
        } else {
            // Where the page turns (the last paragraph above a comment form), each side pulls
            // its own way: the line is left to its own verdict.
            0.0
        };
        *logit = own[k] + weight * neighbours;
    }
}

/// What a tree row is built from besides the context: the page's stage-1 rows (flat,
/// [`FEATURES1`] wide), its tree-only features and its lines' word counts.
struct TreeInputs<'a> {
    x1: &'a [f32],
    f3: &'a [[f32; D3]],
    words: &'a [f32],
}

/// One tree stage's logits for every line into `out`, on the context rows of `ctx`, the
/// context of the previous logits `prev`, and the tree-only rows ([`tree_features`]); lines
/// whose `prev` logit is further from 0 than `sure` keep it, unwalked.
fn forest_logits(
    forest: &Forest,
    ctx: &Context,
    inputs: &TreeInputs,
    prev: &[f32],
    sure: f32,
    out: &mut Vec<f32>,
) {
    let TreeInputs { x1, f3, words } = *inputs;
    let d1 = FEATURES1.len();
    let mut rows = [[0.0f32; ROW_WIDTH]; TREE_BLOCK];
    let mut logits = [0.0f32; TREE_BLOCK];
    let mut tree_words = Vec::new();
    out.clear();
    out.extend_from_slice(prev);
    let open: Vec<usize> = (0..prev.len()).filter(|&k| prev[k].abs() <= sure).collect();
    for block in open.chunks(TREE_BLOCK) {
        for (row, &k) in rows.iter_mut().zip(block) {
            let x = &x1[k * d1..(k + 1) * d1];
            let (line_part, rest) = row.split_at_mut(d1);
            let (context_part, tree_part) = rest.split_at_mut(FEATURES2.len());
            line_part.copy_from_slice(x);
            ctx.line(k, x, words, prev).write_row(context_part);
            if let Some(f) = f3.get(k) {
                tree_part.copy_from_slice(f);
            }
        }
        let n = block.len();
        forest.eval_rows(&rows[..n], &mut logits[..n], &mut tree_words);
        for (&k, &logit) in block.iter().zip(&logits) {
            out[k] = logit;
        }
    }
}

/// One context stage's logits for every line into `out`, `ctx` being the context of `prev`.
fn context_logits(
    w: &[f32],
    ctx: &Context,
    x1: &[f32],
    words: &[f32],
    prev: &[f32],
    out: &mut Vec<f32>,
) {
    let d1 = FEATURES1.len();
    let (w_line, w_ctx) = w.split_at(d1);
    out.clear();
    out.extend((0..prev.len()).map(|k| {
        let x = &x1[k * d1..(k + 1) * d1];
        dot(w_line, x) + ctx.line(k, x, words, prev).dot(w_ctx)
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn removed(rules: &Rules, text: &str) -> Vec<u32> {
        rules.removals(text).iter().map(|r| r.line_index).collect()
    }

    #[test]
    fn load_model_replaces_the_stages_it_has() {
        let mut r = Rules::builtin();
        let (stages, trees) = (r.stages.clone(), r.forests[0].split_count());
        r.load_model(TREES_FILE);
        r.load_model(MODEL_FILE);
        assert_eq!(r.forests.len(), 1);
        assert_eq!(r.forests[0].split_count(), trees);
        assert_eq!(r.stages, stages);
        r.load_model("s1\tbias\t1\nthreshold\t0.4\n");
        assert_eq!(r.stages.len(), 1);
        assert_eq!(r.stages[0][0], 1.0);
        assert_eq!(r.forests.len(), 1);
        assert_eq!(r.thresholds()[0], 0.4);
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
                fold_line(cols[2], &mut norm);
                let w = word_count(cols[2]);
                if cols[0] == COMMENT_BYLINE {
                    assert!(r.is_byline(&norm, w), "byline not matched: {line}");
                    continue;
                }
                if cols[0] == COUNTER_WORD {
                    let has_word = norm
                        .split(|c: char| !c.is_alphanumeric())
                        .any(|t| t == cols[1]);
                    assert!(has_word, "example without its word: {line}");
                    assert!(
                        is_counter_line(&norm, w, &r.counter_words),
                        "example no counter line: {line}"
                    );
                    continue;
                }
                assert!(
                    phrase_hit_in(&r, &norm, w).is_some(),
                    "example not matched: {line}"
                );
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

    /// With every line the model's to remove (threshold 0) and the guard out of reach, what is
    /// left is what the guard keeps: the text's long lines above the form and its sentences up
    /// to the form's first line, not the menu entry between them.
    #[test]
    fn sentences_right_above_the_comment_form_need_the_guard_threshold() {
        let mut r = Rules::builtin();
        let [_, soft, _, _, _] = r.thresholds();
        r.set_thresholds([0.0, soft, 1.01, 0.0, 0.0]);
        let text = "The siege lasted five months and ended in the spring of the following year after heavy losses on both sides.\n\
            Home\n\
            The city was rebuilt afterwards.\n\
            Leave a comment\n\
            Your email address will not be published.\n\
            Name *";
        assert_eq!(removed(&r, text), vec![1, 3, 4, 5]);
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

    /// WordPress's comment form and Jetpack's share, like and Akismet lines as the Spanish,
    /// French, German, Italian and Portuguese translations print them, under two paragraphs
    /// of a news story, with the whole model at work: every form line goes, the paragraphs
    /// stay, and so does the second one, which uses the form's words in a sentence.
    #[test]
    fn wordpress_forms_in_five_languages_go_under_a_story() {
        let r = Rules::builtin();
        let pages: [[&str; 2]; 5] = [
            [
                "La nueva biblioteca municipal abrió sus puertas el lunes con una colección de más de cuarenta mil libros y un espacio dedicado a los niños.",
                "Los campos obligatorios del formulario de inscripción están marcados con un asterisco, explicó la directora, y los comentarios de los vecinos se publican cada semana.",
            ],
            [
                "La nouvelle médiathèque a ouvert ses portes lundi avec une collection de plus de quarante mille livres et un espace réservé aux enfants.",
                "Les champs obligatoires du formulaire d'inscription sont indiqués avec un astérisque, a expliqué la directrice, et les commentaires des habitants sont publiés chaque semaine.",
            ],
            [
                "Die neue Stadtbibliothek hat am Montag ihre Türen geöffnet, mit einer Sammlung von mehr als vierzigtausend Büchern und einem eigenen Bereich für Kinder.",
                "Die erforderlichen Felder des Anmeldeformulars sind mit einem Stern markiert, erklärte die Leiterin, und die Kommentare der Anwohner werden jede Woche veröffentlicht.",
            ],
            [
                "La nuova biblioteca comunale ha aperto lunedì con una collezione di oltre quarantamila libri e uno spazio dedicato ai bambini.",
                "I campi obbligatori del modulo di iscrizione sono contrassegnati da un asterisco, ha spiegato la direttrice, e i commenti dei residenti vengono pubblicati ogni settimana.",
            ],
            [
                "A nova biblioteca municipal abriu as portas na segunda-feira com um acervo de mais de quarenta mil livros e um espaço dedicado às crianças.",
                "Os campos obrigatórios do formulário de inscrição são marcados com um asterisco, explicou a diretora, e os comentários dos moradores são publicados toda semana.",
            ],
        ];
        let forms: [&[&str]; 5] = [
            &[
                "Comparte esto:",
                "Me gusta esto:",
                "Relacionado",
                "Deja una respuesta Cancelar la respuesta",
                "Tu dirección de correo electrónico no será publicada. Los campos obligatorios están marcados con *",
                "Comentario *",
                "Nombre *",
                "Correo electrónico *",
                "Guarda mi nombre, correo electrónico y web en este navegador para la próxima vez que comente.",
                "Publicar el comentario",
                "Recibir un email con los siguientes comentarios a esta entrada.",
                "Este sitio usa Akismet para reducir el spam. Aprende cómo se procesan los datos de tus comentarios.",
            ],
            &[
                "Partager :",
                "Sur le même thème",
                "Laisser un commentaire Annuler la réponse",
                "Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *",
                "Commentaire *",
                "Nom *",
                "Enregistrer mon nom, mon e-mail et mon site dans le navigateur pour mon prochain commentaire.",
                "Laisser un commentaire",
                "Prévenez-moi de tous les nouveaux commentaires par e-mail.",
                "Ce site utilise Akismet pour réduire les indésirables. En savoir plus sur la façon dont les données de vos commentaires sont traitées.",
            ],
            &[
                "Teilen mit:",
                "Gefällt mir:",
                "Ähnliche Beiträge",
                "Schreibe einen Kommentar Antworten abbrechen",
                "Deine E-Mail-Adresse wird nicht veröffentlicht. Erforderliche Felder sind mit * markiert",
                "Kommentar *",
                "Meinen Namen, meine E-Mail-Adresse und meine Website in diesem Browser für die nächste Kommentierung speichern.",
                "Kommentar abschicken",
                "Du musst angemeldet sein, um einen Kommentar abzugeben.",
                "Diese Website verwendet Akismet, um Spam zu reduzieren. Erfahre mehr darüber, wie deine Kommentardaten verarbeitet werden.",
            ],
            &[
                "Condividi:",
                "Mi piace:",
                "Correlati",
                "Lascia un commento Annulla risposta",
                "Il tuo indirizzo email non sarà pubblicato. I campi obbligatori sono contrassegnati *",
                "Commento *",
                "Salva il mio nome, email e sito web in questo browser per la prossima volta che commento.",
                "Devi essere connesso per inviare un commento.",
                "Questo sito usa Akismet per ridurre lo spam. Scopri come i tuoi dati vengono elaborati.",
            ],
            &[
                "Compartilhe isso:",
                "Curtir isso:",
                "Relacionado",
                "Deixe um comentário Cancelar resposta",
                "O seu endereço de e-mail não será publicado. Campos obrigatórios são marcados com *",
                "Comentário *",
                "Salvar meus dados neste navegador para a próxima vez que eu comentar.",
                "Publicar comentário",
                "Notifique-me sobre novos comentários por e-mail.",
                "Este site utiliza o Akismet para reduzir spam. Saiba como seus dados em comentários são processados.",
            ],
        ];
        for (story, form) in pages.iter().zip(forms) {
            let rules = rules_under(&r, story, form);
            assert!(!rules.contains(&"kept"), "{form:?}: {rules:?}");
        }
    }

    /// [`Rules::phrase_hit`] of a folded line of `words` words, as [`Rules::analyse`] calls it.
    fn phrase_hit_in(r: &Rules, norm: &str, words: u32) -> Option<Hit> {
        let (key, end_punct) = (folded_line_key(norm), ends_sentence(norm));
        r.phrase_hit(norm, key, words, end_punct, r.literal_groups(norm))
    }

    /// The rule that removes each of `lines` placed under the lines of `story` ("kept" for a
    /// line kept), after checking that the story stays.
    fn rules_under(r: &Rules, story: &[&str], lines: &[&str]) -> Vec<&'static str> {
        let text = [story, lines].concat().join("\n");
        let removals = r.removals(&text);
        let first = story.len() as u32;
        assert!(
            removals.iter().all(|removal| removal.line_index >= first),
            "{text}"
        );
        (first..first + lines.len() as u32)
            .map(|k| {
                let removal = removals.iter().find(|removal| removal.line_index == k);
                removal.map_or("kept", |removal| removal.rule)
            })
            .collect()
    }

    /// [`rules_under`] a two-paragraph English news story.
    fn rules_under_a_story(r: &Rules, lines: &[&str]) -> Vec<&'static str> {
        let story = [
            "The new library opened on Monday with a collection of more than forty thousand books and a space for children.",
            "Residents celebrated the opening with a party in the square, with music, reading workshops and an exhibition of old photographs.",
        ];
        rules_under(r, &story, lines)
    }

    /// Asserts that every one of `lines`, under a story, goes by one of the rules `named`.
    fn assert_named_by(r: &Rules, lines: &[&str], named: &[&str]) {
        let rules = rules_under_a_story(r, lines);
        assert!(
            rules.iter().all(|rule| named.contains(rule)),
            "{lines:?}: {rules:?}"
        );
    }

    /// Blogger's post footer and sidebar as its Portuguese, Spanish, French, German and Italian
    /// templates print them: each line goes by the phrase rules themselves, whatever the
    /// line model would say of a run of short lines after a story.
    #[test]
    fn blogger_furniture_in_five_languages_is_named_by_the_rules() {
        let r = Rules::builtin();
        let furniture: [&[&str]; 5] = [
            &[
                "Postar um comentário",
                "Postagem mais recente",
                "Postagem mais antiga",
                "Nenhum comentário:",
                "Compartilhar com o Pinterest",
                "Ver meu perfil completo",
            ],
            &[
                "Publicar un comentario",
                "Entrada más reciente",
                "Entrada antigua",
                "No hay comentarios:",
                "Compartir con Facebook",
                "Ver todo mi perfil",
            ],
            &[
                "Enregistrer un commentaire",
                "Article plus récent",
                "Article plus ancien",
                "Aucun commentaire:",
                "Partager sur Pinterest",
                "Afficher mon profil complet",
            ],
            &[
                "Kommentar veröffentlichen",
                "Neuerer Post",
                "Älterer Post",
                "Keine Kommentare:",
                "Auf Pinterest teilen",
                "Mein Profil vollständig anzeigen",
            ],
            &[
                "Posta un commento",
                "Post più recente",
                "Post più vecchio",
                "Nessun commento:",
                "Condividi su Pinterest",
                "Visualizza il mio profilo completo",
            ],
        ];
        let blogger = ["blogger_furniture", "wp_leave_comment", "wp_comment_form"];
        for lines in furniture {
            assert_named_by(&r, lines, &blogger);
        }
    }

    /// Copyright lines and newsletter prompts in the same five languages, with and without
    /// their final full stop.
    #[test]
    fn footers_in_five_languages_are_named_by_the_rules() {
        let r = Rules::builtin();
        let lines = [
            "Todos los derechos reservados",
            "Suscríbete a nuestro boletín",
            "Tous droits réservés",
            "Abonnez-vous à notre newsletter",
            "Alle Rechte vorbehalten",
            "Newsletter abonnieren",
            "Tutti i diritti riservati",
            "Iscriviti alla newsletter",
            "Todos os direitos reservados",
            "Assine nossa newsletter",
        ];
        assert_named_by(&r, &lines, &["page_footer"]);
    }

    /// Jetpack's share buttons as its translations print them, with the screen-reader suffix
    /// glued on or spaced ("Twitter(abre em nova janela)"), go by the share rule; cookie banners
    /// and JavaScript notices in the same languages are hints, and sentences about cookies or
    /// JavaScript are neither.
    #[test]
    fn share_buttons_and_notices_in_five_languages() {
        let r = Rules::builtin();
        let buttons = [
            "Share on X (Opens in new window)",
            "Clique para compartilhar no Twitter(abre em nova janela)",
            "Compartilhar no Facebook(abre em nova janela)",
            "Haz clic para compartir en Facebook (Se abre en una ventana nueva)",
            "Cliquez pour partager sur Twitter(ouvre dans une nouvelle fenêtre)",
            "Klick, um über Twitter zu teilen (Wird in neuem Fenster geöffnet)",
            "Fai clic qui per condividere su Twitter (Si apre in una nuova finestra)",
            "Compartilhe:",
            "Siga-nos no Instagram",
            "Síguenos en Instagram",
            "Suivez-nous sur Instagram",
            "Folgen Sie uns auf Instagram",
            "Seguici su Instagram",
        ];
        assert_named_by(&r, &buttons, &["share_bar"]);
        let mut norm = String::new();
        let mut hint = |line: &str| {
            fold_line(line, &mut norm);
            let hit = phrase_hit_in(&r, &norm, word_count(line));
            hit.filter(|h| !h.hard).map(|h| h.name)
        };
        for (line, rule) in [
            (
                "Este site usa cookies para melhorar a sua experiência.",
                "cookie_notice",
            ),
            (
                "Esta web utiliza cookies propias y de terceros.",
                "cookie_notice",
            ),
            (
                "Notre site utilise des cookies pour mesurer l'audience.",
                "cookie_notice",
            ),
            (
                "Diese Website nutzt Cookies, um Ihnen den besten Service zu bieten.",
                "cookie_notice",
            ),
            (
                "Questo sito usa i cookie per migliorare la tua esperienza.",
                "cookie_notice",
            ),
            (
                "Por favor, ative o JavaScript no seu navegador.",
                "c4_javascript",
            ),
            (
                "Por favor, habilita JavaScript en tu navegador.",
                "c4_javascript",
            ),
            (
                "Veuillez activer JavaScript dans votre navigateur.",
                "c4_javascript",
            ),
            (
                "Bitte aktivieren Sie JavaScript in Ihrem Browser.",
                "c4_javascript",
            ),
            (
                "Per favore abilita JavaScript nel tuo browser.",
                "c4_javascript",
            ),
        ] {
            assert_eq!(hint(line), Some(rule), "{line}");
        }
        for sentence in [
            "O JavaScript é uma linguagem de programação usada na maioria dos sites.",
            "La receta de las cookies de mi abuela lleva mantequilla y nueces.",
            "Les cookies de Noël se conservent une semaine dans une boîte en fer.",
            "Die Kekse werden in Amerika Cookies genannt.",
            "Il browser più usato in Italia è Chrome, seguito da Safari.",
        ] {
            assert_eq!(hint(sentence), None, "{sentence}");
        }
    }

    /// Dates, times and counters as pages in Portuguese, Spanish, French, German and Italian
    /// print them are counter lines; a short sentence with a number and some of their words
    /// is not.
    #[test]
    fn counter_lines_in_five_languages() {
        let r = Rules::builtin();
        let mut norm = String::new();
        let mut is_counter = |line: &str| {
            fold_line(line, &mut norm);
            is_counter_line(&norm, word_count(line), &r.counter_words)
        };
        for line in [
            "5 de março de 2024 às 14:32",
            "há 3 dias",
            "12 comentários",
            "5 min de leitura",
            "hace 2 horas",
            "15 de enero de 2025",
            "1.204 visitas",
            "il y a 3 jours",
            "Publié le 5 mars 2024 à 14h32",
            "12 commentaires",
            "vor 3 Tagen",
            "5. März 2024 um 14:32 Uhr",
            "12 Kommentare",
            "3 giorni fa",
            "Pubblicato il 5 marzo 2024",
            "12 commenti",
        ] {
            assert!(is_counter(line), "{line}");
        }
        for sentence in [
            "Em 1943 o Exército Vermelho venceu em Stalingrado.",
            "Hace 3 días llegó la primavera a Madrid.",
            "Il y a 3 raisons de lire ce livre.",
            "Vor 3 Tagen begann der Streik der Lokführer.",
            "3 giorni fa è iniziato il festival di Venezia.",
        ] {
            assert!(!is_counter(sentence), "{sentence}");
        }
        // Words of two languages make no counter line ("out" is Portuguese for October, "of"
        // English): English lines read as they did before the other languages' rows.
        assert!(!is_counter("4.7 out of 5"));
    }

    /// WordPress's feed links, post navigation and theme credits in the same five languages,
    /// and the German byline with its date.
    #[test]
    fn wordpress_widgets_in_five_languages_are_named_by_the_rules() {
        let r = Rules::builtin();
        let lines = [
            "Feed de comentarios",
            "Orgullosamente impulsado por WordPress",
            "Flux des publications",
            "Fièrement propulsé par WordPress",
            "Veröffentlicht von SeglerBlog am 23. Februar 2020",
            "Feed der Einträge",
            "Stolz präsentiert von WordPress",
            "Feed dei commenti",
            "Creato con WordPress",
            "Navegação de Post",
            "Feed de posts",
            "Desenvolvido com WordPress",
        ];
        assert_named_by(&r, &lines, &["wp_filed_under", "wp_comment_form"]);
        // Bylines are matched with their date ("am 23. Februar"): a sentence opening with
        // the same words stays.
        for sentence in [
            "Publicado por primera vez en 1967, el libro vendió más de treinta millones de ejemplares.",
            "Publié par Gallimard en 1942, le roman a été traduit dans plus de quarante langues.",
            "Veröffentlicht von einem kleinen Verlag am 3. Mai 1952, wurde das Buch schnell ein Erfolg.",
            "Scritto da un giovane autore siciliano, il romanzo ha vinto il premio Strega nel 1959.",
            "Publicado por uma pequena editora, o livro esgotou em poucas semanas em todo o país.",
        ] {
            assert_eq!(rules_under_a_story(&r, &[sentence]), ["kept"], "{sentence}");
        }
    }

    #[test]
    fn an_escaped_star_is_the_character_and_makes_the_rule_hard() {
        let escaped = Rules::compile_pattern("test", "required fields are marked \\*");
        assert!(
            matches!(escaped.toks.as_slice(), [Tok::Lit(l)] if l == "required fields are marked *")
        );
        assert!(!escaped.trail_any);
        assert!(escaped.matches("required fields are marked *"));
        assert!(!escaped.matches("required fields are marked in red"));
        let wildcard = Rules::compile_pattern("test", "required fields are marked *");
        assert!(wildcard.trail_any);
        assert!(wildcard.matches("required fields are marked in red"));
        // An escaped `#` is a literal too, and a backslash before anything else is kept.
        let hash = Rules::compile_pattern("test", "\\# tag a\\b");
        assert!(matches!(hash.toks.as_slice(), [Tok::Lit(l)] if l == "# tag a\\b"));
    }

    /// Per language: a content sentence made of the same words as the form lines after it,
    /// which must be kept while every form line goes.
    #[test]
    fn comment_forms_in_more_languages_go_and_content_with_their_words_stays() {
        // The rule files are on trial here, not the line model: a page of one sentence and a
        // form gives the model nothing to judge the sentence by (with it, the Indonesian
        // sentence, "email" and all, goes as a lone line above a form).
        let r = Rules::with_config(Config {
            keep_rules: vec![RULE_MODEL.to_owned()],
            ..Config::default()
        });
        let pages: [(&str, &[&str]); 22] = [
            (
                "De lezers geven een reactie op elk bericht en delen hun e-mailadres niet graag met de krant.",
                &[
                    "Geef een reactie",
                    "Reactie annuleren",
                    "Je e-mailadres wordt niet gepubliceerd. Vereiste velden zijn gemarkeerd met *",
                    "Reactie plaatsen",
                ],
            ),
            (
                "Läsarna brukar lämna ett svar på varje inlägg, men de vill inte att deras e-postadress publiceras.",
                &[
                    "Lämna ett svar",
                    "Avbryt svar",
                    "Din e-postadress kommer inte publiceras. Obligatoriska fält är märkta *",
                    "Publicera kommentar",
                ],
            ),
            (
                "Læserne skriver et svar til hvert indlæg, og de deler sjældent deres e-mailadresse med avisen.",
                &[
                    "Skriv et svar",
                    "Annuller svar",
                    "Din e-mailadresse vil ikke blive publiceret. Krævede felter er markeret med *",
                    "Send kommentar",
                ],
            ),
            (
                "Leserne legger igjen et svar på hvert innlegg, men de vil ikke at e-postadressen blir publisert.",
                &[
                    "Legg igjen et svar",
                    "Avbryt svar",
                    "Din e-postadresse vil ikke bli publisert. Obligatoriske felt er merket med *",
                    "Publiser kommentar",
                ],
            ),
            (
                "Lukijat jättävät kommentin jokaiseen artikkeliin, eikä heidän sähköpostiosoitettaan julkaista koskaan.",
                &[
                    "Jätä kommentti",
                    "Peruuta vastaus",
                    "Sähköpostiosoitettasi ei julkaista. Pakolliset kentät on merkitty *",
                    "Lähetä kommentti",
                ],
            ),
            (
                "Czytelnicy dodają komentarz do każdego wpisu, ale ich adres e-mail nie zostanie nigdzie opublikowany.",
                &[
                    "Dodaj komentarz",
                    "Anuluj pisanie odpowiedzi",
                    "Twój adres e-mail nie zostanie opublikowany. Wymagane pola są oznaczone *",
                    "Opublikuj komentarz",
                ],
            ),
            (
                "Čtenáři napsali komentář ke každému článku a jejich e-mailová adresa nebude nikde zveřejněna.",
                &[
                    "Napsat komentář",
                    "Zrušit odpověď na komentář",
                    "Vaše e-mailová adresa nebude zveřejněna. Vyžadované informace jsou označeny *",
                    "Odeslat komentář",
                ],
            ),
            (
                "Читатели часто оставляют комментарий к каждой записи, но их адрес никогда не будет опубликован.",
                &[
                    "Добавить комментарий",
                    "Отменить ответ",
                    "Ваш адрес email не будет опубликован. Обязательные поля помечены *",
                    "Отправить комментарий",
                ],
            ),
            (
                "Okuyucular her yazıya bir yanıt yazıyor, ancak e-posta adresleri hiçbir zaman yayınlanmayacak.",
                &[
                    "Bir yanıt yazın",
                    "Yanıtı iptal et",
                    "E-posta adresiniz yayınlanmayacak. Gerekli alanlar * ile işaretlenmişlerdir",
                    "Yorum gönder",
                ],
            ),
            (
                "Cititorii lasă un răspuns la fiecare articol, iar adresa lor de email nu va fi publicată nicăieri.",
                &[
                    "Lasă un răspuns",
                    "Anulează răspunsul",
                    "Adresa ta de email nu va fi publicată. Câmpurile obligatorii sunt marcate cu *",
                    "Publică comentariul",
                ],
            ),
            (
                "Els lectors deixen un comentari a cada entrada, però la seva adreça electrònica no es publicarà mai.",
                &[
                    "Deixa un comentari",
                    "Cancel·la la resposta",
                    "L'adreça electrònica no es publicarà. Els camps necessaris estan marcats amb *",
                    "Publica el comentari",
                ],
            ),
            (
                "Para pembaca selalu meninggalkan balasan di setiap tulisan, tetapi alamat email mereka tidak dipublikasikan.",
                &[
                    "Tinggalkan Balasan",
                    "Batalkan balasan",
                    "Alamat email Anda tidak akan dipublikasikan. Ruas yang wajib ditandai *",
                    "Kirim Komentar",
                ],
            ),
            (
                "Οι αναγνώστες αφήνουν μια απάντηση σε κάθε άρθρο, αλλά η διεύθυνσή τους δεν δημοσιεύεται ποτέ.",
                &[
                    "Αφήστε μια απάντηση",
                    "Ακύρωση απάντησης",
                    "Η ηλ. διεύθυνση σας δεν δημοσιεύεται. Τα υποχρεωτικά πεδία σημειώνονται με *",
                    "Δημοσίευση σχολίου",
                ],
            ),
            (
                "Az olvasók minden bejegyzéshez hozzászólást írnak, de az e-mail címüket soha nem tesszük közzé.",
                &[
                    "Vélemény, hozzászólás?",
                    "Válasz megszakítása",
                    "Az e-mail címet nem tesszük közzé. A kötelező mezőket * karakterrel jelöltük",
                    "Hozzászólás küldése",
                ],
            ),
            (
                "Читачі завжди залишають відповідь під кожним записом, але їхня адреса ніколи не оприлюднюється.",
                &[
                    "Залишити відповідь",
                    "Скасувати відповідь",
                    "Ваша e-mail адреса не оприлюднюватиметься. Обов’язкові поля позначені *",
                    "Опублікувати коментар",
                ],
            ),
            (
                "Čitatelia pridajú komentár ku každému článku, ale ich e-mailová adresa nebude nikde zverejnená.",
                &[
                    "Pridaj komentár",
                    "Zrušiť odpoveď",
                    "Vaša e-mailová adresa nebude zverejnená. Vyžadované polia sú označené *",
                    "Pridať komentár",
                ],
            ),
            (
                "Độc giả thường để lại một bình luận dưới mỗi bài viết, nhưng email của họ không bao giờ được công khai.",
                &[
                    "Để lại một bình luận",
                    "Hủy trả lời",
                    "Email của bạn sẽ không được hiển thị công khai. Các trường bắt buộc được đánh dấu *",
                    "Gửi bình luận",
                ],
            ),
            (
                "読者はどの記事にもコメントを残すが、そのメールアドレスが公開されることはありませんと編集部は説明した。",
                &[
                    "コメントを残す",
                    "コメントをキャンセル",
                    "メールアドレスが公開されることはありません。 ※ が付いている欄は必須項目です",
                    "コメントを送信",
                ],
            ),
            (
                "读者在每篇文章下面发表评论，编辑部表示他们的电子邮箱地址不会被公开，也不会交给任何第三方。",
                &[
                    "发表回复",
                    "取消回复",
                    "您的电子邮箱地址不会被公开。 必填项已用*标注",
                    "发表评论",
                ],
            ),
            (
                "독자들은 모든 글에 답글을 남기지만, 편집부는 그들의 이메일 주소가 절대 공개되지 않는다고 밝혔다.",
                &[
                    "답글 남기기",
                    "응답 취소",
                    "이메일 주소는 공개되지 않습니다. 필수 필드는 *로 표시됩니다",
                    "댓글 달기",
                ],
            ),
            (
                "يترك القراء تعليقاً على كل مقالة، لكن عنوان بريدهم الإلكتروني لن يتم نشره في أي مكان على الإطلاق.",
                &[
                    "اترك تعليقاً",
                    "إلغاء الرد",
                    "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *",
                    "إرسال التعليق",
                ],
            ),
            (
                "הקוראים כותבים תגובה לכל פוסט באתר, אבל האימייל שלהם לעולם לא יוצג באתר ולא יימסר לאף אחד.",
                &[
                    "כתיבת תגובה",
                    "ביטול",
                    "האימייל לא יוצג באתר. שדות החובה מסומנים *",
                    "להגיב",
                ],
            ),
        ];
        for (content, form) in pages {
            let text = std::iter::once(content)
                .chain(form.iter().copied())
                .collect::<Vec<_>>()
                .join("\n");
            let expected: Vec<u32> = (1..=form.len() as u32).collect();
            assert_eq!(removed(&r, &text), expected, "{content}");
        }
    }

    #[test]
    fn sentence_mentioning_twitter_or_comments_is_kept() {
        let r = Rules::builtin();
        let text = "The minister answered on Twitter within an hour, and 12 comments followed in the press.\n\
            Readers can leave a comment on Twitter or Facebook, the editor said in a statement.";
        assert!(removed(&r, text).is_empty());
    }

    #[test]
    fn a_two_line_page_is_left_to_the_rules() {
        let r = Rules::builtin();
        let sentence = "Readers can leave a comment on Twitter or Facebook, the editor said.";
        assert!(removed(&r, sentence).is_empty());
        // Furniture beside the sentence goes by its rule; the sentence, which the trees
        // removed too when they judged such a page, stays.
        for furniture in ["Home", "Share this:", "Posted in News", "Read more"] {
            assert_eq!(
                removed(&r, &format!("{furniture}\n{sentence}")),
                [0],
                "{furniture}"
            );
            assert_eq!(
                removed(&r, &format!("{sentence}\n{furniture}")),
                [1],
                "{furniture}"
            );
        }
        assert_eq!(removed(&r, &format!("{sentence}\nLeave a Reply")), [1]);
        assert_eq!(removed(&r, &format!("Leave a Reply\n{sentence}")), [0]);
    }

    #[test]
    fn copies_of_a_line_are_judged_as_one() {
        let r = Rules::builtin();
        let page = "Models | Django documentation\n\
            Home\nDocumentation\nNews\n\
            Field options\n\
            Each field takes a certain set of field-specific arguments, documented in the model \
            field reference. There is also a set of common arguments available to all field types.\n\
            Verbose field names\n\
            Each field type, except for foreign keys and the many-to-many relations, takes an \
            optional first positional argument, a verbose name.\n\
            Contents\nModels\nField options\nVerbose field names\nRelationships\n\
            Support Django!\nDownload\nPrivacy policy";
        let scored = r.score_page(page, "docs.djangoproject.com", None);
        let lines: Vec<&str> = page.lines().collect();
        let p_of = |text: &str| -> Vec<f32> {
            scored
                .infos
                .iter()
                .zip(&scored.p2)
                .filter(|(info, _)| lines[info.idx as usize] == text)
                .map(|(_, &p)| p)
                .collect()
        };
        for heading in ["Field options", "Verbose field names"] {
            let p = p_of(heading);
            assert_eq!(p.len(), 2, "{heading}");
            assert_eq!(p[0], p[1], "{heading}: the heading and its contents entry");
        }
        // Lines said once keep their own verdicts.
        assert_ne!(p_of("Relationships")[0], p_of("Home")[0]);
    }

    #[test]
    fn a_line_leans_towards_its_neighbours_verdicts() {
        let mut logits = [4.0, -1.0, 2.0, -6.0, -2.0];
        lean_on_neighbours(&mut logits, 0.25, &mut Vec::new());
        // The first and last lines have one neighbour each, the others the mean of two where
        // those agree (the fourth line's do not).
        assert_eq!(
            logits,
            [4.0 - 0.25, -1.0 + 0.75, 2.0 - 0.875, -6.0, -2.0 - 1.5]
        );
        let mut one = [3.0];
        lean_on_neighbours(&mut one, 0.25, &mut Vec::new());
        assert_eq!(one, [3.0]);
        // The shipped trees come with their weight.
        assert!(Rules::builtin().neighbour_weight > 0.0);
    }

    #[test]
    fn lines_the_linear_stages_are_sure_of_keep_their_verdict() {
        let page = include_str!("../raw/en-stalingrad-anniversary.txt");
        let mut r = Rules::builtin();
        r.set_neighbour_weight(0.0);
        let sure = r.linear_sure_logit;
        assert!(
            sure.is_finite(),
            "the shipped trees come with their linear_sure_logit"
        );
        let scored = r.score_page(page, "", None);
        let rows = r.tree_rows(page, "", None, None).x1;
        let s1 = Rules::tree_feature_names()
            .position(|n| n == "s1_logit")
            .expect("s1_logit is a tree feature");
        let (mut sure_lines, mut judged) = (0, 0);
        for (k, (row, &p)) in rows.iter().zip(&scored.p2).enumerate() {
            let linear = row[s1] * 5.0;
            let copies = scored
                .infos
                .iter()
                .filter(|i| i.key == scored.infos[k].key)
                .count();
            if linear.abs() > sure && linear.abs() < 9.0 && copies == 1 {
                sure_lines += 1;
                assert!(
                    (p - sigmoid(linear)).abs() < 1e-4,
                    "line {k}: {p} vs {linear}"
                );
            } else if linear.abs() <= sure && (p - sigmoid(linear)).abs() > 1e-3 {
                judged += 1;
            }
        }
        assert!(
            sure_lines > 0 && judged > 0,
            "{sure_lines} sure, {judged} judged by the trees"
        );
    }

    #[test]
    fn counter_and_share_lines() {
        let r = Rules::builtin();
        let words = &r.counter_words;
        assert!(is_counter_line("12 comments", 2, words));
        assert!(is_counter_line("1.2k views", 3, words));
        assert!(is_counter_line("september 17, 2025 at 6:26 pm", 7, words));
        assert!(!is_counter_line(
            "12 soldiers crossed the river in 1942",
            7,
            words
        ));
        let mut n = String::new();
        fold_line("Share 0", &mut n);
        assert!(
            r.phrase_hit(&n, folded_line_key(&n), 2, false, r.literal_groups(&n))
                .is_some_and(|h| h.hard && h.name == "share_bar")
        );
        fold_line(
            "Share your thoughts with the community before Friday.",
            &mut n,
        );
        assert!(
            r.phrase_hit(&n, folded_line_key(&n), 8, true, r.literal_groups(&n))
                .is_none()
        );
    }

    #[test]
    fn cookie_and_javascript_notices_are_soft_hints() {
        let r = Rules::builtin();
        let mut n = String::new();
        fold_line(
            "We use cookies to ensure that we give you the best experience on our website.",
            &mut n,
        );
        assert!(
            r.phrase_hit(&n, folded_line_key(&n), 15, true, r.literal_groups(&n))
                .is_some_and(|h| h.name == "cookie_notice")
        );
        fold_line("Please enable JavaScript in your browser.", &mut n);
        assert!(
            r.phrase_hit(&n, folded_line_key(&n), 6, true, r.literal_groups(&n))
                .is_some_and(|h| h.name == "c4_javascript")
        );
        // A line about JavaScript itself is no notice.
        fold_line(
            "JavaScript is a programming language used on most websites.",
            &mut n,
        );
        assert!(
            r.phrase_hit(&n, folded_line_key(&n), 9, true, r.literal_groups(&n))
                .is_none()
        );
        fold_line("Grandma's cookies use butter, not margarine.", &mut n);
        assert!(
            r.phrase_hit(&n, folded_line_key(&n), 7, true, r.literal_groups(&n))
                .is_none()
        );
    }

    #[test]
    fn filed_under_needs_a_short_line() {
        let r = Rules::builtin();
        let mut n = String::new();
        fold_line("Filed under History", &mut n);
        assert!(
            r.phrase_hit(&n, folded_line_key(&n), 3, false, r.literal_groups(&n))
                .is_some_and(|h| h.hard)
        );
        fold_line(
            "Filed under pressure, the report reached the minister on the last day of June.",
            &mut n,
        );
        assert!(
            !r.phrase_hit(&n, folded_line_key(&n), 14, true, r.literal_groups(&n))
                .is_some_and(|h| h.hard)
        );
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

    /// WordPress's comment date lines as its Portuguese, Spanish, French, German and Italian
    /// translations print them are comment headers: the byline patterns catch the dates with a
    /// clock time, and the French "16 h 12 min" form is a counter line whose shape recurs. A
    /// sentence about a meeting at the same hour is neither.
    #[test]
    fn comment_date_lines_in_five_languages_are_headers() {
        let rules = Rules::builtin();
        let text = "A reunião foi marcada para as 16:12 na sede do sindicato, depois de semanas de negociação.\n\
            Maria\n5 de março de 2021 às 16:12\nÓtimo texto.\n\
            María\n5 marzo, 2021 a las 16:12\nMuy bueno.\n\
            Anna\n3. März 2021 um 16:12\nSehr gut.\n\
            Giulia\n5 marzo 2021 alle 16:12\nBellissimo.\n\
            Marie\n5 mars 2021 à 16:12\nTrès bien.\n\
            Paul\n5 mars 2021 à 16 h 12 min\nMerci.\n\
            Luc\n6 mars 2021 à 9 h 05 min\nBravo.\n\
            Léa\n7 mars 2021 à 10 h 30 min\nSuper.";
        let (infos, _, _) = rules.analyse(text, "", None);
        let heads: Vec<usize> = (0..infos.len())
            .filter(|&k| infos[k].comment_head)
            .collect();
        assert_eq!(heads, vec![2, 5, 8, 11, 14, 17, 20, 23], "{heads:?}");
    }

    #[test]
    fn comment_bylines_and_recurring_date_lines_are_headers() {
        let rules = Rules::builtin();
        let text = "Open-sourcing the printer's CAD files under a community license\n\
            We are releasing the full CAD files of the printer under a new license that lets you \
            modify and share them.\n\
            Our lawyer says:\n\
            Nothing in the license stops anyone from selling printed parts made with these files.\n\
            15 Replies to “Open-sourcing the CAD files”\n\
            sfcgeorge says:\n\
            December 19, 2025 at 13:01\n\
            This makes me really happy.\n\
            Balu says:\n\
            December 19, 2025 at 14:10\n\
            About time\n\
            Lamin says:\n\
            December 20, 2025 at 9:11\n\
            by david.emery ( 127135 ) writes: on Friday January 12, 2024 @11:51AM (#64153115)\n\
            Here is what my son says about the printer, which he uses every single day at school:\n\
            The meeting of 12 May 2024 at 10:30 was moved.";
        let (infos, _, _) = rules.analyse(text, "", None);
        let heads: Vec<usize> = (0..infos.len())
            .filter(|&k| infos[k].comment_head)
            .collect();
        // "Our lawyer says:" in the article is a byline too: a hint for the trees, which
        // weigh it with where it stands; the long sentence ending in "says ...:" and a date in
        // a sentence are not.
        assert_eq!(heads, vec![2, 5, 6, 8, 9, 11, 12, 13], "{heads:?}");
        assert_eq!(infos[6].shape, infos[9].shape);
        assert_eq!(infos[6].shape_count, 3);
        assert_ne!(infos[6].shape, infos[7].shape);
        let f = rules.tree_rows(text, "", None, None);
        let d = FEATURES1.len() + FEATURES2.len();
        let col = |name: &str| FEATURES3.iter().position(|n| *n == name).map(|i| d + i);
        let (Some(above), Some(dist), Some(below), Some(before)) = (
            col("c_heads_above"),
            col("c_dist_above"),
            col("c_dist_below"),
            col("c_content_before"),
        ) else {
            panic!("feature names");
        };
        assert_eq!(f.x1[0][above], 0.0);
        assert_eq!(f.x1[0][dist], -1.0);
        assert_eq!(f.x1[10][above], ln1p(5));
        assert_eq!(f.x1[10][dist], ln1p(1));
        assert_eq!(f.x1[10][below], ln1p(1));
        assert_eq!(f.x1[15][below], -1.0);
        assert!((-1.0..=1.0).contains(&f.x1[0][before]));
    }

    #[test]
    fn line_shapes_ignore_names_and_numbers() {
        let mut norm = String::new();
        let mut shape = |s: &str| {
            fold_line(s, &mut norm);
            line_shape(norm.as_bytes())
        };
        assert_eq!(
            shape("by Cassini2 ( 956052 ) writes:"),
            shape("by gl4ss ( 559668 ) writes:")
        );
        assert_ne!(
            shape("by Cassini2 ( 956052 ) writes:"),
            shape("by Cassini2 writes:")
        );
        assert_ne!(shape("Balu says:"), shape("Balu says"));
    }

    #[test]
    fn long_unpunctuated_prose_line_is_kept() {
        let r = Rules::builtin();
        let prose = "the river froze early that winter and the supply lines across the ice held for weeks while the city waited for news from the other bank and nobody slept";
        assert!(removed(&r, prose).is_empty());
        let page = format!("Home\nNews\nSport\n{prose}\nAbout us\nContact");
        assert!(!removed(&r, &page).contains(&3), "{:?}", removed(&r, &page));
    }

    #[test]
    fn punctuation_lines_go_with_removed_neighbours_only() {
        let r = Rules::builtin();
        let text = "Leave a Reply\n|\nLeave a comment\n\u{2022}\n\
            The station opened in 1932 and was rebuilt after the war with a new steel roof over the platforms.\n\
            ***\n\
            The architects kept the original clock, which still runs four minutes fast, as every commuter knows.";
        let rem = r.removals(text);
        let idx: Vec<u32> = rem.iter().map(|r| r.line_index).collect();
        assert_eq!(&idx[..3], &[0, 1, 2], "{rem:?}");
        assert_eq!(rem[1].rule, RULE_PUNCT);
        // The bullet after the last removed line and the rule between two kept paragraphs stay.
        assert!(!idx.contains(&3) || idx.contains(&4), "{rem:?}");
        assert!(!idx.contains(&5), "{rem:?}");
    }

    #[test]
    fn char_stats_count_words_like_the_scorer() {
        for line in [
            "Hello, world! 3 cats_and dogs",
            "café ½ x²",
            " — ",
            "Ünïcode Wörds», ok",
        ] {
            assert_eq!(CharStats::of(line).words, word_count(line), "{line}");
        }
        let s = CharStats::of("Home | About » Contact © 2024");
        assert_eq!((s.seps, s.upper_words, s.digits), (2, 3, 4));
        assert!(s.copyright_sign);
        // Lines longer than a round of lanes, with a word across the round's end.
        for line in [
            "a".repeat(300),
            "Ab_c ".repeat(90),
            format!("{}Étoile@x.org ½ {}", "x".repeat(125), "Ü|".repeat(80)),
        ] {
            assert_eq!(CharStats::of(&line), CharStats::of_by_char(&line), "{line}");
        }
    }

    proptest::proptest! {
        #[test]
        fn char_stat_lanes_count_like_the_definition(line in "[a-zA-Z0-9 _@|/>;{=(<.,Éüß½²»›·•©\u{660}\u{3042}😀-]{0,400}") {
            proptest::prop_assert_eq!(CharStats::of(&line), CharStats::of_by_char(&line));
        }
    }

    #[test]
    fn short_line_between_kept_paragraphs_is_sandwiched() {
        let rules = Rules::builtin();
        let para = |topic: &str| {
            format!(
                "The {topic} was rebuilt after the war by the people who had lived there, and \
                 the work took most of a decade because materials were scarce and every brick \
                 had to be carried by hand from the river."
            )
        };
        let page = format!(
            "{}\nThe old bridge at dawn, after the flood\n{}\nHome\nContact",
            para("bridge"),
            para("station")
        );
        let scored = rules.score_page(&page, "", None);
        let ScoredPage { infos, p2, .. } = &scored;
        assert!(p2[0] < rules.threshold && p2[2] < rules.threshold);
        // The caption sits between two kept paragraphs; the menu line below has one above only.
        assert!(rules.sandwiched(infos, p2, 1));
        assert!(!rules.sandwiched(infos, p2, 3));
        assert!(!rules.sandwiched(infos, p2, 0));
        let kept = rules.removals_scored(&page, &scored);
        assert!(kept.iter().all(|r| r.line_index != 1), "{kept:?}");
    }

    #[test]
    fn word_hashes_skip_short_words_and_mark_long_ones() {
        let mut h = Vec::new();
        push_word_hashes(b"a cat of the mountains, cat", &mut h);
        assert_eq!(h.len(), 4, "{h:?}");
        assert_eq!(h[0], h[3]);
        assert!(!long_word(h[0]) && long_word(h[2]));
        assert!(h.iter().all(|&v| v != 0));
    }

    proptest::proptest! {
        #[test]
        fn literal_set_finds_what_a_search_per_literal_finds(
            hay in "[abc :/.w]{0,40}",
            literals in proptest::collection::vec("[abc :/.w]{0,6}", 1..6),
        ) {
            let mut set = LiteralSet::default();
            let mut expected = 0u8;
            for (k, literal) in literals.iter().enumerate() {
                let group = 1u8 << (k % 3);
                set.add(literal, group);
                if memmem::find(hay.as_bytes(), literal.as_bytes()).is_some() {
                    expected |= group;
                }
            }
            proptest::prop_assert_eq!(set.groups_in(hay.as_bytes()), expected);
        }
    }

    proptest::proptest! {
        #[test]
        fn one_pass_word_hashes_and_shape_match_the_definitions(line in "[a-zA-Z0-9 _:,.()'é😀-]{0,60}") {
            let mut norm = String::new();
            fold_line(&line, &mut norm);
            let (mut one_pass, mut by_words) = (Vec::new(), Vec::new());
            let shape = word_hashes_and_shape(norm.as_bytes(), &mut one_pass, true);
            push_word_hashes(norm.as_bytes(), &mut by_words);
            proptest::prop_assert_eq!(one_pass, by_words);
            proptest::prop_assert_eq!(shape, line_shape(norm.as_bytes()));
            proptest::prop_assert_eq!(word_hashes_and_shape(norm.as_bytes(), &mut Vec::new(), false), 0);
        }
    }

    #[test]
    fn tree_features_read_content_vocabulary_and_segments() {
        let rules = Rules::builtin();
        let text = "Mountain goats of the Alps\n\
            Home | News | Sport\n\
            Mountain goats climb steep cliffs in the Alps every summer, looking for salt and \
            fresh grass far above the valleys.\n\
            The goats return to the valleys when the first snow covers the cliffs and the \
            grass of the high pastures.\n\
            Subscribe to our newsletter\n\
            Copyright 2024 Example";
        let f = rules.tree_rows(text, "", None, None);
        let d = FEATURES1.len() + FEATURES2.len();
        assert_eq!(f.x1[0].len(), d + D3);
        let col = |name: &str| FEATURES3.iter().position(|n| *n == name).map(|i| d + i);
        let (Some(vb), Some(vt), Some(sl)) = (col("v_block"), col("v_title"), col("seg_len"))
        else {
            panic!("feature names");
        };
        // The second article line shares words with the first; the menu shares none.
        assert!(f.x1[3][vb] > 0.2, "{:?}", &f.x1[3][d..]);
        assert_eq!(f.x1[1][vb], 0.0);
        // "Mountain goats ... Alps" of the first article line are the title's words.
        assert!(f.x1[2][vt] > 0.0);
        assert!(
            f.x1.iter()
                .all(|r| r[sl] > 0.0 && r.iter().all(|v| v.is_finite()))
        );
    }

    #[test]
    fn site_named_spells_the_hosts_main_label() {
        assert_eq!(
            site_label("www.scratchculinary.com").as_deref(),
            Some(&b"scratchculinary"[..])
        );
        assert_eq!(
            site_label("home.tarkett.co.uk").as_deref(),
            Some(&b"tarkett"[..])
        );
        assert_eq!(
            site_label("journeytocollege.mo.gov").as_deref(),
            Some(&b"journeytocollege"[..])
        );
        assert_eq!(site_label("abc7ny.com").as_deref(), Some(&b"abcny"[..]));
        // Hosting platforms, short labels and directories name no site.
        for generic in [
            "myrecipes.blogspot.com",
            "medium.com",
            "kitchen.wordpress.com",
            "www.bbc.co.uk",
            "com",
            "wcxb-dev",
            "",
        ] {
            assert_eq!(site_label(generic), None, "{generic}");
        }
        let rules = Rules::builtin();
        let text = "Top Nutrition Trends for Fall | Scratch Culinary Meal Prep\n\
            Fitness experts are eating more protein and fibre this autumn, and most of them \
            plan their meals a week ahead.\n\
            At Scratch Culinary, we cook every meal from scratch in our kitchen.\n\
            We love culinary scratch-made food, cooked fresh.\n\
            The scratchculinary team cooks fresh meals.\n\
            © ScratchCulinary 2020. All rights reserved.";
        let col = FEATURES1.len() + FEATURES2.len() + feature3("site_named");
        let named = |site: &str| -> Vec<bool> {
            let f = rules.tree_rows(text, site, None, None);
            f.x1.iter().map(|r| r[col] > 0.0).collect()
        };
        assert_eq!(
            named("www.scratchculinary.com"),
            [true, false, true, false, true, true]
        );
        // Only from the start of a word to the end of one.
        assert_eq!(named("cratchculinar.com"), [false; 6]);
        assert_eq!(named("scratchculinary.wordpress.com"), [false; 6]);
        assert_eq!(named(""), [false; 6]);
    }

    #[test]
    fn lexicon_rows_travel_with_their_trees_and_weigh_a_lines_words() {
        let mut rules = Rules::builtin();
        let forest = "forest\t0\ntree\nn\tbias\t0.5\t-1\t-2\nl\t0\nl\t0\n";
        rules.load_model(&format!(
            "{forest}lex\tshare\t2.5\nlex\tfacebook\t1.5\nlex\tgoats\t-1.25\nlex\tno\t9\n\
             lex2\tshare facebook\t3\nlex2\tgoats share\t-2\nlex2\tshare\t7\nlex\tsummer\t5\t6\n\
             lex2\tmountain goats\t4\n"
        ));
        let text = "Share on Facebook\n\
            Mountain goats climb steep cliffs in the Alps every summer.\n\
            Goats share the cliffs with no one.\n\
            Home";
        let col = |name: &str| FEATURES1.len() + FEATURES2.len() + feature3(name);
        let f = rules.tree_rows(text, "", None, None);
        let lx = |row: usize| -> Vec<f32> {
            [
                "lx_mean", "lx_max", "lx_min", "lx_first", "lx_high", "lx_known",
            ]
            .iter()
            .map(|n| f.x1[row][col(n)])
            .collect()
        };
        // "share facebook": both known, both above 1.
        assert_eq!(lx(0), [2.0, 2.5, 1.5, 2.5, 1.0, 1.0]);
        // One known word of nine ("the" counts, "in" is too short to be a word; the row of
        // "summer" has a field too many and is not read).
        let goats = lx(1);
        assert_eq!(goats[3], 0.0);
        assert_eq!(goats[2], -1.25);
        assert_eq!(goats[5], 1.0 / 9.0);
        // The near miss: content that shares a furniture word is weighed by all its words
        // ("no" is under three letters, so its row in the lexicon reads nothing).
        let shared = lx(2);
        assert_eq!(shared[0], (-1.25 + 2.5) / 6.0);
        assert_eq!(shared[4], 1.0 / 6.0);
        // A line the lexicon knows nothing of.
        assert_eq!(lx(3), [0.0; 6]);
        // Pairs of consecutive words: "share facebook" is the line's one pair; the content
        // line holds "goats share" and four pairs the lexicon lacks; "share" alone is no pair.
        let bg = |row: usize| -> Vec<f32> {
            ["bg_mean", "bg_max", "bg_known"]
                .iter()
                .map(|n| f.x1[row][col(n)])
                .collect()
        };
        assert_eq!(bg(0), [3.0, 3.0, 1.0]);
        assert_eq!(bg(2), [-2.0 / 5.0, 0.0, 1.0 / 5.0]);
        // "mountain" is no word of the lexicon, so its pair with "goats" is not read.
        assert_eq!(bg(1), [0.0; 3]);
        assert_eq!(bg(3), [0.0; 3]);
        // A forest without a lexicon replaces it.
        rules.load_model(forest);
        let f = rules.tree_rows(text, "", None, None);
        assert!(f.x1.iter().all(|r| r[col("lx_known")] == 0.0));
        assert!(f.x1.iter().all(|r| r[col("bg_known")] == 0.0));
    }

    #[test]
    fn plain_decimals_read_as_parse_reads_them() {
        let parsed = |text: &str| text.parse::<f32>().ok().map(f32::to_bits);
        for text in [
            "0",
            "-0",
            "0.5180",
            "-0.0001",
            "1234567",
            "12345678",
            "9.999999",
            "0.0000001",
            "3.",
            ".5",
            "-",
            "",
            "1e-3",
            "+1.5",
            "1.2.3",
            "0.1",
            "-2.5000",
            "00000.1",
        ] {
            assert_eq!(parse_f32(text).map(f32::to_bits), parsed(text), "{text:?}");
        }
        let mut plain = 0;
        for (cols, n) in model_rows(TREES_FILE)
            .chain(model_rows(MODEL_FILE))
            .map(model_fields)
        {
            let value = cols[n - 1];
            plain += plain_decimal_f32(value).is_some() as usize;
            assert_eq!(
                parse_f32(value).map(f32::to_bits),
                parsed(value),
                "{value:?}"
            );
        }
        assert!(plain > 60_000, "{plain} plain decimals");
    }

    proptest::proptest! {
        #[test]
        fn plain_decimal_f32_matches_parse(text in "-?[0-9]{0,5}(\\.[0-9]{0,5})?") {
            let parsed = text.parse::<f32>().ok().map(f32::to_bits);
            proptest::prop_assert_eq!(parse_f32(&text).map(f32::to_bits), parsed);
        }
    }

    #[test]
    fn model_rows_and_fields_split_as_lines_and_tabs_do() {
        fn by_split(line: &str) -> ([&str; 6], usize) {
            let mut fields = [""; 6];
            let mut n = 0;
            for field in line.split('\t') {
                if n == 5 {
                    return (fields, 6);
                }
                fields[n] = field;
                n += 1;
            }
            (fields, n)
        }
        let files = [
            "",
            "\n",
            "\n\n",
            "a",
            "a\r",
            "a\r\n",
            "a\r\r\nb\n",
            "lex\tword\t0.5\nlex2\ta b\t-1\r\nforest\t0.1\ntree\n",
            "n\tf\t0.5\t1\t2\nn\tf\t0.5\t1\t2\t\n\t\t\t\t\t\t\nx\t\ty",
            "é\tü\n\t",
        ];
        for file in files {
            let rows: Vec<&str> = model_rows(file).collect();
            assert_eq!(rows, file.lines().collect::<Vec<_>>(), "{file:?}");
            for row in rows {
                assert_eq!(model_fields(row), by_split(row), "{row:?}");
            }
        }
    }
}
