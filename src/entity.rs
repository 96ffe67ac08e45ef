//! Named-entity candidates: maximal runs of capitalised tokens, with lower-case connectors
//! allowed inside a run, leading determiners trimmed, and sentence-initial words counted only
//! when not capitalised merely because they start the sentence.

use crate::lang::Lang;
use crate::span::Span;
use crate::token::Token;
use std::ops::Range;

/// An entity candidate: a run of tokens within one sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntitySpan {
    /// Bytes in the document text, from the first token's start to the last token's end.
    pub span: Span,
    /// Token indices (into the document's tokens), end exclusive.
    pub tokens: Range<u32>,
}

/// The context entity finding needs about the whole document.
pub struct DocumentContext<'a> {
    /// The document text.
    pub text: &'a str,
    /// All tokens of the document.
    pub tokens: &'a [Token],
    /// The document's main language.
    pub lang: Lang,
}

/// Finds entity candidates in one sentence whose tokens are `context.tokens[sentence_tokens]`,
/// appending them to `out`.
pub fn find(
    context: &DocumentContext<'_>,
    sentence_tokens: Range<u32>,
    sentence_lang: Lang,
    out: &mut Vec<EntitySpan>,
) {
    let _ = (context, sentence_tokens, sentence_lang, out);
}
