//! Language identification, per document and per sentence, on top of whatlang.
//!
//! Codes are ISO 639-3 as whatlang spells them (`eng`, `por`); `und` where the text is too short
//! or too unsure to tell.

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

/// Texts shorter than this (in chars of letters) are too short to judge alone.
const MIN_LETTERS: usize = 12;
/// Below this whatlang confidence a lone text is `und`.
const MIN_CONFIDENCE: f64 = 0.2;

/// The language of a whole document.
pub fn detect_document(text: &str) -> LangGuess {
    detect_text(text)
}

/// The language of each sentence, using the document's language as context: a sentence too
/// short to judge alone takes the document's language.
pub fn detect_sentences(text: &str, sentences: &[Span], document: LangGuess) -> Vec<LangGuess> {
    sentences
        .iter()
        .map(|&span| {
            let sentence = &text[span];
            if letter_count(sentence) < 40 {
                return document;
            }
            let guess = detect_text(sentence);
            if guess.lang.is_known() { guess } else { document }
        })
        .collect()
}

fn letter_count(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphabetic()).count()
}

fn detect_text(text: &str) -> LangGuess {
    if letter_count(text) < MIN_LETTERS {
        return LangGuess::UND;
    }
    match whatlang::detect(text) {
        Some(info) if info.confidence() >= MIN_CONFIDENCE => LangGuess {
            lang: Lang(Some(info.lang())),
            confidence: info.confidence() as f32,
        },
        _ => LangGuess::UND,
    }
}
