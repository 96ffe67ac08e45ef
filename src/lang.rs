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

/// Per-language frequent-word lists. Order defines the bit index in `Model::words`.
const WORD_LISTS: &[(&str, &str)] = &[
    ("afr", include_str!("data/lang/afr.txt")),
    ("aka", include_str!("data/lang/aka.txt")),
    ("aze", include_str!("data/lang/aze.txt")),
    ("bel", include_str!("data/lang/bel.txt")),
    ("bul", include_str!("data/lang/bul.txt")),
    ("cat", include_str!("data/lang/cat.txt")),
    ("ces", include_str!("data/lang/ces.txt")),
    ("cym", include_str!("data/lang/cym.txt")),
    ("dan", include_str!("data/lang/dan.txt")),
    ("deu", include_str!("data/lang/deu.txt")),
    ("eng", include_str!("data/lang/eng.txt")),
    ("epo", include_str!("data/lang/epo.txt")),
    ("est", include_str!("data/lang/est.txt")),
    ("fin", include_str!("data/lang/fin.txt")),
    ("fra", include_str!("data/lang/fra.txt")),
    ("hrv", include_str!("data/lang/hrv.txt")),
    ("hun", include_str!("data/lang/hun.txt")),
    ("ind", include_str!("data/lang/ind.txt")),
    ("ita", include_str!("data/lang/ita.txt")),
    ("jav", include_str!("data/lang/jav.txt")),
    ("lat", include_str!("data/lang/lat.txt")),
    ("lav", include_str!("data/lang/lav.txt")),
    ("lit", include_str!("data/lang/lit.txt")),
    ("mkd", include_str!("data/lang/mkd.txt")),
    ("nld", include_str!("data/lang/nld.txt")),
    ("nob", include_str!("data/lang/nob.txt")),
    ("pol", include_str!("data/lang/pol.txt")),
    ("por", include_str!("data/lang/por.txt")),
    ("ron", include_str!("data/lang/ron.txt")),
    ("rus", include_str!("data/lang/rus.txt")),
    ("slk", include_str!("data/lang/slk.txt")),
    ("slv", include_str!("data/lang/slv.txt")),
    ("sna", include_str!("data/lang/sna.txt")),
    ("spa", include_str!("data/lang/spa.txt")),
    ("srp", include_str!("data/lang/srp.txt")),
    ("swe", include_str!("data/lang/swe.txt")),
    ("tgl", include_str!("data/lang/tgl.txt")),
    ("tuk", include_str!("data/lang/tuk.txt")),
    ("tur", include_str!("data/lang/tur.txt")),
    ("ukr", include_str!("data/lang/ukr.txt")),
    ("uzb", include_str!("data/lang/uzb.txt")),
    ("vie", include_str!("data/lang/vie.txt")),
    ("zul", include_str!("data/lang/zul.txt")),
];

/// Number of languages with word lists; masks are `u64`.
const NL: usize = WORD_LISTS.len();
const _: () = assert!(NL <= 64);

/// Word-list languages plus the lookup table, built once.
struct Model {
    langs: [whatlang::Lang; NL],
    /// Lowercase word -> (bit mask of languages listing it, weight per language).
    words: HashMap<String, (u64, f32), FastHash>,
    /// Distinctive letter -> (bit mask of languages using it, weight per language).
    markers: HashMap<char, (u64, f32), FastHash>,
    /// Word ending -> (bit mask of languages, weight per language); consulted only for texts
    /// in doubt, where it separates close languages (Danish -hed / Norwegian -het).
    suffixes: HashMap<String, (u64, f32), FastHash>,
    /// Prior per language, for ties between close languages.
    prior: [f32; NL],
}

const PRIORS: &str = include_str!("data/lang/prior.tsv");

static MODEL: LazyLock<Model> = LazyLock::new(|| {
    let mut langs = [whatlang::Lang::Eng; NL];
    let mut masks: HashMap<String, u64, FastHash> = HashMap::default();
    let mut marker_masks: HashMap<char, u64, FastHash> = HashMap::default();
    let mut suffix_masks: HashMap<String, u64, FastHash> = HashMap::default();
    for (index, (code, data)) in WORD_LISTS.iter().enumerate() {
        // A code whatlang does not know would be a data bug; the list is simply unused then.
        let Some(lang) = whatlang::Lang::from_code(*code) else {
            continue;
        };
        langs[index] = lang;
        for line in data.lines() {
            let word = line.trim();
            if word.is_empty() || word.starts_with('#') {
                continue;
            }
            // `=` lines list letters that are distinctive for the language.
            if let Some(letters) = word.strip_prefix('=') {
                for c in letters.chars().flat_map(char::to_lowercase) {
                    *marker_masks.entry(c).or_default() |= 1u64 << index;
                }
                continue;
            }
            // `-` lines list distinctive word endings.
            if let Some(ending) = word.strip_prefix('-') {
                *suffix_masks.entry(ending.to_lowercase()).or_default() |= 1u64 << index;
                continue;
            }
            let word = word.to_lowercase().replace('’', "'");
            *masks.entry(word).or_default() |= 1u64 << index;
        }
    }
    // A word shared by k languages is 1/k as much evidence for each of them.
    let words = masks
        .into_iter()
        .map(|(word, mask)| (word, (mask, 1.0 / mask.count_ones() as f32)))
        .collect();
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
    Model {
        langs,
        words,
        markers,
        suffixes,
        prior,
    }
});

/// FNV-1a: the keys are short words, where SipHash's setup cost dominates.
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
        let mut best = (0usize, f32::MIN);
        let mut second = f32::MIN;
        for (index, &score) in self.scores.iter().enumerate() {
            if score > best.1 {
                second = best.1;
                best = (index, score);
            } else if score > second {
                second = score;
            }
        }
        (best, second.max(0.0))
    }

    /// True when most letters are in a script other than Latin or Cyrillic, where whatlang's
    /// script rule (one language per script) or its own models decide.
    fn other_script(&self) -> bool {
        (self.latin + self.cyrillic) * 2 < self.letters
    }
}

/// Scans `text` once: word-list hits and letter counts.
fn gather(text: &str, evidence: &mut Evidence, buffer: &mut String) {
    let model = &*MODEL;
    buffer.clear();
    let mut marks = 0u64;
    let flush = |buffer: &mut String, evidence: &mut Evidence, marks: &mut u64| {
        if buffer.is_empty() {
            return;
        }
        if *marks != 0 {
            let weight = tune(3, MARKER_WEIGHT) / marks.count_ones() as f32;
            add(evidence, *marks, weight);
            *marks = 0;
        }
        evidence.words += 1;
        let word = buffer.trim_matches('\'');
        let hit = model.words.get(buffer.as_str()).or_else(|| {
            if word.len() == buffer.len() {
                None
            } else {
                model.words.get(word)
            }
        });
        if let Some(&(mask, weight)) = hit {
            add(evidence, mask, weight);
        } else if let Some(cut) = word.find('\'') {
            // Elisions and clitics: French l'homme, Catalan d'aquest.
            if let Some(&(mask, weight)) = model.words.get(&word[..cut + 1]) {
                add(evidence, mask, weight);
            }
            if let Some(&(mask, weight)) = model.words.get(&word[cut + 1..]) {
                add(evidence, mask, weight);
            }
        }
        buffer.clear();
    };
    for c in text.chars() {
        if c.is_alphabetic() {
            evidence.letters += 1;
            if c.is_ascii() {
                evidence.latin += 1;
                buffer.push(c.to_ascii_lowercase());
                continue;
            }
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
        } else if (c == '\'' || c == '’') && !buffer.is_empty() {
            buffer.push('\'');
        } else {
            flush(buffer, evidence, &mut marks);
        }
    }
    flush(buffer, evidence, &mut marks);
}

/// Adds word-ending evidence to `scores`: each word counts once per language whose endings it
/// matches. Only words of at least four letters, so an ending never is the whole word.
fn add_suffixes(text: &str, scores: &mut [f32; NL]) {
    let model = &*MODEL;
    let weight = tune(6, SUFFIX_WEIGHT);
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
/// Whatlang's vote, in word-hit units: a base plus a share scaled by its confidence.
static TUNE: LazyLock<Vec<f32>> = LazyLock::new(|| {
    std::env::var("LANGID_TUNE")
        .unwrap_or_default()
        .split(',')
        .filter_map(|v| v.parse().ok())
        .collect()
});
fn tune(i: usize, default: f32) -> f32 {
    TUNE.get(i).copied().unwrap_or(default)
}
const WHATLANG_BASE: f32 = 0.3;
const WHATLANG_CONFIDENCE: f32 = 1.0;
const PRIOR_WEIGHT: f32 = 0.2;
const MARKER_WEIGHT: f32 = 0.5;
const SUFFIX_WEIGHT: f32 = 0.5;

/// Judges one text from its evidence, calling whatlang only when the words do not decide.
fn decide(text: &str, evidence: &Evidence) -> LangGuess {
    if evidence.letters < MIN_LETTERS {
        return LangGuess::UND;
    }
    let ((best, s1), s2) = evidence.top2();
    if !evidence.other_script() && s1 >= tune(4, WORDS_ALONE_SCORE) && s1 >= tune(5, WORDS_ALONE_RATIO) * s2 {
        return LangGuess {
            lang: Lang(Some(MODEL.langs[best])),
            confidence: confidence(s1, s2),
        };
    }
    let Some(info) = whatlang::detect(text) else {
        return LangGuess::UND;
    };
    let top = info.lang();
    let wl_conf = info.confidence() as f32;
    if std::env::var("LANGID_DEBUG").is_ok() {
        let mut v: Vec<(&str, f32)> = evidence.scores.iter().enumerate().filter(|x| *x.1 > 0.0).map(|(i, s)| (WORD_LISTS[i].0, *s)).collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1));
        eprintln!("DEBUG wl={} {:.2} words={:?} | {}", top.code(), wl_conf, v, text);
    }
    let Some(top_index) = index_of(top) else {
        // A language without a word list (one-language scripts, Hindi, Arabic...): whatlang's
        // answer stands unless the word lists strongly disagree.
        if s1 >= WORDS_ALONE_SCORE && !evidence.other_script() {
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
    let mut scores = evidence.scores;
    add_suffixes(text, &mut scores);
    for (score, prior) in scores.iter_mut().zip(&MODEL.prior) {
        *score += tune(2, PRIOR_WEIGHT) * prior;
    }
    scores[top_index] += tune(0, WHATLANG_BASE) + tune(1, WHATLANG_CONFIDENCE) * wl_conf;
    let mut winner = (top_index, scores[top_index]);
    let mut second = 0.0f32;
    for (index, &score) in scores.iter().enumerate() {
        if index == top_index {
            continue;
        }
        if score > winner.1 {
            second = winner.1;
            winner = (index, score);
        } else if score > second {
            second = score;
        }
    }
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

/// The language of a whole document (or of any lone text), judged on a bounded sample.
pub fn detect_document(text: &str) -> LangGuess {
    let sample = sample(text);
    let mut evidence = Evidence::new();
    let mut buffer = String::new();
    gather(&sample, &mut evidence, &mut buffer);
    decide(&sample, &evidence)
}

/// Sentences with fewer letters than this are too short to judge alone.
const SHORT_LETTERS: u32 = 20;
/// A sentence guess at least this confident anchors its neighbours.
const ANCHOR_CONFIDENCE: f32 = 0.3;
/// Another language must lead the document language's word score by this much before a
/// sentence is re-examined; below it the sentence is confirmed without calling whatlang.
const DOUBT_MARGIN: f32 = 0.5;

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
        gather(sentence, &mut evidence, &mut buffer);
        let class = text_class(&evidence);
        let short = evidence.letters < SHORT_LETTERS;
        let (guess, anchor) = if evidence.letters < MIN_LETTERS {
            (LangGuess::UND, false)
        } else if let Some(doc) = doc_index.filter(|_| class == doc_class) {
            // Cheap path: the words do not argue against the document language.
            let ((best, s1), s2) = evidence.top2();
            let doc_score = evidence.scores[doc];
            if best == doc || s1 < doc_score + DOUBT_MARGIN {
                let guess = LangGuess {
                    lang: document.lang,
                    confidence: if best == doc {
                        confidence(doc_score, s2)
                    } else {
                        0.0
                    },
                };
                (guess, !short && best == doc && doc_score >= 1.0)
            } else if short {
                (LangGuess::UND, false)
            } else {
                let guess = decide(sentence, &evidence);
                (guess, guess.lang.is_known() && guess.confidence >= ANCHOR_CONFIDENCE)
            }
        } else if short && class != Class::Other {
            (LangGuess::UND, false)
        } else {
            let guess = decide(sentence, &evidence);
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
        lang.0.and_then(index_of).map_or(0.0, |k| evidence.scores[k])
    };
    let mut out = Vec::with_capacity(judged.len());
    for (i, sentence) in judged.iter().enumerate() {
        if sentence.anchor {
            out.push(sentence.guess);
            continue;
        }
        let usable = |s: &&Judged| s.anchor && s.class == sentence.class;
        let previous = judged[..i].iter().rev().find(usable).map(|s| s.guess);
        let next = judged[i + 1..].iter().find(usable).map(|s| s.guess);
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
            .or_else(|| (doc_class == sentence.class).then_some(document))
            .filter(|c| c.lang.is_known());
        let Some(context) = context else {
            out.push(sentence.guess);
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

    #[test]
    fn english_and_portuguese() {
        let en = detect_document("The committee will publish its final report on the new rail line next month.");
        assert_eq!(en.lang.code(), "eng");
        let pt = detect_document("O governo anunciou ontem que vai aumentar o salário mínimo a partir de janeiro.");
        assert_eq!(pt.lang.code(), "por");
        assert!(pt.confidence > 0.0 && pt.confidence <= 1.0);
    }

    #[test]
    fn digits_and_punctuation_are_und() {
        assert_eq!(detect_document("12345 !!!"), LangGuess::UND);
        assert_eq!(detect_document(""), LangGuess::UND);
    }
}
