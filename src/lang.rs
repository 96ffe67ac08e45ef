//! Language identification, per document and per sentence, on top of whatlang.
//!
//! Codes are ISO 639-3 as whatlang spells them (`eng`, `por`); `und` where the text is too short
//! or too unsure to tell.
//!
//! Whatlang's trigram model alone confuses close pairs (Norwegian/Danish, Turkish/Azerbaijani,
//! Dutch/Afrikaans, Russian/Bulgarian) and is slow (~4 MB/s). So every text is first scored
//! against small per-language lists of frequent words (`src/data/lang/<code>.txt`): function
//! words are the most reliable cue between close languages and cost one hash lookup per word.
//! Whatlang is consulted only when that word evidence is not decisive, and then its answer is
//! one vote among the word scores rather than the final word.
//!
//! Documents are judged on a bounded sample spread over the text. Sentences are first checked
//! against the document language with the word lists alone; only sentences in doubt go through
//! full detection, and sentences too short to judge take the language of their neighbours (the
//! paragraph they sit in), falling back to the document's language.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::lang_lists::{ENTRY_BYTES, WORD_LISTS, bits};
use crate::packed::pack;
use crate::span::Span;

/// A language, or undetermined.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Lang(pub Option<whatlang::Lang>);

impl Lang {
    /// Undetermined (`und`).
    pub const UND: Lang = Lang(None);

    /// ISO 639-3 code, `und` when undetermined.
    pub fn code(self) -> &'static str {
        match self.0 {
            Some(lang) => lang.code(),
            None => "und",
        }
    }

    /// The language for an ISO 639-3 code; `und` for unknown codes.
    pub fn from_code(code: &str) -> Lang {
        Lang(whatlang::Lang::from_code(code))
    }

    /// True when a language was determined.
    pub fn is_known(self) -> bool {
        self.0.is_some()
    }
}

/// A detected language with a confidence in `[0, 1]`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LangGuess {
    /// The language (`Lang::UND` when unsure).
    pub lang: Lang,
    /// How sure the detector is, 0 for `und`.
    pub confidence: f32,
}

impl LangGuess {
    /// The undetermined guess.
    pub const UND: LangGuess = LangGuess {
        lang: Lang::UND,
        confidence: 0.0,
    };
}

/// Number of languages with word lists; masks are `u64`.
const NL: usize = WORD_LISTS.len();
const _: () = assert!(NL <= 64);

/// Word-list languages plus the lookup tables, built once.
struct Model {
    langs: [whatlang::Lang; NL],
    /// The hand-written lists, each word 1/k for each of the k languages listing it: the cheap
    /// first pass.
    words: WordTable,
    /// Frequency-weighted lists (naive Bayes log-ratios against an unseen-word floor), for
    /// texts whose language the first pass does not settle.
    frequent: WordTable,
    /// Distinctive letter -> (bit mask of languages using it, weight per language).
    markers: HashMap<char, (u64, f32), FastHash>,
    /// Word ending -> (bit mask of languages, weight per language); consulted only for texts
    /// in doubt, where it separates close languages (Danish -hed / Norwegian -het).
    suffixes: HashMap<String, (u64, f32), FastHash>,
    /// Prior per language, for ties between close languages.
    prior: [f32; NL],
    /// The other of Croatian and Serbian, which count as one answer.
    sibling: [Option<usize>; NL],
}

const PRIORS: &str = include_str!("data/lang/prior.tsv");

/// The word tables `build.rs` packs from the lists (`lang_lists::hand_entries` and
/// `lang_lists::frequent_entries`), values in `lang_lists::entry_bytes` form.
static HAND_TABLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/lang_words.bin"));
static FREQUENT_TABLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/lang_frequent.bin"));

static MODEL: LazyLock<Model> = LazyLock::new(|| {
    let mut langs = [whatlang::Lang::Eng; NL];
    let mut marker_masks: HashMap<char, u64, FastHash> = HashMap::default();
    let mut suffix_masks: HashMap<String, u64, FastHash> = HashMap::default();
    for (index, (code, data)) in WORD_LISTS.iter().enumerate() {
        // Every code is one whatlang knows (a test checks): the packed tables count them all.
        if let Some(lang) = whatlang::Lang::from_code(*code) {
            langs[index] = lang;
        }
        // The word lines are in the packed tables; only the letter and ending lines are read.
        for line in data.lines() {
            let line = line.trim();
            // `=` lines list letters that are distinctive for the language.
            if let Some(letters) = line.strip_prefix('=') {
                for c in letters.chars().flat_map(char::to_lowercase) {
                    *marker_masks.entry(c).or_default() |= 1u64 << index;
                }
            }
            // `-` lines list distinctive word endings.
            if let Some(ending) = line.strip_prefix('-') {
                *suffix_masks.entry(ending.to_lowercase()).or_default() |= 1u64 << index;
            }
        }
    }
    let markers = marker_masks
        .into_iter()
        .map(|(c, mask)| (c, (mask, 1.0 / mask.count_ones() as f32)))
        .collect();
    let suffixes = suffix_masks
        .into_iter()
        .map(|(ending, mask)| (ending, (mask, 1.0 / mask.count_ones() as f32)))
        .collect();
    let mut prior = [0.0; NL];
    for line in PRIORS.lines().filter(|l| !l.starts_with('#')) {
        if let Some((code, weight)) = line.split_once('\t')
            && let Some(index) = WORD_LISTS.iter().position(|(c, _)| *c == code.trim())
        {
            prior[index] = weight.trim().parse().unwrap_or(0.0);
        }
    }
    let mut sibling = [None; NL];
    let position = |code: &str| WORD_LISTS.iter().position(|(c, _)| *c == code);
    if let (Some(hrv), Some(srp)) = (position("hrv"), position("srp")) {
        sibling[hrv] = Some(srp);
        sibling[srp] = Some(hrv);
    }
    Model {
        sibling,
        langs,
        words: WordTable::open(HAND_TABLE),
        frequent: WordTable::open(FREQUENT_TABLE),
        markers,
        suffixes,
        prior,
    }
});

/// Words -> per-language weights, in a table compiled into the binary: nothing to build at
/// start, and only the pages lookups touch become resident.
struct WordTable {
    /// `None` only if build.rs wrote something that is not a table (a test checks it opens).
    packed: Option<crate::packed::Packed<'static>>,
}

impl WordTable {
    fn open(bytes: &'static [u8]) -> WordTable {
        WordTable {
            packed: crate::packed::Packed::open(bytes),
        }
    }

    /// The word's entries in `lang_lists::entry_bytes` form.
    fn get(&self, word: &str) -> Option<&'static [u8]> {
        self.packed?.get(pack(word)?)
    }
}

/// Character n-gram model (`src/data/lang/ngrams.tsv`, made by scripts/make_lang_ngrams.py
/// from wordfreq's frequency-weighted word lists, and for languages wordfreq lacks from Debian's
/// spelling dictionaries weighted like them): log10 probabilities of the 1- to 4-grams of
/// space-padded words per language. Letter patterns separate close languages on texts without
/// a telling word (Danish -hed/-lig/-ae- against Norwegian -het/-leg/-e-).
///
/// build.rs compiles it: the `@` lines (language code, then per n-gram length the log10
/// probability of an unlisted n-gram) as text, the n-grams as a packed table of
/// (language among those lines, -10 log10 p) byte pairs.
const NGRAM_FLOORS: &str = include_str!(concat!(env!("OUT_DIR"), "/ngram_floors.tsv"));
static NGRAM_TABLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ngrams.bin"));
const NGRAM_MAX: usize = 4;

struct NgramModel {
    /// Languages (indices into `WORD_LISTS`) the model covers.
    covered: u64,
    /// Per language and n-gram length, the log10 probability of an unlisted n-gram.
    floors: [[f32; NGRAM_MAX]; NL],
    /// The table's language numbers -> indices into `WORD_LISTS` (`u8::MAX`: not ours).
    index_of_code: Vec<u8>,
    grams: Option<crate::packed::Packed<'static>>,
}

static NGRAM_MODEL: LazyLock<NgramModel> = LazyLock::new(|| {
    let position = |code: &str| WORD_LISTS.iter().position(|(c, _)| *c == code);
    let mut covered = 0u64;
    let mut floors = [[0.0f32; NGRAM_MAX]; NL];
    let mut index_of_code = Vec::new();
    for line in NGRAM_FLOORS.lines() {
        let (code, values) = line.split_once('\t').unwrap_or((line, ""));
        let index = position(code);
        index_of_code.push(index.map_or(u8::MAX, |i| i as u8));
        if let Some(index) = index {
            for (slot, value) in floors[index].iter_mut().zip(values.split(' ')) {
                *slot = value.parse().unwrap_or(-6.0);
            }
            covered |= 1u64 << index;
        }
    }
    NgramModel {
        covered,
        floors,
        index_of_code,
        grams: crate::packed::Packed::open(NGRAM_TABLE),
    }
});

impl NgramModel {
    /// Adds the log10 probability above its language's floor of each listed language of
    /// `gram` (of `order` chars) to `scores`.
    fn add_gram(&self, gram: &str, order: usize, scores: &mut [f32; NL]) {
        let Some(entries) = self.grams.and_then(|table| table.get(pack(gram)?)) else {
            return;
        };
        for pair in entries.chunks_exact(2) {
            let Some(&index) = self.index_of_code.get(pair[0] as usize) else {
                continue;
            };
            if let Some(score) = scores.get_mut(index as usize) {
                let log10 = -f32::from(pair[1]) / 10.0;
                *score += (log10 - self.floors[index as usize][order - 1]).max(0.0);
            }
        }
    }
}

/// Log10 likelihood of `text`'s letter n-grams per covered language (0 for the others), and the
/// number of n-grams scored.
fn ngram_scores(text: &str) -> ([f32; NL], u32) {
    let model = &*NGRAM_MODEL;
    let mut scores = [0.0f32; NL];
    let mut counts = [0u32; NGRAM_MAX];
    // Byte offsets of the chars of the current padded word, plus its end.
    let mut padded = String::from(" ");
    let mut starts: Vec<usize> = Vec::new();
    let mut score_word = |padded: &mut String, starts: &mut Vec<usize>, scores: &mut [f32; NL]| {
        if padded.len() > 1 {
            padded.push(' ');
            starts.clear();
            starts.extend(padded.char_indices().map(|(i, _)| i));
            starts.push(padded.len());
            let chars = starts.len() - 1;
            for n in 1..=NGRAM_MAX.min(chars) {
                for i in 0..=chars - n {
                    let gram = &padded[starts[i]..starts[i + n]];
                    if gram == " " {
                        continue;
                    }
                    counts[n - 1] += 1;
                    model.add_gram(gram, n, scores);
                }
            }
        }
        padded.clear();
        padded.push(' ');
    };
    for c in text.chars() {
        if c.is_alphabetic() {
            padded.extend(c.to_lowercase());
        } else {
            score_word(&mut padded, &mut starts, &mut scores);
        }
    }
    score_word(&mut padded, &mut starts, &mut scores);
    for index in bits(model.covered) {
        for (n, &count) in counts.iter().enumerate() {
            scores[index] += count as f32 * model.floors[index][n];
        }
    }
    (scores, counts.iter().sum())
}

/// Languages within this much of the winner's score are re-ranked by their n-gram likelihood:
/// only near ties, since the word lists are the stronger evidence where they speak.
const NGRAM_REACH: f32 = 0.5;
/// Word-score units per log10 unit of n-gram likelihood.
const NGRAM_WEIGHT: f32 = 0.3;

/// Texts with fewer letters than this have few listed words to go by: every language within
/// `SHORT_NGRAM_REACH` of the best is re-ranked by its n-gram likelihood, not only near ties.
const SHORT_NGRAM_LETTERS: u32 = 30;
const SHORT_NGRAM_REACH: f32 = 3.0;
/// A contender without an n-gram model, in that wider contest, counts as this many log10 units
/// below the best modelled one: unknown letter patterns are weak evidence against it, and
/// without a penalty such languages (Latin, Javanese, Azerbaijani) would win every short text
/// whatlang hands them.
const UNCOVERED_NGRAM_PENALTY: f32 = 2.0;

/// Short texts: every contender within reach is re-ranked by n-grams (see
/// `SHORT_NGRAM_LETTERS`).
fn add_short_ngram_vote(text: &str, scores: &mut [f32; NL]) {
    let model = &*NGRAM_MODEL;
    let ((_, s1), _) = top2(scores);
    // The contenders as a bit set (like `covered`): no allocation per sentence.
    let close = (0..NL)
        .filter(|&i| scores[i] > 0.0 && scores[i] >= s1 - SHORT_NGRAM_REACH)
        .fold(0u64, |set, i| set | (1u64 << i));
    if close.count_ones() < 2 {
        return;
    }
    let contenders = || (0..NL).filter(move |&i| close & (1u64 << i) != 0);
    let covered = |i: usize| model.covered & (1u64 << i) != 0;
    let (likelihood, _) = ngram_scores(text);
    let top = contenders()
        .filter(|&i| covered(i))
        .map(|i| likelihood[i])
        .fold(f32::MIN, f32::max);
    if top == f32::MIN {
        return;
    }
    for i in contenders() {
        let own = if covered(i) {
            likelihood[i]
        } else {
            top - UNCOVERED_NGRAM_PENALTY
        };
        scores[i] += NGRAM_WEIGHT * (own - top);
    }
}

/// Re-ranks the close contenders in `scores` by the n-gram model, when the model covers them all.
fn add_ngram_vote(text: &str, scores: &mut [f32; NL]) {
    let model = &*NGRAM_MODEL;
    let ((best, s1), _) = top2(scores);
    if model.covered & (1u64 << best) == 0 {
        return;
    }
    let close: Vec<usize> = (0..NL)
        .filter(|&i| i != best && scores[i] > 0.0 && scores[i] >= s1 - NGRAM_REACH)
        .collect();
    if close.is_empty() || close.iter().any(|&i| model.covered & (1u64 << i) == 0) {
        return;
    }
    let (likelihood, _) = ngram_scores(text);
    let top = close
        .iter()
        .chain(std::iter::once(&best))
        .map(|&i| likelihood[i])
        .fold(f32::MIN, f32::max);
    for &i in close.iter().chain(std::iter::once(&best)) {
        scores[i] += NGRAM_WEIGHT * (likelihood[i] - top);
    }
}

/// Multiply-fold hash: the keys are packed words; SipHash's setup cost would dominate.
/// FNV-1a for the remaining string-keyed tables (built once, consulted off the hot path), where SipHash's setup cost dominates.
#[derive(Clone, Copy, Default)]
struct FastHash;

impl std::hash::BuildHasher for FastHash {
    type Hasher = Fnv;
    fn build_hasher(&self) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write_u128(&mut self, value: u128) {
        let mixed = (crate::packed::fold(value) ^ self.0).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = mixed ^ (mixed >> 32);
    }
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= byte as u64;
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// What the cheap pass learns about a text.
#[derive(Clone)]
struct Evidence {
    /// Word-list score per language (index into `WORD_LISTS`).
    scores: [f32; NL],
    /// Words seen.
    words: u32,
    /// Letters seen, and how many of them are Latin / Cyrillic.
    letters: u32,
    latin: u32,
    cyrillic: u32,
}

impl Evidence {
    fn new() -> Evidence {
        Evidence {
            scores: [0.0; NL],
            words: 0,
            letters: 0,
            latin: 0,
            cyrillic: 0,
        }
    }

    /// Best and second-best word-list languages with their scores.
    fn top2(&self) -> ((usize, f32), f32) {
        top2(&self.scores)
    }

    /// True when most letters are in a script other than Latin or Cyrillic, where whatlang's
    /// script rule (one language per script) or its own models decide.
    fn other_script(&self) -> bool {
        (self.latin + self.cyrillic) * 2 < self.letters
    }
}

/// Best language and the runner-up's score (ties go to the lower index).
///
/// Croatian and Serbian count as one language here: the runner-up is never the winner's
/// sibling, so their tie is no doubt about the answer.
fn top2(scores: &[f32; NL]) -> ((usize, f32), f32) {
    let mut best = (0usize, f32::MIN);
    for (index, &score) in scores.iter().enumerate() {
        if score > best.1 {
            best = (index, score);
        }
    }
    let sibling = MODEL.sibling[best.0];
    let mut second = f32::MIN;
    for (index, &score) in scores.iter().enumerate() {
        if index != best.0 && Some(index) != sibling && score > second {
            second = score;
        }
    }
    (best, second.max(0.0))
}

/// Scans `text` once: word-list hits and letter counts.
fn gather(text: &str, table: &WordTable, evidence: &mut Evidence, buffer: &mut String) {
    let model = &*MODEL;
    let marker_weight = MARKER_WEIGHT;
    buffer.clear();
    let mut marks = 0u64;
    let mut apostrophe = false;
    let flush =
        |buffer: &mut String, evidence: &mut Evidence, marks: &mut u64, apostrophe: &mut bool| {
            if buffer.is_empty() {
                return;
            }
            if *marks != 0 {
                add(evidence, *marks, marker_weight / marks.count_ones() as f32);
                *marks = 0;
            }
            evidence.words += 1;
            if let Some(entries) = table.get(buffer) {
                add_entries(evidence, entries);
            } else if *apostrophe {
                let word = buffer.trim_matches('\'');
                if let Some(entries) = table.get(word) {
                    add_entries(evidence, entries);
                } else if let Some(cut) = word.find('\'') {
                    // Elisions and clitics: French l'homme, Catalan d'aquest.
                    if let Some(entries) = table.get(&word[..cut + 1]) {
                        add_entries(evidence, entries);
                    }
                    if let Some(entries) = table.get(&word[cut + 1..]) {
                        add_entries(evidence, entries);
                    }
                }
            }
            *apostrophe = false;
            buffer.clear();
        };
    // Counted apart from `evidence`, which `flush` borrows: a register, not a store per letter.
    let mut ascii_letters = 0u32;
    for c in text.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphabetic() {
                ascii_letters += 1;
                buffer.push(c.to_ascii_lowercase());
            } else if c == '\'' && !buffer.is_empty() {
                apostrophe = true;
                buffer.push('\'');
            } else {
                flush(buffer, evidence, &mut marks, &mut apostrophe);
            }
        } else if c.is_alphabetic() {
            evidence.letters += 1;
            let code = c as u32;
            if (0x00C0..0x0250).contains(&code) || (0x1E00..0x1F00).contains(&code) {
                evidence.latin += 1;
            } else if (0x0400..0x0530).contains(&code) {
                evidence.cyrillic += 1;
            }
            for lower in c.to_lowercase() {
                if let Some(&(mask, _)) = model.markers.get(&lower) {
                    marks |= mask;
                }
                buffer.push(lower);
            }
        } else if c == '’' && !buffer.is_empty() {
            apostrophe = true;
            buffer.push('\'');
        } else {
            flush(buffer, evidence, &mut marks, &mut apostrophe);
        }
    }
    flush(buffer, evidence, &mut marks, &mut apostrophe);
    evidence.letters += ascii_letters;
    evidence.latin += ascii_letters;
}

/// Adds word-ending evidence to `scores`: each word counts once per language whose endings it
/// matches. Only words of at least four letters, so an ending never is the whole word.
fn add_suffixes(text: &str, scores: &mut [f32; NL]) {
    let model = &*MODEL;
    let weight = SUFFIX_WEIGHT;
    let mut word = String::new();
    let tally = |word: &mut String, scores: &mut [f32; NL]| {
        let chars: Vec<usize> = word.char_indices().map(|(i, _)| i).collect();
        if chars.len() >= 4 {
            let mut mask = 0u64;
            for take in 2..=6.min(chars.len() - 2) {
                let start = chars[chars.len() - take];
                if let Some(&(m, _)) = model.suffixes.get(&word[start..]) {
                    mask |= m;
                }
            }
            if mask != 0 {
                let share = weight / mask.count_ones() as f32;
                let mut bits = mask;
                while bits != 0 {
                    scores[bits.trailing_zeros() as usize] += share;
                    bits &= bits - 1;
                }
            }
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_alphabetic() {
            word.extend(c.to_lowercase());
        } else {
            tally(&mut word, scores);
        }
    }
    tally(&mut word, scores);
}

fn add_entries(evidence: &mut Evidence, entries: &[u8]) {
    for entry in entries.chunks_exact(ENTRY_BYTES) {
        let (index, weight) = (entry[0], [entry[1], entry[2], entry[3], entry[4]]);
        if let Some(score) = evidence.scores.get_mut(index as usize) {
            *score += f32::from_le_bytes(weight);
        }
    }
}

fn add(evidence: &mut Evidence, mut mask: u64, weight: f32) {
    while mask != 0 {
        let index = mask.trailing_zeros() as usize;
        evidence.scores[index] += weight;
        mask &= mask - 1;
    }
}

fn index_of(lang: whatlang::Lang) -> Option<usize> {
    MODEL.langs.iter().position(|&l| l == lang)
}

/// Fewer letters than this and a text is `und` on its own.
const MIN_LETTERS: u32 = 3;
/// Word evidence alone decides when the best language has at least this score...
const WORDS_ALONE_SCORE: f32 = 3.0;
/// ...and beats the runner-up by this factor.
const WORDS_ALONE_RATIO: f32 = 2.0;
/// The first pass's word lists alone decide a text when its best language scores this much
/// (long texts); shorter ones go on to the frequency lists.
const CORE_ALONE_SCORE: f32 = 8.0;
/// The frequency lists alone decide when the best language scores this much and leads by this
/// margin; otherwise whatlang's trigrams get a vote.
const FREQ_ALONE_SCORE: f32 = 3.0;
const FREQ_ALONE_MARGIN: f32 = 1.5;
/// Share of the hand-list score added to the frequency score, to break ties.
const HAND_TIE_BREAK: f32 = 0.05;
/// Whatlang's vote, in word-hit units: a base plus a share scaled by its confidence.
const WHATLANG_BASE: f32 = 0.3;
const WHATLANG_CONFIDENCE: f32 = 1.0;
/// Scale of `prior.tsv`: enough to break a tie, never to outvote a distinctive word.
const PRIOR_WEIGHT: f32 = 0.2;
/// A word with a distinctive letter (Russian ы, Azerbaijani ə) counts half a listed word.
const MARKER_WEIGHT: f32 = 0.5;
/// A word with a distinctive ending counts half a listed word.
const SUFFIX_WEIGHT: f32 = 0.5;

/// Judges one text from its evidence, calling whatlang only when the words do not decide.
///
/// `among`, when given, limits whatlang to those languages: its cost is mostly per candidate
/// language, and a sentence in doubt is a contest between a few known languages.
fn decide(text: &str, evidence: &Evidence, among: Option<&[whatlang::Lang]>) -> LangGuess {
    if evidence.letters < MIN_LETTERS {
        return LangGuess::UND;
    }
    let other_script = evidence.other_script();
    let ((best, s1), s2) = evidence.top2();
    if !other_script && s1 >= CORE_ALONE_SCORE && s1 >= WORDS_ALONE_RATIO * s2 {
        return LangGuess {
            lang: Lang(Some(MODEL.langs[best])),
            confidence: confidence(s1, s2),
        };
    }
    let mut full = Evidence::new();
    if !other_script {
        gather(text, &MODEL.frequent, &mut full, &mut String::new());
        // Croatian and Serbian share one frequency list: the hand-written lists break the tie.
        for (score, hand) in full.scores.iter_mut().zip(&evidence.scores) {
            *score += HAND_TIE_BREAK * hand;
        }
        let ((best, f1), f2) = full.top2();
        if f1 >= FREQ_ALONE_SCORE && f1 - f2 >= FREQ_ALONE_MARGIN {
            return LangGuess {
                lang: Lang(Some(MODEL.langs[best])),
                confidence: confidence(f1, f2),
            };
        }
    }
    let info = match among {
        Some(langs) if !other_script => {
            whatlang::Detector::with_allowlist(langs.to_vec()).detect(text)
        }
        _ => whatlang::detect(text),
    };
    let Some(info) = info else {
        return LangGuess::UND;
    };
    let top = info.lang();
    let wl_conf = info.confidence() as f32;
    let wl_vote = WHATLANG_BASE + WHATLANG_CONFIDENCE * wl_conf;
    let Some(top_index) = index_of(top) else {
        // A language without a word list (one-language scripts, Hindi, Arabic...): whatlang's
        // answer stands unless the word lists strongly disagree.
        if s1 >= WORDS_ALONE_SCORE && !other_script {
            return LangGuess {
                lang: Lang(Some(MODEL.langs[best])),
                confidence: confidence(s1, s2),
            };
        }
        return LangGuess {
            lang: Lang(Some(top)),
            confidence: wl_conf,
        };
    };
    let mut scores = full.scores;
    add_suffixes(text, &mut scores);
    let prior_weight = PRIOR_WEIGHT;
    for (score, prior) in scores.iter_mut().zip(&MODEL.prior) {
        *score += prior_weight * prior;
    }
    // Whatlang's pick wins exact ties.
    scores[top_index] += wl_vote + 1e-4;
    if evidence.letters < SHORT_NGRAM_LETTERS {
        add_short_ngram_vote(text, &mut scores);
    } else {
        add_ngram_vote(text, &mut scores);
    }
    let (winner, second) = top2(&scores);
    LangGuess {
        lang: Lang(Some(MODEL.langs[winner.0])),
        confidence: confidence(winner.1, second),
    }
}

/// Margin between the winner and the runner-up mapped into `[0, 1]`.
fn confidence(best: f32, second: f32) -> f32 {
    if best <= 0.0 {
        return 0.0;
    }
    ((best - second) / (best + 0.5)).clamp(0.0, 1.0)
}

/// Longest text judged whole; longer documents are judged on windows spread over them.
const SAMPLE_BYTES: usize = 4096;
const SAMPLE_WINDOWS: usize = 4;

/// Up to `SAMPLE_BYTES` of `text`, in windows spread evenly over it, cut on char boundaries
/// and moved to whitespace so no word is split.
fn sample(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= SAMPLE_BYTES {
        return std::borrow::Cow::Borrowed(text);
    }
    let window = SAMPLE_BYTES / SAMPLE_WINDOWS;
    let stride = (text.len() - window) / (SAMPLE_WINDOWS - 1);
    let mut out = String::with_capacity(SAMPLE_BYTES + SAMPLE_WINDOWS);
    for i in 0..SAMPLE_WINDOWS {
        let mut start = floor_boundary(text, i * stride);
        let mut end = floor_boundary(text, (start + window).min(text.len()));
        if let Some(space) = text[start..end].find(char::is_whitespace) {
            start += space;
        }
        if end < text.len()
            && let Some(space) = text[start..end].rfind(char::is_whitespace)
        {
            end = start + space;
        }
        out.push_str(&text[start..end]);
        out.push('\n');
    }
    std::borrow::Cow::Owned(out)
}

fn floor_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// Builds the language model's small tables now (letters, endings, priors; the word tables
/// are compiled in), so a run can do it beside other work instead of every worker waiting on
/// the first document that needs them.
pub fn warm_up() {
    LazyLock::force(&MODEL);
    LazyLock::force(&NGRAM_MODEL);
}

/// The language of a whole document (or of any lone text), judged on a bounded sample.
pub fn detect_document(text: &str) -> LangGuess {
    let sample = sample(text);
    let mut evidence = Evidence::new();
    let mut buffer = String::new();
    gather(&sample, &MODEL.words, &mut evidence, &mut buffer);
    decide(&sample, &evidence, None)
}

/// Sentences with fewer letters than this are too short to judge alone.
const SHORT_LETTERS: u32 = 20;
/// A sentence guess at least this confident anchors its neighbours.
const ANCHOR_CONFIDENCE: f32 = 0.3;
/// A sentence without hand-listed words goes to full detection only when another language
/// leads the document language's frequency score by this much.
const SILENT_MARGIN: f32 = 1.0;
/// A sentence whose language leads the document language's word score by this much anchors
/// its neighbours whatever its confidence.
const ANCHOR_LEAD: f32 = 1.5;
/// Another language must lead the document language's word score by this much before a
/// sentence is re-examined; below it the sentence is confirmed without calling whatlang.
const DOUBT_MARGIN: f32 = 0.5;
/// ...and have at least this much evidence of its own: a stray foreign word in a name or a
/// menu line is no reason to doubt.
const DOUBT_MIN_SCORE: f32 = 1.0;

/// Coarse script of a text or language, so context never crosses scripts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    None,
    Latin,
    Cyrillic,
    Other,
}

fn text_class(evidence: &Evidence) -> Class {
    if evidence.letters == 0 {
        Class::None
    } else if evidence.other_script() {
        Class::Other
    } else if evidence.cyrillic > evidence.latin {
        Class::Cyrillic
    } else {
        Class::Latin
    }
}

fn lang_class(lang: Lang) -> Class {
    use whatlang::Lang as L;
    match lang.0 {
        None => Class::None,
        Some(L::Rus | L::Ukr | L::Bel | L::Bul | L::Mkd | L::Srp) => Class::Cyrillic,
        Some(l) if index_of(l).is_some() => Class::Latin,
        Some(_) => Class::Other,
    }
}

/// The document language and the word-list languages within reach of the best one.
fn contenders(evidence: &Evidence, document: Lang) -> Vec<whatlang::Lang> {
    let ((_, s1), _) = evidence.top2();
    let mut out: Vec<whatlang::Lang> = evidence
        .scores
        .iter()
        .enumerate()
        .filter(|&(_, &score)| score > 0.0 && score >= 0.4 * s1)
        .map(|(index, _)| MODEL.langs[index])
        .collect();
    if let Some(lang) = document.0
        && !out.contains(&lang)
    {
        out.push(lang);
    }
    out
}

/// One sentence after the first pass.
struct Judged {
    guess: LangGuess,
    /// Sure enough to lend its language to unsure neighbours.
    anchor: bool,
    class: Class,
    evidence: Evidence,
}

/// The language of each sentence, using the document's language as context: a sentence too
/// short or too unsure to judge alone takes the language of its neighbouring sentences (the
/// paragraph it sits in), or the document's when they give none; a sentence whose own evidence
/// is clear keeps its own language, so other-language paragraphs are never swallowed by the
/// document's language.
pub fn detect_sentences(text: &str, sentences: &[Span], document: LangGuess) -> Vec<LangGuess> {
    let doc_index = document.lang.0.and_then(index_of);
    let doc_class = lang_class(document.lang);
    let mut buffer = String::new();
    let mut judged: Vec<Judged> = Vec::with_capacity(sentences.len());
    for &span in sentences {
        let sentence = text.get(span.range()).unwrap_or("");
        let mut evidence = Evidence::new();
        gather(sentence, &MODEL.words, &mut evidence, &mut buffer);
        let class = text_class(&evidence);
        let short = evidence.letters < SHORT_LETTERS;
        let (guess, anchor) = if evidence.letters < MIN_LETTERS {
            (LangGuess::UND, false)
        } else if let Some(doc) = doc_index.filter(|_| class == doc_class) {
            // Cheap path: the words do not argue against the document language.
            let ((best, s1), s2) = evidence.top2();
            let doc_score = evidence.scores[doc];
            // No listed word at all is no evidence for the document language either.
            let silent = s1 <= 0.0 && !short;
            if silent {
                // The frequency lists are asked first: only a sentence they give to another
                // language goes to full detection (whatlang is slow), the rest stay unsure.
                let mut frequent = Evidence::new();
                gather(sentence, &MODEL.frequent, &mut frequent, &mut buffer);
                let ((best, f1), _) = frequent.top2();
                if best == doc || f1 < frequent.scores[doc] + SILENT_MARGIN {
                    (
                        LangGuess {
                            lang: document.lang,
                            confidence: 0.0,
                        },
                        false,
                    )
                } else {
                    let guess = decide(sentence, &evidence, None);
                    let anchor = guess.lang.is_known() && guess.confidence >= ANCHOR_CONFIDENCE;
                    (guess, anchor)
                }
            } else if best == doc || s1 < doc_score + DOUBT_MARGIN || s1 < DOUBT_MIN_SCORE {
                let guess = LangGuess {
                    lang: document.lang,
                    confidence: if best == doc {
                        confidence(doc_score, s2)
                    } else {
                        0.0
                    },
                };
                // A tie with a close language (Spanish and Catalan share "la", "el") still
                // confirms the document language.
                (guess, !short && doc_score >= s1 && doc_score >= 1.0)
            } else if short {
                (LangGuess::UND, false)
            } else {
                let among = contenders(&evidence, document.lang);
                let guess = decide(sentence, &evidence, Some(&among));
                // Sure of not being the document language is enough, even where two close
                // languages (Norwegian, Danish) are hard to tell apart.
                let lead = guess
                    .lang
                    .0
                    .and_then(index_of)
                    .map_or(0.0, |k| evidence.scores[k])
                    - doc_score;
                (
                    guess,
                    guess.lang.is_known()
                        && (guess.confidence >= ANCHOR_CONFIDENCE || lead >= ANCHOR_LEAD),
                )
            }
        } else if short && class != Class::Other {
            (LangGuess::UND, false)
        } else {
            let guess = decide(sentence, &evidence, None);
            let anchor = guess.lang.is_known()
                && (guess.confidence >= ANCHOR_CONFIDENCE || class == Class::Other);
            (guess, anchor)
        };
        judged.push(Judged {
            guess,
            anchor,
            class,
            evidence,
        });
    }
    let score_of = |evidence: &Evidence, lang: Lang| {
        lang.0
            .and_then(index_of)
            .map_or(0.0, |k| evidence.scores[k])
    };
    // Nearest anchor before and after each sentence, per script class, in two linear passes.
    let slot = |class: Class| class as usize;
    let mut previous_anchor: Vec<Option<LangGuess>> = vec![None; judged.len()];
    let mut next_anchor: Vec<Option<LangGuess>> = vec![None; judged.len()];
    let mut last: [Option<LangGuess>; 4] = [None; 4];
    for (i, sentence) in judged.iter().enumerate() {
        previous_anchor[i] = last[slot(sentence.class)];
        if sentence.anchor {
            last[slot(sentence.class)] = Some(sentence.guess);
            // Sentences without letters ("...", "12:30") lean on the nearest anchor of any script.
            last[slot(Class::None)] = Some(sentence.guess);
        }
    }
    let mut last: [Option<LangGuess>; 4] = [None; 4];
    for (i, sentence) in judged.iter().enumerate().rev() {
        next_anchor[i] = last[slot(sentence.class)];
        if sentence.anchor {
            last[slot(sentence.class)] = Some(sentence.guess);
            // Sentences without letters ("...", "12:30") lean on the nearest anchor of any script.
            last[slot(Class::None)] = Some(sentence.guess);
        }
    }
    let mut out = Vec::with_capacity(judged.len());
    for (i, sentence) in judged.iter().enumerate() {
        if sentence.anchor {
            out.push(sentence.guess);
            continue;
        }
        let previous = previous_anchor[i];
        let next = next_anchor[i];
        let context = match (previous, next) {
            (Some(p), Some(n)) if p.lang == n.lang => Some(p),
            (Some(p), Some(n)) => {
                // Between two languages: the one this sentence's own words favour, else the
                // preceding one.
                let ps = score_of(&sentence.evidence, p.lang);
                let ns = score_of(&sentence.evidence, n.lang);
                Some(if ns > ps { n } else { p })
            }
            (Some(p), None) => Some(p),
            (None, Some(n)) => Some(n),
            (None, None) => None,
        };
        let context = context
            .or_else(|| {
                (doc_class == sentence.class || sentence.class == Class::None).then_some(document)
            })
            .filter(|c| c.lang.is_known());
        let Some(context) = context else {
            // Nothing around in this script to lean on: judge the sentence alone after all.
            let guess = if sentence.guess.lang.is_known() || sentence.evidence.letters < MIN_LETTERS
            {
                sentence.guess
            } else {
                let text = text.get(sentences[i].range()).unwrap_or("");
                decide(text, &sentence.evidence, None)
            };
            out.push(guess);
            continue;
        };
        let guess = sentence.guess;
        // Keep an unsure own guess only when its words clearly outweigh the context's.
        if guess.lang.is_known()
            && guess.lang != context.lang
            && score_of(&sentence.evidence, guess.lang)
                >= score_of(&sentence.evidence, context.lang) + 2.0
        {
            out.push(guess);
        } else {
            out.push(LangGuess {
                lang: context.lang,
                confidence: context.confidence.min(0.5),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One span per line, as the pipeline's splitter would give for one sentence per line.
    fn lines(text: &str) -> Vec<Span> {
        let mut spans = Vec::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_end();
            if !trimmed.is_empty() {
                spans.push(Span::new(offset, offset + trimmed.len()));
            }
            offset += line.len();
        }
        spans
    }

    #[test]
    fn english_sentence() {
        let guess = detect_document(
            "The committee said it would publish its final report on the new rail line next month.",
        );
        assert_eq!(guess.lang.code(), "eng");
        assert!(guess.confidence > 0.5 && guess.confidence <= 1.0);
    }

    #[test]
    fn portuguese_sentence() {
        let guess = detect_document(
            "O governo anunciou ontem que vai aumentar o salário mínimo a partir de janeiro do próximo ano.",
        );
        assert_eq!(guess.lang.code(), "por");
        assert!(guess.confidence > 0.0 && guess.confidence <= 1.0);
    }

    #[test]
    fn close_pairs_follow_the_function_words() {
        // Pairs whatlang alone often confuses: Norwegian/Danish, Turkish/Azerbaijani, Russian/Bulgarian.
        let nob = detect_document(
            "Det var ikke lett å si hva som hadde skjedd, men de ble enige om å prøve igjen.",
        );
        assert_eq!(nob.lang.code(), "nob");
        let dan = detect_document(
            "Det var ikke let at sige, hvad der var sket, men de blev enige om at prøve igen.",
        );
        assert_eq!(dan.lang.code(), "dan");
        let tur = detect_document(
            "Bu yıl ilk kez düzenlenen festivale çok sayıda kişi katıldı ve konserler gece boyunca sürdü.",
        );
        assert_eq!(tur.lang.code(), "tur");
        let rus = detect_document("Вечером мы вышли на улицу, и было уже совсем темно.");
        assert_eq!(rus.lang.code(), "rus");
    }

    #[test]
    fn short_close_pairs_follow_word_frequencies() {
        // Too short for the hand-written lists to settle; the frequency lists do.
        assert_eq!(
            detect_document("Hvordan går det med deg nå?").lang.code(),
            "nob"
        );
        assert_eq!(
            detect_document("Hvordan går det med dig nu?").lang.code(),
            "dan"
        );
        assert_eq!(
            detect_document("Vi måtte vente lenge på bussen i går.")
                .lang
                .code(),
            "nob"
        );
        assert_eq!(
            detect_document("Vi måtte vente længe på bussen i går.")
                .lang
                .code(),
            "dan"
        );
        assert_eq!(
            detect_document("Me läksime eile õhtul koos sõpradega kinno.")
                .lang
                .code(),
            "est"
        );
        assert_eq!(
            detect_document("Menimme eilen illalla ystävien kanssa elokuviin.")
                .lang
                .code(),
            "fin"
        );
    }

    #[test]
    fn short_texts_follow_letter_patterns() {
        // One or two words, few of them listed: the n-gram model weighs in beyond near ties, and
        // languages without a model (Azerbaijani, Afrikaans) do not win on whatlang's vote alone.
        for (text, code) in [
            ("Yarın okula gitmeliyim.", "tur"),
            ("Çok yoruldum.", "tur"),
            ("Fylkeskommunen protesterer.", "nob"),
            ("Thanks,", "eng"),
        ] {
            assert_eq!(detect_document(text).lang.code(), code, "{text}");
        }
    }

    #[test]
    fn close_language_paragraph_is_not_swallowed() {
        // Serbian and Croatian share one frequency list: their tie is no reason to give a
        // sentence the document's language.
        let text = "El gobierno presentó ayer un nuevo plan para mejorar el transporte público.\n\
                    Según el ministro, las obras empezarán el próximo año en varias ciudades.\n\
                    Vlada je juče predstavila novi plan za poboljšanje javnog prevoza.\n\
                    Prema rečima ministra, radovi će početi sledeće godine u više gradova.\n\
                    La oposición criticó el plan y pidió que el gobierno lo explique en el Congreso.\n\
                    Los alcaldes de las ciudades afectadas todavía no han dicho nada sobre el plan.";
        let spans = lines(text);
        let doc = detect_document(text);
        assert_eq!(doc.lang.code(), "spa");
        let codes: Vec<&str> = detect_sentences(text, &spans, doc)
            .iter()
            .map(|g| match g.lang.code() {
                "hrv" => "srp",
                code => code,
            })
            .collect();
        assert_eq!(codes, ["spa", "spa", "srp", "srp", "spa", "spa"]);
    }

    #[test]
    fn digits_and_punctuation_are_und() {
        assert_eq!(detect_document("12345 !!!"), LangGuess::UND);
        assert_eq!(detect_document(""), LangGuess::UND);
        let text = "12345 !!!";
        let spans = lines(text);
        let doc = detect_document(text);
        assert_eq!(detect_sentences(text, &spans, doc), vec![LangGuess::UND]);
    }

    #[test]
    fn short_sentence_takes_the_document_language() {
        let text = "Die Regierung hat am Montag ein neues Gesetz zur Energieversorgung beschlossen.\n\
                    Ja.\n\
                    Die Opposition kritisierte den Entwurf als unzureichend und kündigte Widerstand an.";
        let spans = lines(text);
        let doc = detect_document(text);
        assert_eq!(doc.lang.code(), "deu");
        let guesses = detect_sentences(text, &spans, doc);
        assert_eq!(guesses.len(), 3);
        // "Ja." alone could be many languages; here it is German.
        assert!(
            guesses.iter().all(|g| g.lang.code() == "deu"),
            "{guesses:?}"
        );
    }

    #[test]
    fn portuguese_paragraph_in_english_document_keeps_por() {
        let text = "The city council met on Tuesday to discuss the new budget for public transport.\n\
                    Several members said that the proposed fares were too high for most families.\n\
                    A prefeitura informou que as novas tarifas entram em vigor no próximo mês.\n\
                    Segundo o secretário, o aumento é necessário para manter os serviços.\n\
                    The final vote is expected before the end of the year.";
        let spans = lines(text);
        let doc = detect_document(text);
        assert_eq!(doc.lang.code(), "eng");
        let codes: Vec<&str> = detect_sentences(text, &spans, doc)
            .iter()
            .map(|g| g.lang.code())
            .collect();
        assert_eq!(codes, ["eng", "eng", "por", "por", "eng"]);
    }

    #[test]
    fn script_change_is_judged_alone() {
        let text = "We visited the old town and the harbour in the afternoon.\n\
                    Η πόλη είναι γνωστή για τα παλιά της σπίτια.";
        let spans = lines(text);
        let doc = detect_document(text);
        let codes: Vec<&str> = detect_sentences(text, &spans, doc)
            .iter()
            .map(|g| g.lang.code())
            .collect();
        assert_eq!(codes, ["eng", "ell"]);
    }

    #[test]
    fn long_document_is_sampled_and_stays_on_char_boundaries() {
        let paragraph =
            "Årets første snø kom tidlig i år, og mange bilister ble overrasket på veien hjem. ";
        let text = paragraph.repeat(400);
        assert!(text.len() > SAMPLE_BYTES);
        let guess = detect_document(&text);
        assert_eq!(guess.lang.code(), "nob");
    }

    #[test]
    fn letter_patterns_separate_close_languages() {
        let index = |code: &str| WORD_LISTS.iter().position(|(c, _)| *c == code).unwrap();
        let prefers = |text: &str, this: &str, other: &str| {
            let (scores, grams) = ngram_scores(text);
            assert!(grams > 0, "{text:?} gives no n-grams");
            scores[index(this)] > scores[index(other)]
        };
        // No word here settles the pair; the spellings do (Danish -hed/-lig/b-d, Bokmål -het/-lig/p-t).
        assert!(prefers("Virksomheden købte ejendommen", "dan", "nob"));
        assert!(prefers("Virksomheten kjøpte eiendommen", "nob", "dan"));
        assert!(prefers("Сегодня хорошая погода", "rus", "bul"));
        assert!(prefers("Днес времето е хубаво", "bul", "rus"));
        // No letters: nothing to score, every language alike.
        let (scores, grams) = ngram_scores("12:30 -- 4.5");
        assert_eq!(grams, 0);
        assert!(scores.iter().all(|&s| s == 0.0));
    }

    #[test]
    fn the_compiled_ngram_table_is_in_the_binary() {
        let model = &*NGRAM_MODEL;
        let table = model.grams.expect("build.rs wrote a table that opens");
        assert!(table.len() > 100_000, "{} n-grams", table.len());
        // Every language with an `@` line is one of ours and has its floors.
        assert!(!model.index_of_code.contains(&u8::MAX));
        assert_eq!(
            model.covered.count_ones() as usize,
            model.index_of_code.len()
        );
        let eng = WORD_LISTS.iter().position(|(c, _)| *c == "eng").unwrap();
        let mut scores = [0.0; NL];
        model.add_gram(" th", 3, &mut scores);
        assert!(scores[eng] > 0.0, "English lists \" th\" above its floor");
    }

    #[test]
    fn the_packed_word_tables_are_the_lists() {
        let model = &*MODEL;
        for (table, entries) in [
            (&model.words, crate::lang_lists::hand_entries()),
            (&model.frequent, crate::lang_lists::frequent_entries()),
        ] {
            let packed = table.packed.expect("build.rs wrote a table that opens");
            assert_eq!(packed.len(), entries.len());
            assert!(entries.len() > 1000, "{} words", entries.len());
            for (key, entries) in &entries {
                let bytes = crate::lang_lists::entry_bytes(entries);
                assert_eq!(packed.get(*key), Some(&bytes[..]));
            }
        }
        assert_eq!(model.words.get("the").map(<[u8]>::len), Some(ENTRY_BYTES));
        assert_eq!(model.words.get("zzqxj"), None);
    }

    #[test]
    fn whatlang_knows_every_listed_language() {
        // The packed tables score every list; a code whatlang lacked would score as English.
        for (code, _) in WORD_LISTS {
            assert!(whatlang::Lang::from_code(*code).is_some(), "{code}");
        }
    }

    #[test]
    fn codes_round_trip() {
        assert_eq!(Lang::from_code("por").code(), "por");
        assert!(Lang::from_code("por").is_known());
        assert_eq!(Lang::from_code("xyz"), Lang::UND);
        assert_eq!(Lang::UND.code(), "und");
    }

    /// Lone-sentence accuracy on the shared dev set stays well above whatlang's 92.9%.
    #[test]
    fn dev_set_accuracy() {
        let Ok(raw) = std::fs::read_to_string("../shared/eval/langid/dev.tsv") else {
            println!("../shared/eval/langid/dev.tsv absent: skipping");
            return;
        };
        let same = |a: &str, b: &str| {
            let serbo_croatian = |c: &str| matches!(c, "srp" | "hrv" | "bos");
            a == b || (serbo_croatian(a) && serbo_croatian(b))
        };
        let (mut total, mut right) = (0usize, 0usize);
        for (gold, text) in raw.lines().skip(1).filter_map(|l| l.split_once('\t')) {
            total += 1;
            right += same(detect_document(text).lang.code(), gold) as usize;
        }
        let accuracy = right as f64 / total as f64;
        println!("dev accuracy {accuracy:.4}");
        assert!(accuracy > 0.94, "accuracy {accuracy}");
    }
}
