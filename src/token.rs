//! Tokenization with offsets: UAX #29 word boundaries, with URLs, e-mail addresses, numbers with
//! separators, hyphenated words and abbreviations kept whole.
//!
//! The sentence is cut into whitespace-separated chunks. A plain ASCII word is one token at
//! once (the common case); URLs and e-mail addresses are recognised on the chunk; anything
//! else is cut by UAX #29 and the pieces are then re-joined where UD-style surface tokens are
//! longer than UAX #29 words ("non-aggression", "Mr.", "...", "--") or split where they are
//! shorter (French/Italian elision "l'homme" -> "l'" + "homme").

use crate::lang::Lang;
use crate::sentence::{ALL, is_closer, is_opener};
use crate::span::Span;
use std::collections::HashSet;
use std::sync::LazyLock;
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

static ELISIONS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("data/abbreviations/elision.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Appends the tokens of `text[sentence]` to `out`, with spans absolute in `text`.
/// Whitespace is never a token.
pub fn tokenize(text: &str, sentence: Span, out: &mut Vec<Token>) {
    tokenize_lang(text, sentence, Lang::UND, out);
}

/// Like [`tokenize`], following the token conventions of `lang` where they differ: Lithuanian
/// and Armenian write an abbreviation's period as its own token, Armenian splits hyphens.
pub fn tokenize_lang(text: &str, sentence: Span, lang: Lang, out: &mut Vec<Token>) {
    let code = lang.code();
    let range = sentence.range();
    let Some(body) = text.get(range.clone()) else {
        return;
    };
    let mut t = Tokenizer {
        text,
        // The last non-whitespace byte: a period there (or followed only by closers) ends the
        // sentence and is punctuation, not part of an abbreviation.
        end: range.start + body.trim_end().len(),
        pieces: Vec::new(),
        lower: String::new(),
        keep_periods: !matches!(code, "lit" | "hye"),
        join_hyphens: code != "hye",
        out,
    };
    let bytes = text.as_bytes();
    let mut i = range.start;
    while i < range.end {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if b >= 0x80
            && let Some(width) = unicode_space(bytes, i)
        {
            i += width;
            continue;
        }
        let start = i;
        let mut ascii_word = true;
        let mut has_alpha = false;
        while i < range.end {
            let b = bytes[i];
            if b.is_ascii_whitespace() {
                break;
            }
            if b >= 0x80 {
                if unicode_space(bytes, i).is_some() {
                    break;
                }
                ascii_word = false;
                i += utf8_width(b);
                continue;
            }
            if !b.is_ascii_alphanumeric() {
                ascii_word = false;
            }
            has_alpha |= b.is_ascii_alphabetic();
            i += 1;
        }
        // A lead byte near the end of a malformed span cannot happen in a `str`, but keep the
        // chunk on the sentence's char boundary regardless.
        i = i.min(range.end);
        if ascii_word {
            let kind = if has_alpha {
                TokenKind::Word
            } else {
                TokenKind::Number
            };
            t.push(start, i, kind);
        } else {
            t.chunk(start, i);
        }
    }
}

struct Tokenizer<'a, 'o> {
    text: &'a str,
    end: usize,
    pieces: Vec<(usize, usize)>,
    lower: String,
    keep_periods: bool,
    join_hyphens: bool,
    out: &'o mut Vec<Token>,
}

impl Tokenizer<'_, '_> {
    fn push(&mut self, start: usize, end: usize, kind: TokenKind) {
        if start < end {
            self.out.push(Token {
                span: Span::new(start, end),
                kind,
            });
        }
    }

    /// A whitespace-free chunk `text[start..end]` that is not a plain ASCII word.
    fn chunk(&mut self, start: usize, end: usize) {
        let chunk = &self.text[start..end];
        // URL: after any opening punctuation, up to the chunk's end minus trailing punctuation.
        let lead = chunk.len() - chunk.trim_start_matches(is_opener).len();
        if starts_with_url(&chunk[lead..]) {
            let url_end = start + trim_url_end(&chunk[lead..]) + lead;
            self.pieces_of(start, start + lead);
            self.push(start + lead, url_end, TokenKind::Url);
            self.pieces_of(url_end, end);
            return;
        }
        if let Some(at) = chunk.find('@')
            && let Some((a, b)) = email_around(chunk, at)
        {
            self.pieces_of(start, start + a);
            self.push(start + a, start + b, TokenKind::Email);
            self.pieces_of(start + b, end);
            return;
        }
        self.pieces_of(start, end);
    }

    /// Cuts `text[start..end]` (no whitespace) with UAX #29 and re-joins the pieces.
    fn pieces_of(&mut self, start: usize, end: usize) {
        if start >= end {
            return;
        }
        let mut pieces = std::mem::take(&mut self.pieces);
        pieces.clear();
        if !simple_pieces(self.text, start, end, &mut pieces) {
            pieces.clear();
            pieces.extend(
                self.text[start..end]
                    .split_word_bound_indices()
                    .map(|(i, p)| (start + i, start + i + p.len())),
            );
        }
        self.join(&pieces, end);
        self.pieces = pieces;
    }

    fn join(&mut self, pieces: &[(usize, usize)], chunk_end: usize) {
        let text = self.text;
        let mut k = 0;
        while k < pieces.len() {
            let (mut a, mut b) = pieces[k];
            let piece = &text[a..b];
            let Some(first) = piece.chars().next() else {
                k += 1;
                continue;
            };
            k += 1;
            if !first.is_alphanumeric() {
                let single = first.len_utf8() == piece.len();
                if single
                    && matches!(first, ':' | ';' | '=')
                    && let Some(e) = emoticon_end(&text[a..chunk_end])
                {
                    self.push(a, a + e, TokenKind::Symbol);
                    while k < pieces.len() && pieces[k].0 < a + e {
                        k += 1;
                    }
                    // An emoticon ends inside a piece only in odd input; keep that piece's rest.
                    let last = pieces[k - 1].1;
                    if last > a + e {
                        self.push(a + e, last, kind_of(&text[a + e..last]));
                    }
                    continue;
                }
                if single && matches!(first, '#' | '@') && k == 1 {
                    // Hashtags and mentions at the start of a chunk.
                    if let Some(&(_, e)) = pieces.get(k)
                        && text[b..e].starts_with(char::is_alphanumeric)
                    {
                        self.push(a, e, TokenKind::Word);
                        k += 1;
                        continue;
                    }
                }
                if single {
                    // Runs: "...", "--", "!!", "?!", "``", "''", "**".
                    let terminal = matches!(first, '.' | '!' | '?');
                    while let Some(&(s, e)) = pieces.get(k) {
                        let next = &text[s..e];
                        let same = next.len() == first.len_utf8() && next.starts_with(first);
                        let both_terminal = terminal
                            && next.len() == 1
                            && matches!(next.as_bytes()[0], b'.' | b'!' | b'?');
                        if same || both_terminal {
                            b = e;
                            k += 1;
                        } else {
                            break;
                        }
                    }
                }
                self.push(a, b, kind_of(&text[a..b]));
                continue;
            }
            // A word or number piece. French/Italian elision first: "l'homme" -> "l'" + "homme".
            if let Some(split) = elision_split(piece) {
                self.push(a, a + split, TokenKind::Word);
                a += split;
            }
            while let Some(&(s, e)) = pieces.get(k) {
                let sep = &text[s..e];
                let Some(&(s2, e2)) = pieces.get(k + 1) else {
                    // "US$", "R$": a currency written after a country code.
                    if sep == "$"
                        && b - a <= 3
                        && text[a..b].bytes().all(|c| c.is_ascii_uppercase())
                    {
                        b = e;
                        k += 1;
                    }
                    break;
                };
                let right = &text[s2..e2];
                let right_alnum = right.starts_with(char::is_alphanumeric);
                let left_digit = text[..b].ends_with(|c: char| c.is_ascii_digit());
                let right_digit = right.starts_with(|c: char| c.is_ascii_digit());
                let join = right_alnum
                    && match sep {
                        "-" | "\u{2010}" => self.join_hyphens,
                        "–" => left_digit && right_digit,
                        "/" => left_digit || (b - a == 1 && right.len() == 1),
                        "&" => {
                            text[a..b].bytes().all(|c| c.is_ascii_uppercase())
                                && right.bytes().all(|c| c.is_ascii_uppercase())
                        }
                        _ => false,
                    };
                if sep == "$" && b - a <= 3 && text[a..b].bytes().all(|c| c.is_ascii_uppercase()) {
                    b = e;
                    k += 1;
                    break;
                }
                if !join {
                    break;
                }
                b = e2;
                k += 2;
            }
            // An abbreviation's, initial's or ordinal's period, unless it ends the sentence.
            if let Some(&(s, e)) = pieces.get(k)
                && &text[s..e] == "."
                && self.keep_periods
                && !self.ends_sentence(e)
                && !text[e..chunk_end].starts_with(char::is_alphanumeric)
            {
                let word = &text[a..b];
                let keep = ALL.contains(word, &mut self.lower)
                    || crate::sentence::is_initials(word)
                    || (word.len() <= 3
                        && word.bytes().all(|c| c.is_ascii_digit())
                        && e == chunk_end);
                if keep {
                    b = e;
                    k += 1;
                }
            }
            self.push(a, b, kind_of(&text[a..b]));
        }
    }

    /// True when only closers and terminal punctuation follow `pos` up to the sentence end.
    fn ends_sentence(&self, pos: usize) -> bool {
        self.text[pos..self.end]
            .chars()
            .all(|c| is_closer(c) || matches!(c, '.' | '!' | '?' | '…') || c.is_whitespace())
    }
}

/// Length of the non-ASCII whitespace character starting at byte `i`, if it is one (NBSP,
/// NEL, the U+2000 spaces, line/paragraph separators, ideographic space): decided on the bytes,
/// since almost every non-ASCII character in text is a letter.
fn unicode_space(bytes: &[u8], i: usize) -> Option<usize> {
    match bytes.get(i..)? {
        [0xC2, 0x85 | 0xA0, ..] => Some(2),
        [0xE1, 0x9A, 0x80, ..] | [0xE3, 0x80, 0x80, ..] | [0xE2, 0x81, 0x9F, ..] => Some(3),
        [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF, ..] => Some(3),
        _ => None,
    }
}

/// Byte length of the UTF-8 sequence that starts with lead byte `b`.
fn utf8_width(b: u8) -> usize {
    match b {
        0..0xE0 => 2,
        0xE0..0xF0 => 3,
        _ => 4,
    }
}

/// Opening and closing punctuation that UAX #29 always cuts off as its own piece, by its bytes.
fn simple_punct(rest: &[u8]) -> usize {
    match rest {
        [
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b'(' | b')' | b'[' | b']' | b'"' | b'\'',
            ..,
        ] => 1,
        // « »
        [0xC2, 0xAB | 0xBB, ..] => 2,
        // – — “ ” „ …
        [0xE2, 0x80, 0x93 | 0x94 | 0x9C | 0x9D | 0x9E | 0xA6, ..] => 3,
        _ => 0,
    }
}

/// The UAX #29 pieces of the common chunk shapes, without running the segmenter: punctuation,
/// then one word of letters and digits (ASCII, or Latin, Greek, Cyrillic and Armenian letters
/// from U+00C0 to U+058F, where every letter is ALetter), then punctuation: "(Bósnia",
/// "Москве,", "«então»". False, with `pieces` to be discarded, for any other shape, notably
/// word-internal punctuation ("e.g.", "1,000", "don't") that UAX #29 rules decide.
fn simple_pieces(text: &str, start: usize, end: usize, pieces: &mut Vec<(usize, usize)>) -> bool {
    let bytes = &text.as_bytes()[..end];
    let mut i = start;
    loop {
        let w = simple_punct(&bytes[i..]);
        if w == 0 {
            break;
        }
        pieces.push((i, i + w));
        i += w;
    }
    let core = i;
    while i < end {
        let b = bytes[i];
        if b.is_ascii_alphanumeric() {
            i += 1;
        } else if (0xC3..=0xD6).contains(&b) && i + 1 < end {
            let c = u32::from(b & 0x1F) << 6 | u32::from(bytes[i + 1] & 0x3F);
            if !char::from_u32(c).is_some_and(char::is_alphabetic) || c > 0x58F {
                return false;
            }
            i += 2;
        } else {
            break;
        }
    }
    if i > core {
        pieces.push((core, i));
    }
    while i < end {
        let w = simple_punct(&bytes[i..]);
        if w == 0 {
            return false;
        }
        pieces.push((i, i + w));
        i += w;
    }
    true
}

/// Where an elided clitic ends ("l'", "dell'", "qu'"), if `piece` starts with one.
fn elision_split(piece: &str) -> Option<usize> {
    let pos = piece.find(['\'', '’'])?;
    if pos == 0 || pos > 7 {
        return None;
    }
    let apostrophe = piece[pos..].chars().next()?.len_utf8();
    let after = pos + apostrophe;
    if !piece[after..].starts_with(char::is_alphabetic) {
        return None;
    }
    let mut buf = [0u8; 8];
    let prefix = &piece.as_bytes()[..pos];
    if !prefix.is_ascii() {
        return None;
    }
    for (dst, src) in buf.iter_mut().zip(prefix) {
        *dst = src.to_ascii_lowercase();
    }
    let lower = std::str::from_utf8(&buf[..pos]).ok()?;
    ELISIONS.contains(lower).then_some(after)
}

fn starts_with_url(s: &str) -> bool {
    let head = s.as_bytes();
    let starts =
        |p: &str| head.len() > p.len() && head[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    starts("http://") || starts("https://") || starts("ftp://") || starts("www.")
}

/// The URL's length in `s` once trailing punctuation is given back (a ")" stays when the URL
/// opened one).
fn trim_url_end(s: &str) -> usize {
    let mut end = s.len();
    while let Some(c) = s[..end].chars().next_back() {
        let drop = match c {
            '.' | ',' | ';' | ':' | '!' | '?' | '"' | '\'' | '»' | '”' | '’' | '>' => true,
            ')' => s[..end].matches('(').count() < s[..end].matches(')').count(),
            ']' => s[..end].matches('[').count() < s[..end].matches(']').count(),
            _ => false,
        };
        if !drop {
            break;
        }
        end -= c.len_utf8();
    }
    end
}

/// The e-mail address around the `@` at `at` in `chunk`, as a byte range.
fn email_around(chunk: &str, at: usize) -> Option<(usize, usize)> {
    let bytes = chunk.as_bytes();
    let local = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-');
    let mut a = at;
    while a > 0 && local(bytes[a - 1]) {
        a -= 1;
    }
    let mut b = at + 1;
    while b < bytes.len() && (bytes[b].is_ascii_alphanumeric() || matches!(bytes[b], b'.' | b'-')) {
        b += 1;
    }
    while b > at + 1 && matches!(bytes[b - 1], b'.' | b'-') {
        b -= 1;
    }
    while a < at && matches!(bytes[a], b'.' | b'-') {
        a += 1;
    }
    let domain = &chunk[at + 1..b];
    (a < at && domain.contains('.') && !domain.starts_with('.')).then_some((a, b))
}

/// Length of an emoticon at the start of `s` (":)", ":-)", ";-(", ":D", "=)"), when it is all
/// that is left of the chunk or is followed by non-alphanumerics.
fn emoticon_end(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 1;
    if b.get(i).is_some_and(|&c| c == b'-' || c == b'\'') {
        i += 1;
    }
    let mouth = *b.get(i)?;
    if !matches!(
        mouth,
        b')' | b'(' | b'D' | b'P' | b'p' | b'/' | b']' | b'[' | b'|' | b'O' | b'o'
    ) {
        return None;
    }
    i += 1;
    while b.get(i) == Some(&mouth) && matches!(mouth, b')' | b'(') {
        i += 1;
    }
    // ":Diese" or ":/path" are not faces.
    if b.get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'/')
    {
        return None;
    }
    Some(i)
}

fn kind_of(token: &str) -> TokenKind {
    let mut digit = false;
    let mut punct = true;
    for c in token.chars() {
        if c.is_alphabetic() {
            return TokenKind::Word;
        }
        if c.is_numeric() {
            digit = true;
        } else if !is_punctuation(c) {
            punct = false;
        }
    }
    if digit {
        TokenKind::Number
    } else if punct {
        TokenKind::Punct
    } else {
        TokenKind::Symbol
    }
}

/// Unicode punctuation (general category P*), approximated by blocks: ASCII punctuation less
/// the math/currency symbols, Latin-1 and General Punctuation, CJK and fullwidth forms.
fn is_punctuation(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation()
            && !matches!(c, '$' | '+' | '<' | '=' | '>' | '^' | '`' | '|' | '~');
    }
    matches!(c,
        '¡' | '§' | '«' | '¶' | '\u{b7}' | '»' | '¿' | '\u{37e}' | '\u{387}' | '։' | '־' | '׀' | '׃' | '׆' | '׳' | '״'
        | '؉'..='؍' | '؛'..='؟' | '٪'..='٭' | '۔' | '।' | '॥' | '‐'..='‧' | '‰'..='⁞' | '⸀'..='⹏'
        | '、'..='〃' | '〈'..='】' | '〔'..='〟' | '〰' | '〽' | '・' | '！'..='／' | '：'..='；'
        | '？'..='＠' | '［'..='］' | '＿' | '｛' | '｝' | '｟'..='･')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<(&str, &'static str)> {
        let mut out = Vec::new();
        let body = text.trim();
        let start = text.len() - text.trim_start().len();
        tokenize(text, Span::new(start, start + body.len()), &mut out);
        out.iter()
            .map(|t| (&text[t.span], t.kind.as_str()))
            .collect()
    }

    fn words(text: &str) -> Vec<&str> {
        tokens(text).into_iter().map(|(t, _)| t).collect()
    }

    /// Tokens lie in the sentence, in order, never whitespace, and cover all non-whitespace.
    fn check_cover(text: &str, sentence: Span) {
        let mut out = Vec::new();
        tokenize(text, sentence, &mut out);
        let mut pos = sentence.start as usize;
        for t in &out {
            assert!(
                t.span.start as usize >= pos && t.span.start < t.span.end,
                "{t:?}"
            );
            assert!(
                text[pos..t.span.start as usize].trim().is_empty(),
                "gap before {t:?}"
            );
            assert!(
                !text[t.span].chars().any(char::is_whitespace),
                "{:?}",
                &text[t.span]
            );
            pos = t.span.end as usize;
        }
        assert!(pos <= sentence.end as usize);
        assert!(text[pos..sentence.end as usize].trim().is_empty());
    }

    #[test]
    fn abbreviations_and_initials_keep_their_period() {
        assert_eq!(
            words(
                "It is because of the Communist Party and J.V. Stalin that Mr. Smith, e.g. in the U.S. Army, won."
            ),
            [
                "It",
                "is",
                "because",
                "of",
                "the",
                "Communist",
                "Party",
                "and",
                "J.V.",
                "Stalin",
                "that",
                "Mr.",
                "Smith",
                ",",
                "e.g.",
                "in",
                "the",
                "U.S.",
                "Army",
                ",",
                "won",
                "."
            ]
        );
        // A sentence-final period is punctuation, even after an abbreviation.
        assert_eq!(
            words("Georgi Zelma – Stalingrad, c. 1942."),
            ["Georgi", "Zelma", "–", "Stalingrad", ",", "c.", "1942", "."]
        );
        assert_eq!(
            words("He moved to the U.S."),
            ["He", "moved", "to", "the", "U.S", "."]
        );
        assert_eq!(
            words("O Sr. Silva e a Sra. Costa, p. ex. hoje."),
            [
                "O", "Sr.", "Silva", "e", "a", "Sra.", "Costa", ",", "p.", "ex.", "hoje", "."
            ]
        );
        assert_eq!(
            words("Es begann am 3. Mai."),
            ["Es", "begann", "am", "3.", "Mai", "."]
        );
    }

    #[test]
    fn numbers_with_separators() {
        let got = tokens(
            "The encirclement of 300,000 German troops, 1.000.000 soldados e 9,5 km on 08/16/2000.",
        );
        assert!(got.contains(&("300,000", "number")));
        assert!(got.contains(&("1.000.000", "number")));
        assert!(got.contains(&("9,5", "number")));
        assert!(got.contains(&("08/16/2000", "number")));
        assert_eq!(
            words("scores 2–1 and 1917-22"),
            ["scores", "2–1", "and", "1917-22"]
        );
    }

    #[test]
    fn hyphenated_words() {
        assert_eq!(
            words(
                "The non-aggression pact; cutting the Stalingrad-Salsk railway. Trata-se do cessar-fogo."
            ),
            [
                "The",
                "non-aggression",
                "pact",
                ";",
                "cutting",
                "the",
                "Stalingrad-Salsk",
                "railway",
                ".",
                "Trata-se",
                "do",
                "cessar-fogo",
                "."
            ]
        );
        // A dash between spaces or doubled stays punctuation.
        assert_eq!(
            words("war -- and peace - too"),
            ["war", "--", "and", "peace", "-", "too"]
        );
    }

    #[test]
    fn urls_and_emails() {
        let got = tokens(
            "See (https://www.example.org/a_b?x=1&y=2). Write to franz371...@gmail.com, or www.marxist.com!",
        );
        assert!(
            got.contains(&("https://www.example.org/a_b?x=1&y=2", "url")),
            "{got:?}"
        );
        assert!(got.contains(&("franz371...@gmail.com", "email")), "{got:?}");
        assert!(got.contains(&("www.marxist.com", "url")), "{got:?}");
        assert!(got.contains(&(")", "punct")));
    }

    #[test]
    fn punctuation_runs_contractions_and_elision() {
        assert_eq!(
            words("Wait... what?! don't go :-) ok"),
            ["Wait", "...", "what", "?!", "don't", "go", ":-)", "ok"]
        );
        assert_eq!(
            words("l'homme qu'il aime, dell'anno"),
            ["l'", "homme", "qu'", "il", "aime", ",", "dell'", "anno"]
        );
        assert_eq!(words("aujourd'hui it's"), ["aujourd'hui", "it's"]);
        let got = tokens("Price: $5 + 10% «ok»");
        assert!(
            got.contains(&("$", "symbol"))
                && got.contains(&("+", "symbol"))
                && got.contains(&("«", "punct"))
        );
    }

    #[test]
    fn fast_pieces_match_uax29() {
        // The shortcut must cut exactly where UAX #29 does, on real multilingual chunks.
        let text = "(Bósnia, «então» Москве, — Ελλάδα; ‘quoted’ l'homme e.g. 1,000 3rd.\" \
                    Ժողովուրդ։ naïve... “Dziękuję” São-Paulo x:y Ωμέγα! (1994) [ß]";
        let mut sample = text.to_owned();
        let raw = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("raw");
        if let Ok(entries) = std::fs::read_dir(&raw) {
            for entry in entries.flatten() {
                sample.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
            }
        }
        let mut pieces = Vec::new();
        let mut fast = 0;
        let mut pos = 0;
        for chunk in sample.split(char::is_whitespace) {
            let start = pos;
            pos += chunk.len()
                + sample[pos + chunk.len()..]
                    .chars()
                    .next()
                    .map_or(0, char::len_utf8);
            if chunk.is_empty() {
                continue;
            }
            pieces.clear();
            if simple_pieces(&sample, start, start + chunk.len(), &mut pieces) {
                fast += 1;
                let want: Vec<(usize, usize)> = chunk
                    .split_word_bound_indices()
                    .map(|(i, p)| (start + i, start + i + p.len()))
                    .collect();
                assert_eq!(pieces, want, "{chunk:?}");
            }
        }
        assert!(fast >= 10, "{fast}");
        assert_eq!(
            words("«Então», disse ele (em Москве)..."),
            [
                "«",
                "Então",
                "»",
                ",",
                "disse",
                "ele",
                "(",
                "em",
                "Москве",
                ")",
                "..."
            ]
        );
    }

    #[test]
    fn cover_real_text() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("raw");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            println!("skipping: {} not found", dir.display());
            return;
        };
        for entry in entries.flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            for sentence in crate::sentence::split(&text, Lang::UND) {
                check_cover(&text, sentence);
            }
        }
        for text in [
            "", " x ", "a\u{a0}b", "::", ":)", "@", "a@b", "http://", "l'", "'", "-a-", "U.S.!",
        ] {
            check_cover(text, Span::new(0, text.len()));
        }
    }
}
