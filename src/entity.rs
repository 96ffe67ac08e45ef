//! Named-entity candidates: maximal runs of capitalised tokens, with lower-case connectors
//! allowed inside a run, leading determiners trimmed, and sentence-initial words counted only
//! when not capitalised merely because they start the sentence.
//!
//! Capitalisation is the only signal, so the work is deciding when it means nothing: a word at
//! the start of a sentence (or after a colon or an opening quote), every word of an ALL-CAPS or
//! Title-Case line, function words, and words the document also writes in lower case.

use crate::lang::Lang;
use crate::span::Span;
use crate::token::{Token, TokenKind};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::sync::{LazyLock, OnceLock};

/// An entity candidate: a run of tokens within one sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntitySpan {
    /// Bytes in the document text, from the first token's start to the last token's end. A
    /// possessive glued to the last token stays ("Stalin’s"), as UD's surface tokens keep it.
    pub span: Span,
    /// Token indices (into the document's tokens), end exclusive.
    pub tokens: Range<u32>,
}

/// The context entity finding needs about the whole document.
///
/// Build it with [`DocumentContext::new`], which gathers once per document how each word is
/// written across it.
pub struct DocumentContext<'a> {
    /// The document text.
    pub text: &'a str,
    /// All tokens of the document.
    pub tokens: &'a [Token],
    /// The document's main language.
    pub lang: Lang,
    facts: DocumentFacts,
    /// Per token: its shape and lower-case key, computed once for the document pass and all
    /// `find` calls.
    token_facts: Vec<TokenFacts>,
}

/// What `find` needs about one token, computed once per document.
#[derive(Clone, Copy)]
struct TokenFacts {
    shape: Shape,
    /// Hash of the lower-case form; [`NO_KEY`] for non-words and words too long for any list.
    key: u64,
    /// Whether the token sits where any word is capitalised (after a sentence end, a quote, a
    /// line break, ...).
    initial: bool,
    /// Never a name whatever its case: a file name ("TEXT.htm", "Lisa_resume.doc"), a currency
    /// prefix ("US$"), or a hyphenated compound of common words ("Polish-style").
    never_name: bool,
    /// A compound whose head is a common noun ("Hundeschule" = "Hunde" + "schule"), where
    /// nouns are capitalised.
    common_compound: bool,
}

/// No word of any list hashes to this (a hash collision here only costs a lookup miss).
const NO_KEY: u64 = 0;

impl<'a> DocumentContext<'a> {
    /// The context of a document, with its word facts gathered from all of its tokens.
    pub fn new(text: &'a str, tokens: &'a [Token], lang: Lang) -> DocumentContext<'a> {
        let token_facts = token_facts(text, tokens, lang_data(lang));
        let facts = DocumentFacts::gather(&token_facts);
        DocumentContext {
            text,
            tokens,
            lang,
            facts,
            token_facts,
        }
    }
}

/// Choices for [`find_with`]. The default joins nothing: UD's PROPN runs, which the project is
/// scored on, never span a connector.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Whether lower-case connectors ("of", "de", "von") may join capitalised words into one
    /// candidate ("Battle of Stalingrad"). UD's PROPN runs stop at them.
    pub join_connectors: bool,
}

/// How words are written across one document.
#[derive(Default)]
struct DocumentFacts {
    /// Hashes of the lower-case forms of words written all in lower case somewhere.
    lower_seen: WordSet,
    /// Hashes of the lower-case forms of capitalised words seen where capitals carry meaning
    /// (not sentence-initial-like).
    upper_seen: WordCounts,
}

impl DocumentFacts {
    /// Whether the document capitalises `fact`'s word where capitals carry meaning, at some
    /// token other than `fact`'s own.
    fn capitalised_elsewhere(&self, fact: &TokenFacts) -> bool {
        let own = u32::from(!fact.initial && matches!(fact.shape, Shape::Title | Shape::AllCaps));
        self.upper_seen.get(&fact.key).is_some_and(|&n| n > own)
    }
}

impl DocumentFacts {
    fn gather(token_facts: &[TokenFacts]) -> DocumentFacts {
        let mut facts = DocumentFacts {
            lower_seen: WordSet::with_capacity_and_hasher(
                token_facts.len() / 2,
                Default::default(),
            ),
            upper_seen: WordCounts::with_capacity_and_hasher(
                token_facts.len() / 8,
                Default::default(),
            ),
        };
        for fact in token_facts {
            if fact.key == NO_KEY {
                continue;
            }
            match fact.shape {
                Shape::Lower => {
                    facts.lower_seen.insert(fact.key);
                }
                Shape::Other | Shape::Mixed => {}
                Shape::Title | Shape::AllCaps => {
                    if !fact.initial {
                        *facts.upper_seen.entry(fact.key).or_default() += 1;
                    }
                }
            }
        }
        facts
    }
}

/// Each token's facts, in one pass: the shape and the lower-cased key are the expensive part of
/// entity finding, so no token gets them twice.
fn token_facts(text: &str, tokens: &[Token], data: Option<&LangData>) -> Vec<TokenFacts> {
    let compounds = data.filter(|d| d.capitalises_nouns);
    let mut out = Vec::with_capacity(tokens.len());
    let mut buf = [0u8; KEY_BYTES];
    let mut previous: Option<&Token> = None;
    for token in tokens {
        let mut fact = TokenFacts {
            shape: Shape::Other,
            key: NO_KEY,
            initial: false,
            never_name: false,
            common_compound: false,
        };
        if token.kind == TokenKind::Word
            && let Some(word) = text.get(token.span.range())
        {
            fact.shape = shape(word);
            fact.initial = initial_like(text, previous, token);
            // Currency prefixes ("US$", "R$") are symbols.
            fact.never_name = is_file_name(word)
                || word.ends_with(['$', '€', '£', '¥'])
                || (fact.shape != Shape::Lower && common_hyphenated(word, data));
            if let Some(key) = lower_key(word, &mut buf) {
                fact.key = hash_key(key);
                if let Some(data) = compounds
                    && fact.shape == Shape::Title
                    && data.flags(fact.key) & COMMON == 0
                    && compound_of_common(key, data)
                {
                    fact.common_compound = true;
                }
            }
        }
        out.push(fact);
        previous = Some(token);
    }
    out
}

/// Whether a capitalised hyphenated word is a compound headed by a common word rather than a
/// name: a part after the first in lower case, longer than a letter, that is no connector
/// ("Polish-style", "E-commerce"; but "Île-de-France", "IPC-r", and a lower-case prefix
/// before a name: "ex-Iugoslávia", "al-Qaeda"), or every part a listed adjective
/// ("Israeli-Palestinian").
fn common_hyphenated(word: &str, data: Option<&LangData>) -> bool {
    if !word.contains('-') {
        return false;
    }
    let mut buf = [0u8; KEY_BYTES];
    let mut all_adjectives = true;
    let mut parts = 0;
    for part in word.split('-') {
        if !part.chars().any(char::is_alphabetic) {
            all_adjectives = false;
            continue;
        }
        parts += 1;
        let flags = data.map_or(0, |data| {
            lower_key(part, &mut buf).map_or(0, |key| data.flags(hash_key(key)))
        });
        if parts > 1
            && part.chars().nth(1).is_some()
            && part.chars().all(char::is_lowercase)
            && flags & (CONNECTOR | FUNCTION) == 0
        {
            return true;
        }
        all_adjectives &= flags & ADJECTIVE != 0;
    }
    parts >= 2 && all_adjectives
}

/// Whether `key` ends in a listed common word of at least four letters after a stem of at
/// least three: German compounds take their head's class ("Hundezentrum").
fn compound_of_common(key: &str, data: &LangData) -> bool {
    key.char_indices().skip(3).any(|(i, _)| {
        let head = &key[i..];
        head.chars().nth(3).is_some() && data.flags(hash_key(head)) & COMMON != 0
    })
}

/// File extensions that mark a token as a file name ("CrudeStocks.pdf").
const FILE_EXTENSIONS: &[&str] = &[
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "htm", "html", "txt", "rtf", "csv", "jpg",
    "jpeg", "png", "gif", "zip", "exe", "mp3", "mp4", "xml",
];

/// The lengths of the shortest and the longest of [`FILE_EXTENSIONS`].
const EXTENSION_LENGTHS: (usize, usize) = {
    let mut shortest = usize::MAX;
    let mut longest = 0;
    let mut i = 0;
    while i < FILE_EXTENSIONS.len() {
        let len = FILE_EXTENSIONS[i].len();
        if len < shortest {
            shortest = len;
        }
        if len > longest {
            longest = len;
        }
        i += 1;
    }
    (shortest, longest)
};

fn is_file_name(word: &str) -> bool {
    // A file name's last dot is as far from its end as a listed extension is long (no
    // extension holds a dot), so only those few bytes are looked at: a search of the whole
    // word for its last dot cost a tenth of entity finding, one call per word of the corpus.
    let bytes = word.as_bytes();
    let n = bytes.len();
    let (shortest, longest) = EXTENSION_LENGTHS;
    // Nearest the end first: the last dot.
    for len in shortest..=longest {
        // Something before the dot, too.
        if n > len + 1 && bytes[n - len - 1] == b'.' {
            let ext = &bytes[n - len..];
            return FILE_EXTENSIONS
                .iter()
                .any(|e| e.as_bytes().eq_ignore_ascii_case(ext));
        }
    }
    false
}

/// Finds entity candidates in one sentence whose tokens are `context.tokens[sentence_tokens]`,
/// appending them to `out`.
pub fn find(
    context: &DocumentContext<'_>,
    sentence_tokens: Range<u32>,
    sentence_lang: Lang,
    out: &mut Vec<EntitySpan>,
) {
    find_with(
        context,
        sentence_tokens,
        sentence_lang,
        &Options::default(),
        out,
    );
}

/// [`find`] with explicit [`Options`].
pub fn find_with(
    context: &DocumentContext<'_>,
    sentence_tokens: Range<u32>,
    sentence_lang: Lang,
    options: &Options,
    out: &mut Vec<EntitySpan>,
) {
    find_in(
        context,
        &context.facts,
        sentence_tokens,
        sentence_lang,
        options,
        out,
    );
}

fn find_in(
    context: &DocumentContext<'_>,
    facts: &DocumentFacts,
    sentence_tokens: Range<u32>,
    sentence_lang: Lang,
    options: &Options,
    out: &mut Vec<EntitySpan>,
) {
    let start = (sentence_tokens.start as usize).min(context.tokens.len());
    let end = (sentence_tokens.end as usize).clamp(start, context.tokens.len());
    let tokens = &context.tokens[start..end];
    if tokens.is_empty() {
        return;
    }
    let data = lang_data(sentence_lang).or_else(|| lang_data(context.lang));
    let data = data.unwrap_or(&EMPTY);
    let text = context.text;
    let token_facts = &context.token_facts[start..end];

    let uninformative = case_uninformative(token_facts, tokens, data);

    // The run being built: first token and last name token (both relative to `tokens`).
    let mut run: Option<(usize, usize)> = None;
    // Until the sentence's first word, everything is "initial".
    let mut seen_word = false;
    // A `Class::Leading` word just before this token.
    let mut pending_lead: Option<usize> = None;
    for (i, (token, fact)) in tokens.iter().zip(token_facts).enumerate() {
        if matches!(token.kind, TokenKind::Url | TokenKind::Email) {
            // UD tags web and e-mail addresses PROPN: each is a candidate of its own.
            if let Some((first, last)) = run.take() {
                emit(text, data, tokens, start, first, last, out);
            }
            emit(text, data, tokens, start, i, i, out);
            seen_word = true;
            pending_lead = None;
            continue;
        }
        let next = tokens.get(i + 1).map(|next| (next, &token_facts[i + 1]));
        let mut class = classify(
            facts,
            data,
            token,
            fact,
            !seen_word,
            uninformative,
            options.join_connectors,
        );
        if class == Class::Name || class == Class::Leading {
            let leading = class == Class::Leading;
            class = in_context(
                text,
                data,
                facts,
                token,
                fact,
                next,
                run.is_some(),
                !seen_word || fact.initial || uninformative,
            );
            if leading && class == Class::Name {
                class = Class::Leading;
            }
        }
        seen_word |= token.kind == TokenKind::Word;
        let leading = pending_lead.take();
        match class {
            Class::Name => {
                let first = run.map_or(leading.unwrap_or(i), |(first, _)| first);
                run = Some((first, i));
            }
            Class::Leading => {
                if let Some((first, last)) = run.take() {
                    emit(text, data, tokens, start, first, last, out);
                }
                if data.leading_names || data.flags(fact.key) & TITLE != 0 {
                    pending_lead = Some(i);
                }
            }
            Class::Connector if options.join_connectors && run.is_some() => {}
            _ => {
                if let Some((first, last)) = run.take() {
                    emit(text, data, tokens, start, first, last, out);
                }
            }
        }
    }
    if let Some((first, last)) = run {
        emit(text, data, tokens, start, first, last, out);
    }
}

/// Second look at a word `classify` calls a name, with its neighbours.
#[allow(clippy::too_many_arguments)]
fn in_context(
    text: &str,
    data: &LangData,
    facts: &DocumentFacts,
    token: &Token,
    fact: &TokenFacts,
    next: Option<(&Token, &TokenFacts)>,
    in_run: bool,
    initial: bool,
) -> Class {
    let next_text = next.map_or("", |(t, _)| &text[t.span]);
    let next_capitalised = next.is_some_and(|(t, f)| {
        t.kind == TokenKind::Word && matches!(f.shape, Shape::Title | Shape::AllCaps)
    });
    // A currency prefix ("US$", "R$") is a symbol, not a name.
    if next.is_some_and(|(t, _)| t.span.start == token.span.end) && next_text.starts_with('$') {
        return Class::Other;
    }
    if fact.key == NO_KEY {
        return Class::Name;
    }
    let flags = data.flags(fact.key);
    if fact.shape == Shape::AllCaps {
        // "FREE", "VERY", "HUGE": a common word in capitals is emphasis ("US", "IT" are kept).
        // Four letters or more, it is one even where the document never writes it in lower
        // case, where the common list holds no names; shorter ones are as often acronyms
        // ("AID", "ONE").
        let four_letters_or_more = || {
            text.get(token.span.range())
                .is_some_and(|word| word.chars().nth(3).is_some())
        };
        if flags & COMMON != 0
            && flags & FUNCTION == 0
            && (facts.lower_seen.contains(&fact.key)
                || (data.common_without_names && four_letters_or_more()))
        {
            return Class::Other;
        }
        return Class::Name;
    }
    if fact.shape != Shape::Title {
        return Class::Name;
    }
    // A lone capital outside a name ("Z happens after X", "(C)", the interviewer's "P. --")
    // is a variable or a label.
    let word = text.get(token.span.range()).unwrap_or_default();
    let letter = word.len() == 1 || (word.len() == 2 && word.ends_with('.'));
    if !in_run && !next_capitalised && letter {
        return Class::Other;
    }
    // A function word capitalised mid-sentence starts a name only with a name after it
    // ("Will Smith", "São Paulo"); alone it is a polite pronoun ("Du", "Sie") or a typo.
    // Inside a run, it ends the run: a heading glued to the next sentence ("... Boston Foi
    // descoberto").
    if data.hand_function_words && flags & FUNCTION != 0 && !next_capitalised {
        return Class::Other;
    }
    if !in_run && flags & COMMON != 0 && !next_capitalised {
        // "Email:", "Coach:", "Horário:": a label.
        if next_text == ":" {
            return Class::Other;
        }
    }
    if initial
        && !in_run
        && !facts.capitalised_elsewhere(fact)
        && let Some(word) = text.get(token.span.range())
        && data
            .initial_suffixes
            .iter()
            .any(|suffix| word.len() >= suffix.len() + 3 && word.ends_with(suffix.as_str()))
    {
        return Class::Other;
    }
    Class::Name
}

fn emit(
    text: &str,
    data: &LangData,
    tokens: &[Token],
    base: usize,
    first: usize,
    mut last: usize,
    out: &mut Vec<EntitySpan>,
) {
    // "Enron Broadband Services, Inc.": the abbreviation keeps its period, even where the
    // period also ends the sentence.
    if let Some(period) = tokens.get(last + 1)
        && period.span.start == tokens[last].span.end
        && text.get(period.span.range()) == Some(".")
        && let Some(word) = text.get(tokens[last].span.range())
        && let Some(key) = lower_key(word, &mut [0u8; KEY_BYTES])
        && data.flags(hash_key(key)) & PERIOD_NAME != 0
    {
        last += 1;
    }
    let start = tokens[first].span.start as usize;
    let end = tokens[last].span.end as usize;
    out.push(EntitySpan {
        span: Span::new(start, end),
        tokens: (base + first) as u32..(base + last + 1) as u32,
    });
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// Part of a name.
    Name,
    /// May join two names ("of", "de").
    Connector,
    /// Ends a run.
    Other,
    /// A frequent word capitalised by position: part of a name only when a name follows.
    Leading,
}

fn classify(
    facts: &DocumentFacts,
    data: &LangData,
    token: &Token,
    fact: &TokenFacts,
    first_word: bool,
    uninformative: bool,
    join_connectors: bool,
) -> Class {
    if token.kind != TokenKind::Word {
        return Class::Other;
    }
    let shape = fact.shape;
    if fact.key == NO_KEY {
        // Longer than any listed word: judge by shape alone.
        return if matches!(shape, Shape::Lower | Shape::Other) {
            Class::Other
        } else {
            Class::Name
        };
    }
    let flags = data.flags(fact.key);
    if shape == Shape::Lower {
        return if join_connectors && flags & CONNECTOR != 0 {
            Class::Connector
        } else {
            Class::Other
        };
    }
    // Currency prefixes ("US$", "R$") are symbols; file names are not names.
    if shape == Shape::Other || fact.never_name {
        return Class::Other;
    }
    let initial = first_word || fact.initial;
    // An acronym that spells a function word ("US", "IT") is a name unless the line shouts.
    let acronym = shape == Shape::AllCaps && !uninformative;
    if !acronym
        && (flags & DETERMINER != 0 || ((initial || uninformative) && flags & FUNCTION != 0))
    {
        // Mid-sentence, only determiners are never names: "São Paulo", "Will Smith".
        return Class::Other;
    }
    if flags & NONENTITY != 0 {
        return Class::Other;
    }
    // UD tags "the German Sixth Army" ADJ PROPN PROPN: nationality adjectives stay outside.
    if flags & ADJECTIVE != 0 {
        return Class::Other;
    }
    if !(initial || uninformative) {
        // Where every noun is capitalised (German), capitals mid-sentence mean a name only for
        // words that are not common nouns.
        if data.capitalises_nouns && !acronym && (flags & COMMON != 0 || fact.common_compound) {
            return Class::Other;
        }
        return Class::Name;
    }
    // Capitals here may be typography: trust the rest of the document.
    if facts.lower_seen.contains(&fact.key) {
        return Class::Other;
    }
    if facts.capitalised_elsewhere(fact) && !data.capitalises_nouns {
        return Class::Name;
    }
    if fact.common_compound {
        return Class::Other;
    }
    if flags & COMMON != 0 {
        // Capitalised at a sentence start and frequent: a name only with a name after it
        // ("Eduardo Lourenço fechou", "President Bush nominated").
        return if shape == Shape::Title && !data.capitalises_nouns {
            Class::Leading
        } else {
            Class::Other
        };
    }
    if flags & FREQUENT != 0 && first_word && shape == Shape::Title && !data.capitalises_nouns {
        // The longer list holds names too ("Vasco", "Cardoso"), so its words are only taken
        // as capitalised by position where the sentence plainly starts.
        return if data.leading_names {
            Class::Leading
        } else {
            Class::Other
        };
    }
    Class::Name
}

/// True when the sentence's capitals say nothing: an ALL-CAPS line, or a Title-Case heading
/// where nearly every word, function words included, is capitalised.
fn case_uninformative(token_facts: &[TokenFacts], tokens: &[Token], data: &LangData) -> bool {
    let mut words = 0usize;
    let mut all_caps = 0usize;
    let mut capitalised = 0usize;
    let mut function_caps = 0usize;
    let mut common_caps = 0usize;
    let mut first_capitalised = false;
    let mut first = true;
    for (token, fact) in tokens.iter().zip(token_facts) {
        if token.kind != TokenKind::Word {
            continue;
        }
        let shape = fact.shape;
        if first {
            first = false;
            if shape == Shape::AllCaps {
                all_caps += 1;
            }
            first_capitalised = matches!(shape, Shape::Title | Shape::AllCaps);
            if data.flags(fact.key) & COMMON != 0 {
                common_caps += 1;
            }
            words += 1;
            continue;
        }
        words += 1;
        match shape {
            Shape::AllCaps => {
                all_caps += 1;
                capitalised += 1;
            }
            Shape::Title => {
                capitalised += 1;
                let flags = data.flags(fact.key);
                if flags & FUNCTION != 0 {
                    function_caps += 1;
                }
                if flags & COMMON != 0 {
                    common_caps += 1;
                }
            }
            _ => {}
        }
    }
    if all_caps >= 3 && all_caps * 10 >= words * 6 {
        return true;
    }
    if first_capitalised && words >= 2 && capitalised + 1 == words && common_caps >= 1 {
        return true;
    }
    words >= 4 && function_caps >= 1 && capitalised * 10 >= (words - 1) * 8
}

/// True when `token` follows something after which any word is capitalised: the start of the
/// text, a sentence end, a colon, an opening quote or bracket, a bullet, or a line break.
fn initial_like(text: &str, previous: Option<&Token>, token: &Token) -> bool {
    let Some(previous) = previous else {
        return true;
    };
    let gap = &text[previous.span.end as usize..token.span.start as usize];
    // The gap is mostly one space: a byte loop beats the memchr call behind `contains`.
    if gap.bytes().any(|b| b == b'\n') {
        return true;
    }
    if previous.kind == TokenKind::Word || previous.kind == TokenKind::Number {
        return false;
    }
    // Rules and separators of dashes, equals signs or asterisks ("--", "----==").
    if text[previous.span]
        .chars()
        .all(|c| matches!(c, '-' | '–' | '—' | '=' | '*' | '#' | '_' | '~' | '•'))
    {
        return true;
    }
    // An emoticon (":-)", ";)") ends what came before it.
    let previous_text = &text[previous.span];
    if previous_text.len() >= 2
        && previous_text.starts_with([':', ';'])
        && previous_text.ends_with([')', '('])
    {
        return true;
    }
    // A plain apostrophe opens a quote when nothing is glued before it.
    if previous_text == "'" {
        let before = text[..previous.span.start as usize].chars().next_back();
        return before.is_none_or(|c| c.is_whitespace() || "([{:\"“".contains(c));
    }
    matches!(
        &text[previous.span],
        "." | "!"
            | "?"
            | ":"
            | ";"
            | "\""
            | "“"
            | "”"
            | "‘"
            | "«"
            | "„"
            | "-"
            | "–"
            | "—"
            | "•"
            | "*"
            | "…"
            | "..."
            | "¿"
            | "¡"
            | "|"
            | ">"
            | "("
            | "["
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// No upper-case letter.
    Lower,
    /// Upper-case first letter, some lower-case letter ("Stalin", "McDonald").
    Title,
    /// At least two letters, none lower-case ("NATO", "URSS").
    AllCaps,
    /// Lower-case first letter with a capital later ("iPhone", "eBay").
    Mixed,
    /// Not a word (no letter first), or a lone capital letter.
    Other,
}

fn shape(word: &str) -> Shape {
    // ASCII words (most) in one pass over their bytes, which leaves for the Unicode rules at
    // the first byte that is not ASCII.
    let bytes = word.as_bytes();
    let Some((&first, rest)) = bytes.split_first() else {
        return Shape::Other;
    };
    if !first.is_ascii() {
        return unicode_shape(word);
    }
    let mut upper = false;
    let mut lower = false;
    for &byte in rest {
        if !byte.is_ascii() {
            return unicode_shape(word);
        }
        upper |= byte.is_ascii_uppercase();
        lower |= byte.is_ascii_lowercase();
    }
    ascii_shape(first, upper, lower)
}

/// The shape of an ASCII word from its first byte and whether the bytes after it have
/// capitals and lower-case letters.
fn ascii_shape(first: u8, upper_after: bool, lower_after: bool) -> Shape {
    if !first.is_ascii_alphabetic() {
        return Shape::Other;
    }
    match (first.is_ascii_uppercase(), upper_after, lower_after) {
        (true, _, true) => Shape::Title,
        (true, true, false) => Shape::AllCaps,
        (true, false, false) => Shape::Title,
        (false, true, _) => Shape::Mixed,
        (false, false, _) => Shape::Lower,
    }
}

/// [`shape`] of a word that is not all ASCII.
fn unicode_shape(word: &str) -> Shape {
    let mut letters = word.chars().filter(|c| c.is_alphabetic());
    let Some(first) = letters.next() else {
        return Shape::Other;
    };
    // A word must start with its letter ("3M" and "'Tis" are not shapes we judge).
    if !word.starts_with(first) {
        return Shape::Other;
    }
    let mut upper = 0usize;
    let mut lower = 0usize;
    for c in letters {
        if c.is_uppercase() {
            upper += 1;
        } else if c.is_lowercase() {
            lower += 1;
        }
    }
    if first.is_uppercase() {
        if lower > 0 {
            Shape::Title
        } else if upper > 0 {
            Shape::AllCaps
        } else {
            // A lone capital ("A", "I", "J." initials) is a name only in context.
            Shape::Title
        }
    } else if first.is_lowercase() && upper > 0 {
        Shape::Mixed
    } else if first.is_lowercase() {
        Shape::Lower
    } else {
        // Scripts without case (Tamil, Armenian has case, CJK): no signal.
        Shape::Other
    }
}

const KEY_BYTES: usize = 64;

/// Lower-cases `word` into `buf` (typographic apostrophes made plain), or `None` when it does not
/// fit: no listed word is that long.
fn lower_key<'b>(word: &'b str, buf: &'b mut [u8; KEY_BYTES]) -> Option<&'b str> {
    // Most words are already their own key: no copy.
    if word
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'\'')
    {
        return Some(word);
    }
    if word.is_ascii() {
        let bytes = word.as_bytes();
        let out = buf.get_mut(..bytes.len())?;
        for (o, b) in out.iter_mut().zip(bytes) {
            *o = b.to_ascii_lowercase();
        }
        return std::str::from_utf8(out).ok();
    }
    let mut len = 0;
    for c in word.chars() {
        let c = if c == '’' { '\'' } else { c };
        for l in c.to_lowercase() {
            let n = l.len_utf8();
            if len + n > KEY_BYTES {
                return None;
            }
            l.encode_utf8(&mut buf[len..len + n]);
            len += n;
        }
    }
    std::str::from_utf8(&buf[..len]).ok()
}

fn hash_key(key: &str) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write(key.as_bytes());
    // Spread the bits: the set below uses the value as its own hash.
    hasher.finish().wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (key.len() as u64)
}

/// A small multiplicative hasher (as in rustc's FxHash): word lookups run on every token, and
/// the lists are fixed, so SipHash's DoS resistance buys nothing here.
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
}

/// A set of word hashes; the keys are already well mixed, so hashing them again is waste.
type WordSet = HashSet<u64, BuildHasherDefault<IdentityHasher>>;

/// Word hashes with a count.
type WordCounts = HashMap<u64, u32, BuildHasherDefault<IdentityHasher>>;

#[derive(Default)]
struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// Word lists for one language while they are read (words may repeat: they become flags).
#[derive(Default)]
struct Lists {
    /// Lower-case words that may join names ("of", "de", "von").
    connectors: Vec<&'static str>,
    /// Determiners: never part of a name, so also trimmed from a run's start ("The Soviet
    /// Union" -> "Soviet Union").
    determiners: Vec<&'static str>,
    /// Pronouns, prepositions, conjunctions, auxiliaries (and determiners): capitalised only by
    /// position when they start a sentence.
    function: Vec<&'static str>,
    /// Capitalised words that are not names ("I", "PM").
    nonentities: Vec<&'static str>,
    /// Common words: at a sentence start, capitalised only because they start it.
    common: Vec<&'static str>,
    /// Capitalised adjectives ("American"): not names.
    adjectives: Vec<&'static str>,
    /// Abbreviations that end a name and keep their period ("Inc.", "Jr.").
    period_names: Vec<&'static str>,
    /// Words of the common list that are names by the PROPN convention (English months).
    names: Vec<&'static str>,
    /// Endings of inflected common words ("-ly", "-mente"): a sentence-initial word with one
    /// is not a name unless the document capitalises it elsewhere.
    initial_suffixes: Vec<&'static str>,
    /// Titles ("president", "dr"): capitalised before a name they are part of it, also where
    /// a sentence start is all that capitalises them.
    titles: Vec<&'static str>,
    /// Rarer common words ("enchentes", "acompanhada"): Title-case at the very start of a
    /// sentence, capitalised only because they start it. Not trusted after a bracket or a
    /// quote, where names are frequent, nor for acronyms or headings.
    frequent: Vec<&'static str>,
}

const CONNECTOR: u16 = 1;
const DETERMINER: u16 = 2;
const FUNCTION: u16 = 4;
const NONENTITY: u16 = 8;
const COMMON: u16 = 16;
const ADJECTIVE: u16 = 32;
const PERIOD_NAME: u16 = 64;
const TITLE: u16 = 128;
const FREQUENT: u16 = 256;

/// A language's lexicon: each listed word with its flags, so that a token costs one lookup.
#[derive(Default)]
struct LangData {
    /// Flags by the hash of the lower-case word ([`hash_key`]).
    words: HashMap<u64, u16, BuildHasherDefault<IdentityHasher>>,
    /// Whether every noun is capitalised (German): capitals mid-sentence say little.
    capitalises_nouns: bool,
    /// See [`Lists::initial_suffixes`].
    initial_suffixes: Vec<String>,
    /// Whether a frequent word capitalised by position joins the name after it: where the
    /// frequent-word list still holds first names ("José", "Carlos").
    leading_names: bool,
    /// Whether the common-word list was cleared of names (English).
    common_without_names: bool,
    /// Whether the function words are a hand-made list (not just the most frequent words,
    /// which may hold names).
    hand_function_words: bool,
}

impl LangData {
    fn from_lists(lists: &Lists) -> LangData {
        let sets = [
            (&lists.connectors, CONNECTOR),
            (&lists.determiners, DETERMINER),
            (&lists.function, FUNCTION),
            (&lists.nonentities, NONENTITY),
            (&lists.common, COMMON),
            (&lists.adjectives, ADJECTIVE),
            (&lists.period_names, PERIOD_NAME),
            (&lists.titles, TITLE),
            (&lists.frequent, FREQUENT),
        ];
        let mut data = LangData::default();
        data.words
            .reserve(sets.iter().map(|(set, _)| set.len()).sum::<usize>());
        for (set, flag) in sets {
            for &word in set {
                *data.words.entry(hash_key(word)).or_default() |= flag;
            }
        }
        // Words a language's hand list calls names stay names at a sentence start.
        for &name in &lists.names {
            if let Some(flags) = data.words.get_mut(&hash_key(name)) {
                *flags &= !COMMON;
            }
        }
        data.initial_suffixes = lists
            .initial_suffixes
            .iter()
            .map(|s| s.to_string())
            .collect();
        data
    }

    /// The flags of a lower-cased word, 0 when unlisted.
    fn flags(&self, key: u64) -> u16 {
        self.words.get(&key).copied().unwrap_or(0)
    }
}

static EMPTY: LazyLock<LangData> = LazyLock::new(LangData::default);

fn parse(source: &'static str) -> Lists {
    let mut data = Lists::default();
    let mut section = "";
    for line in source.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name;
            continue;
        }
        for word in line.split_whitespace() {
            match section {
                "connectors" => {
                    data.connectors.push(word);
                    data.function.push(word);
                }
                "determiners" => {
                    data.determiners.push(word);
                    data.function.push(word);
                }
                "function" => {
                    data.function.push(word);
                }
                "nonentities" => {
                    data.nonentities.push(word);
                }
                "common" => {
                    data.common.push(word);
                }
                "adjectives" => {
                    data.adjectives.push(word);
                }
                "period_names" => {
                    data.period_names.push(word);
                }
                "names" => {
                    data.names.push(word);
                }
                "initial_suffixes" => {
                    data.initial_suffixes.push(word);
                }
                "titles" => {
                    data.titles.push(word);
                }
                _ => {}
            }
        }
    }
    data
}

/// How many of a language's most frequent words count as function words where no hand-made
/// list exists.
const FREQUENT_FUNCTION_WORDS: usize = 100;

/// Languages whose frequent-word lists were not cleared of first names, so that a frequent
/// word before a name at a sentence start is often the name's first part ("Eduardo Lourenço").
/// English's list was cleared; in case-rich languages (Finnish, Russian, Lithuanian) the
/// first word is more often an inflected common word.
const LEADING_NAMES: &[&str] = &[
    "por", "spa", "fra", "ita", "dan", "nob", "hun", "ind", "srp",
];

/// Longer frequency lists ([`Lists::frequent`]), made by `scripts/make_entity_common.py`. Not for
/// English (wordfreq's list is full of first names), German (nouns are capitalised anyway),
/// French, Dutch and Indonesian (measured no better: a half of the dev treebank got worse).
const FREQUENT_LISTS: &[(&str, &str)] = &[
    ("por", include_str!("data/entity/por.frequent.txt")),
    ("swe", include_str!("data/entity/swe.frequent.txt")),
    ("tur", include_str!("data/entity/tur.frequent.txt")),
    ("lit", include_str!("data/entity/lit.frequent.txt")),
    ("dan", include_str!("data/entity/dan.frequent.txt")),
    ("fin", include_str!("data/entity/fin.frequent.txt")),
    ("ell", include_str!("data/entity/ell.frequent.txt")),
    ("hun", include_str!("data/entity/hun.frequent.txt")),
    ("ita", include_str!("data/entity/ita.frequent.txt")),
    ("nob", include_str!("data/entity/nob.frequent.txt")),
    ("ron", include_str!("data/entity/ron.frequent.txt")),
    ("rus", include_str!("data/entity/rus.frequent.txt")),
    ("srp", include_str!("data/entity/srp.frequent.txt")),
    ("spa", include_str!("data/entity/spa.frequent.txt")),
];

/// Languages that capitalise every noun.
const NOUNS_CAPITALISED: &[&str] = &["deu", "ltz"];

/// Languages whose common-word list was cleared of names ([`LangData::common_without_names`]).
const COMMON_WITHOUT_NAMES: &[&str] = &["eng"];

/// A language's sources (hand lists, common words) and its lexicon, built on first use: the
/// frequency lists take a while to load, and a run needs only the languages it meets.
type LangEntry = (Option<&'static str>, &'static str, OnceLock<LangData>);

static DATA: LazyLock<HashMap<&'static str, LangEntry>> = LazyLock::new(|| {
    macro_rules! lang {
        ($code:literal) => {
            (
                $code,
                None,
                include_str!(concat!("data/entity/", $code, ".common.txt")),
            )
        };
        ($code:literal, lists) => {
            (
                $code,
                Some(include_str!(concat!("data/entity/", $code, ".txt"))),
                include_str!(concat!("data/entity/", $code, ".common.txt")),
            )
        };
    }
    let sources: [(&str, Option<&'static str>, &'static str); _] = [
        lang!("eng", lists),
        lang!("por", lists),
        lang!("spa"),
        lang!("fra"),
        lang!("deu"),
        lang!("ita"),
        lang!("dan"),
        lang!("nld"),
        lang!("fin"),
        lang!("ell"),
        lang!("hun"),
        lang!("ind"),
        lang!("lit"),
        lang!("nob"),
        lang!("ron"),
        lang!("rus"),
        lang!("srp"),
        lang!("swe"),
        lang!("tur"),
    ];
    sources
        .into_iter()
        .map(|(code, lists, common)| (code, (lists, common, OnceLock::new())))
        .collect()
});

fn build_lang_data(
    code: &'static str,
    lists: Option<&'static str>,
    common: &'static str,
) -> LangData {
    let mut data = lists.map(parse).unwrap_or_default();
    if let Some((_, frequent)) = FREQUENT_LISTS.iter().find(|(c, _)| *c == code) {
        push_list_words(frequent, &mut data.frequent);
    }
    let mut frequent = Vec::new();
    push_list_words(common, &mut frequent);
    if lists.is_none() {
        data.function
            .extend(frequent.iter().take(FREQUENT_FUNCTION_WORDS));
    }
    data.common.extend(frequent);
    let mut lexicon = LangData::from_lists(&data);
    lexicon.capitalises_nouns = NOUNS_CAPITALISED.contains(&code);
    lexicon.hand_function_words = lists.is_some();
    lexicon.common_without_names = COMMON_WITHOUT_NAMES.contains(&code);
    lexicon.leading_names = LEADING_NAMES.contains(&code);
    lexicon
}

/// Appends the words of a word list's lines (`#` lines left out) to `out`, as
/// `str::split_whitespace` splits them. Lines are cut at spaces by a byte loop: the lists
/// are hundreds of KB, and the general splitter decodes and classifies every character.
fn push_list_words(list: &'static str, out: &mut Vec<&'static str>) {
    for line in list.lines().filter(|line| !line.starts_with('#')) {
        let bytes = line.as_bytes();
        // Control bytes, and the lead bytes of every non-ASCII whitespace character
        // (U+0085, U+00A0; U+1680; U+2000-U+205F; U+3000): whitespace other than the space
        // may be there, which the general splitter handles.
        if bytes
            .iter()
            .any(|&b| matches!(b, 0x00..=0x1F | 0xC2 | 0xE1..=0xE3))
        {
            out.extend(line.split_whitespace());
            continue;
        }
        let mut start = 0;
        for (at, &byte) in bytes.iter().enumerate() {
            if byte == b' ' {
                if start < at {
                    out.push(&line[start..at]);
                }
                start = at + 1;
            }
        }
        if start < bytes.len() {
            out.push(&line[start..]);
        }
    }
}

fn lang_data(lang: Lang) -> Option<&'static LangData> {
    let (code, (lists, common, lexicon)) = DATA.get_key_value(lang.code())?;
    Some(lexicon.get_or_init(|| build_lang_data(code, *lists, common)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_as_before(list: &'static str) -> Vec<&'static str> {
        list.lines()
            .filter(|line| !line.starts_with('#'))
            .flat_map(str::split_whitespace)
            .collect()
    }

    fn pushed(list: &'static str) -> Vec<&'static str> {
        let mut words = Vec::new();
        push_list_words(list, &mut words);
        words
    }

    #[test]
    fn list_words_split_as_split_whitespace_does() {
        for list in [
            "",
            "# a comment\none two  three \n four\r\nfive\tsix\n",
            "a\u{a0}b c\u{3000}d\u{2009}e \u{85}f\u{1680}g\u{202f}h\u{205f}i\u{2028}j\n",
            "naïve çà ünïcödé   wörds ещё слово ελληνικά\n\n  \n#x y\n z",
            " lead and trail ",
        ] {
            assert_eq!(pushed(list), split_as_before(list), "{list:?}");
        }
        for (_, list) in FREQUENT_LISTS {
            assert_eq!(pushed(list), split_as_before(list));
        }
        for (_, (lists, common, _)) in DATA.iter() {
            assert_eq!(pushed(common), split_as_before(common));
            if let Some(lists) = lists {
                assert_eq!(pushed(lists), split_as_before(lists));
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn list_words_match_split_whitespace(text in "[a #\n\t\r\u{a0}\u{3000}\u{2000}é\u{c2}\u{e1}ж]{0,40}") {
            let list: &'static str = Box::leak(text.into_boxed_str());
            proptest::prop_assert_eq!(pushed(list), split_as_before(list));
        }
    }
    use crate::token::tokenize;

    /// Entities of a document given as its sentences (joined by spaces), one `find` per
    /// sentence, as the pipeline does.
    fn entities_with(sentences: &[&str], lang: &str, options: Options) -> Vec<String> {
        let lang = Lang::from_code(lang);
        let text = sentences.join(" ");
        let mut tokens = Vec::new();
        let mut ranges = Vec::new();
        let mut offset = 0;
        for sentence in sentences {
            let first = tokens.len() as u32;
            tokenize(
                &text,
                Span::new(offset, offset + sentence.len()),
                &mut tokens,
            );
            ranges.push(first..tokens.len() as u32);
            offset += sentence.len() + 1;
        }
        let context = DocumentContext::new(&text, &tokens, lang);
        let mut out = Vec::new();
        for range in ranges {
            find_with(&context, range, lang, &options, &mut out);
        }
        for entity in &out {
            let first = &tokens[entity.tokens.start as usize];
            let last = &tokens[entity.tokens.end as usize - 1];
            assert_eq!(
                (entity.span.start, entity.span.end),
                (first.span.start, last.span.end)
            );
        }
        out.iter()
            .map(|e| text[e.span.range()].to_string())
            .collect()
    }

    fn entities(sentences: &[&str], lang: &str) -> Vec<String> {
        entities_with(sentences, lang, Options::default())
    }

    /// The sample pages in `raw/`, split with the crate's sentence splitter.
    fn raw_entities(file: &str, lang: &str) -> Vec<String> {
        let path = format!("{}/raw/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("raw sample is part of the repo");
        let lang = Lang::from_code(lang);
        let mut tokens = Vec::new();
        let mut ranges = Vec::new();
        for sentence in crate::sentence::split(&text, lang) {
            let first = tokens.len() as u32;
            tokenize(&text, sentence, &mut tokens);
            ranges.push(first..tokens.len() as u32);
        }
        let context = DocumentContext::new(&text, &tokens, lang);
        let mut out = Vec::new();
        for range in ranges {
            find(&context, range, lang, &mut out);
        }
        out.iter()
            .map(|e| text[e.span.range()].to_string())
            .collect()
    }

    #[test]
    fn required_entities_in_the_english_sample() {
        let found = raw_entities("en-stalingrad-anniversary.txt", "eng");
        for name in ["Joseph Stalin", "Red Army", "Volga River"] {
            assert!(
                found.iter().any(|f| f == name),
                "{name} missing from {found:?}"
            );
        }
    }

    #[test]
    fn required_entities_in_the_portuguese_sample() {
        let found = raw_entities("pt-batalha-de-stalingrado.txt", "por");
        assert!(found.iter().any(|f| f == "Exército Vermelho"), "{found:?}");
        assert!(found.iter().any(|f| f == "José Stalin"), "{found:?}");
    }

    #[test]
    fn runs_of_capitalised_words() {
        assert_eq!(
            entities(
                &[
                    "At Stalingrad, the united Soviet people led by Joseph Stalin and the \
                        Communist Party resoundingly defeated the Nazi invaders."
                ],
                "eng"
            ),
            [
                "Stalingrad",
                "Soviet",
                "Joseph Stalin",
                "Communist Party",
                "Nazi"
            ]
        );
    }

    #[test]
    fn leading_determiner_is_trimmed() {
        assert_eq!(
            entities(
                &["It was the largest city in The Soviet Union after Moscow."],
                "eng"
            ),
            ["Soviet Union", "Moscow"]
        );
        assert_eq!(
            entities(
                &["Em 1943, José Stalin, líder da burocracia da União Soviética, venceu."],
                "por"
            ),
            ["José Stalin", "União Soviética"]
        );
    }

    #[test]
    fn connectors_join_names_only_when_asked() {
        let joined = Options {
            join_connectors: true,
        };
        let sentence = ["Tal debilidade se manifestou durante a Batalha de Stalingrado."];
        assert_eq!(
            entities_with(&sentence, "por", joined),
            ["Batalha de Stalingrado"]
        );
        // UD's PROPN runs stop at the connector, and so does the default.
        assert_eq!(entities(&sentence, "por"), ["Batalha", "Stalingrado"]);
        // A connector after the last name is trimmed.
        assert_eq!(
            entities_with(
                &["The prelude to the Battle of Stalingrad began on July 27, 1942."],
                "eng",
                joined
            ),
            ["Battle of Stalingrad", "July"]
        );
        assert_eq!(
            entities_with(
                &["He spoke with the Minister of the economy today."],
                "eng",
                joined
            ),
            ["Minister"]
        );
    }

    #[test]
    fn sentence_initial_function_words_and_common_words_are_not_names() {
        assert_eq!(
            entities(
                &["The battle ended with the encirclement of German troops."],
                "eng"
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            entities(
                &["However, currently, the town council changes the name."],
                "eng"
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            entities(
                &["Então, quando Hitler decidiu desatar a sua ofensiva contra a URSS."],
                "por"
            ),
            ["Hitler", "URSS"]
        );
    }

    #[test]
    fn sentence_initial_word_seen_in_lower_case_elsewhere_is_not_a_name() {
        // "Fortified" is rare enough to be in no common-word list; the document decides.
        let doc = [
            "Fortified towns resisted for weeks.",
            "The workers fortified every factory in Stalingrad.",
        ];
        assert_eq!(entities(&doc, "eng"), ["Stalingrad"]);
        // A sentence-initial name the document also writes mid-sentence stays a name.
        let doc = [
            "Stalingrad was a significant city.",
            "It was renamed Stalingrad in 1925.",
        ];
        assert_eq!(entities(&doc, "eng"), ["Stalingrad", "Stalingrad"]);
    }

    #[test]
    fn numbers_and_punctuation_end_a_run() {
        assert_eq!(
            entities(
                &["On August 29, the Fourth Panzer Army broke through."],
                "eng"
            ),
            ["August", "Fourth Panzer Army"]
        );
        assert_eq!(
            entities(&["Stalin, Zhukov and Chuikov met."], "eng"),
            ["Stalin", "Zhukov", "Chuikov"]
        );
    }

    #[test]
    fn hyphenated_and_possessive_tokens_stay_whole() {
        assert_eq!(
            entities(&["A Mercedes-Benz deve instalar a linha na França."], "por"),
            ["Mercedes-Benz", "França"]
        );
        // UD's surface token "Sixth Army’s" keeps the possessive.
        assert_eq!(
            entities(
                &["The breach opened between the German Sixth Army’s main body and the suburbs."],
                "eng"
            ),
            ["Sixth Army’s"]
        );
    }

    #[test]
    fn quotes_make_the_next_word_initial() {
        assert_eq!(
            entities(
                &["He wrote: \"Arafat's secular nationalism was supplanted.\""],
                "eng"
            ),
            ["Arafat's"]
        );
        assert_eq!(
            entities(
                &["The statue is called “The Motherland Calls” in Volgograd."],
                "eng"
            ),
            ["Motherland Calls", "Volgograd"]
        );
    }

    #[test]
    fn shouting_lines_carry_no_case_information() {
        let doc = [
            "DO YOU WANT TO HELP MILLIONS FOR UNITED WAY?",
            "We hope you do want to help.",
        ];
        // Every word is capitalised, so none is evidence for itself: common words stay out.
        assert_eq!(entities(&doc, "eng"), Vec::<String>::new());
        // ...but an acronym in ordinary text is a name even when it spells a pronoun.
        assert_eq!(
            entities(&["The US lost yet another helicopter."], "eng"),
            ["US"]
        );
    }

    #[test]
    fn nationality_adjectives_are_not_names() {
        assert_eq!(
            entities(&["Many Palestinian families fled to Jordan."], "eng"),
            ["Jordan"]
        );
    }

    #[test]
    fn currency_prefixes_are_not_names() {
        assert_eq!(
            entities(
                &["O custo foi de cerca de US$ 1 milhão em São Paulo."],
                "por"
            ),
            ["São Paulo"]
        );
    }

    #[test]
    fn pronoun_i_is_not_a_name() {
        assert_eq!(
            entities(&["Yesterday I met Debra in Houston."], "eng"),
            ["Debra", "Houston"]
        );
    }

    #[test]
    fn german_common_nouns_and_their_compounds_are_not_names() {
        // German capitalises every noun: "Hundeschule" takes the class of its head "Schule".
        assert_eq!(
            entities(
                &["Die Hundeschule in Berlin bietet jeden Tag Kurse an."],
                "deu"
            ),
            ["Berlin"]
        );
    }

    #[test]
    fn hyphenated_compounds_of_common_words_are_not_names() {
        assert_eq!(
            entities(
                &["They want Polish-style economic shock therapy for Iraq."],
                "eng"
            ),
            ["Iraq"]
        );
        assert_eq!(
            entities(
                &["The festering Israeli-Palestinian struggle goes on."],
                "eng"
            ),
            Vec::<String>::new()
        );
        // Near misses: every part capitalised, a connector inside, or a lower-case prefix
        // before a name.
        assert_eq!(
            entities(
                &["The Coca-Cola corporation built a plant in Kerala."],
                "eng"
            ),
            ["Coca-Cola", "Kerala"]
        );
        assert_eq!(
            entities(&["He moved to Stratford-upon-Avon last year."], "eng"),
            ["Stratford-upon-Avon"]
        );
        assert_eq!(
            entities(
                &["A Sérvia pondo em risco outras partes da ex-Iugoslávia se o plano for aceito."],
                "por"
            ),
            ["Sérvia", "ex-Iugoslávia"]
        );
    }

    #[test]
    fn interview_initials_are_labels() {
        assert_eq!(
            entities(
                &["P. -- Mas por enquanto o Realejo continua aberto."],
                "por"
            ),
            ["Realejo"]
        );
        // Near miss: an initial inside a name stays.
        assert_eq!(
            entities(&["O livro de George W. Bush saiu ontem."], "por"),
            ["George W. Bush"]
        );
    }

    #[test]
    fn company_abbreviations_keep_their_period() {
        assert_eq!(
            entities(
                &["The nominations were forwarded to Constellation Power Source, Inc."],
                "eng"
            ),
            ["Constellation Power Source", "Inc."]
        );
        // Near miss: a name that is no abbreviation leaves the sentence's period outside.
        assert_eq!(
            entities(&["The shares went to Enron Broadband."], "eng"),
            ["Enron Broadband"]
        );
    }

    #[test]
    fn file_names_are_not_names() {
        assert_eq!(
            entities(&["Attached is CrudeStocks.pdf for Vince Kaminski."], "eng"),
            ["Vince Kaminski"]
        );
        // The extension is what follows the last dot, in any case, after a non-empty stem.
        assert!(is_file_name("Report.Final.DOCX"));
        assert!(!is_file_name(".pdf"));
        assert!(!is_file_name("Report.pdf."));
        assert!(!is_file_name("St.Petersburg"));
        assert!(!is_file_name("Beyoncé"));
    }

    #[test]
    fn sentence_initial_common_words_of_the_longer_list_are_not_names() {
        assert_eq!(entities(&["Posted by Jerry at noon."], "eng"), ["Jerry"]);
    }

    #[test]
    fn web_and_email_addresses_are_candidates_of_their_own() {
        assert_eq!(
            entities(
                &["Write to Kay Mann at kay.mann@enron.com or see http://www.enron.com today."],
                "eng"
            ),
            ["Kay Mann", "kay.mann@enron.com", "http://www.enron.com"]
        );
    }

    #[test]
    fn capitalised_common_words_used_as_labels_are_not_names() {
        assert_eq!(
            entities(&["Email: jill@aol.com Groups: alt.animals.cat"], "eng"),
            ["jill@aol.com"]
        );
        // Near miss: a name before a colon stays a name.
        assert_eq!(
            entities(&["I asked her, Jill: where is the draft?"], "eng"),
            ["Jill"]
        );
    }

    #[test]
    fn sentence_initial_inflected_words_are_not_names() {
        assert_eq!(
            entities(
                &[
                    "Amazingly, these idiots think a cartoon is art.",
                    "Resolving this conflict would help Israel.",
                ],
                "eng"
            ),
            ["Israel"]
        );
        assert_eq!(
            entities(
                &[
                    "Diariamente, a loja promove desfiles.",
                    "Trata-se de um instrumento."
                ],
                "por"
            ),
            Vec::<String>::new()
        );
        // Near miss: a name with such an ending that the document capitalises mid-sentence.
        assert_eq!(
            entities(
                &["Reading is a town.", "She moved to Reading last year."],
                "eng"
            ),
            ["Reading", "Reading"]
        );
    }

    #[test]
    fn short_title_case_headings_carry_no_case_information() {
        let doc = [
            "Great Service",
            "Dr Mcdonald is wonderful and answers every call.",
        ];
        assert_eq!(entities(&doc, "eng"), ["Dr Mcdonald"]);
        // Near miss: a heading of names only stays a name.
        assert_eq!(
            entities(&["Debra Perlingiere", "See the attached draft."], "eng"),
            ["Debra Perlingiere"]
        );
    }

    #[test]
    fn plain_apostrophes_and_dashes_open_a_fresh_start() {
        assert_eq!(
            entities(
                &["The rule read: 'Grunden för vårt system är enkel.'"],
                "swe"
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            entities(&["No one knows. -- Posted by Hidden Nook at noon."], "eng"),
            ["Hidden Nook"]
        );
    }

    #[test]
    fn lone_function_words_capitalised_mid_sentence_are_not_names() {
        assert_eq!(
            entities(&["Ginny, Please see the attached guaranty."], "eng"),
            ["Ginny"]
        );
        // Near miss: followed by a name, the function word starts the name.
        assert_eq!(
            entities(&["We met Will Smith in Chicago."], "eng"),
            ["Will Smith", "Chicago"]
        );
    }

    #[test]
    fn lone_capital_letters_are_variables_unless_inside_a_name() {
        assert_eq!(
            entities(&["If Z happens after X, then Z is caused by X."], "eng"),
            Vec::<String>::new()
        );
        assert_eq!(
            entities(&["Ask Jeffrey T Hodge about it."], "eng"),
            ["Jeffrey T Hodge"]
        );
    }

    #[test]
    fn common_words_in_capitals_are_emphasis_when_the_document_writes_them_lower() {
        let doc = [
            "Get your FREE download of MSN Explorer.",
            "The download is free for everyone in the US.",
        ];
        assert_eq!(entities(&doc, "eng"), ["MSN Explorer", "US"]);
    }

    #[test]
    fn adjectives_in_english_place_names_stay_outside_as_ud_tags_them() {
        assert_eq!(
            entities(&["She flew from New York to the United States."], "eng"),
            ["York", "States"]
        );
    }

    #[test]
    fn frequent_first_names_at_a_sentence_start_join_the_name_after_them() {
        assert_eq!(
            entities(&["Eduardo Lourenço fechou a conferência em Lisboa."], "por"),
            ["Eduardo Lourenço", "Lisboa"]
        );
        // Near miss: a frequent word before a lower-case word stays out.
        assert_eq!(
            entities(
                &["Novo fornecedor de acesso quer disputar a Teleweb."],
                "por"
            ),
            ["Teleweb"]
        );
    }

    #[test]
    fn sentence_initial_titles_join_the_name_after_them() {
        assert_eq!(
            entities(&["President Bush nominated two judges."], "eng"),
            ["President Bush"]
        );
        // Near miss: a title before a common word stays out.
        assert_eq!(
            entities(&["President of the club, he met Debra."], "eng"),
            ["Debra"]
        );
    }

    #[test]
    fn sentence_initial_words_of_the_longer_list_are_not_names() {
        assert_eq!(
            entities(
                &["Enchentes dão-se pelo país inteiro em Pernambuco."],
                "por"
            ),
            ["Pernambuco"]
        );
        // The cost: a listed name alone at a sentence start is lost ("Sérvia pondo ...").
        // Near misses: after a bracket a listed word is trusted as a name, and a name after it
        // keeps it.
        assert_eq!(
            entities(
                &[
                    "O realizador Chantal Akerman (Bélgica) venceu.",
                    "Vasco Rossi cantou."
                ],
                "por"
            ),
            ["Chantal Akerman", "Bélgica", "Vasco Rossi"]
        );
    }

    #[test]
    fn long_common_words_in_capitals_and_common_acronyms_are_not_names() {
        assert_eq!(
            entities(&["Download it for FREE from Adobe and reply ASAP."], "eng"),
            ["Adobe"]
        );
        // Near miss: a short word in capitals may be an acronym.
        assert_eq!(
            entities(&["She works for AID in Kenya."], "eng"),
            ["AID", "Kenya"]
        );
    }

    #[test]
    fn an_emoticon_ends_what_came_before_it() {
        assert_eq!(
            entities(&["Thanks to the community :-) Posted by Darin."], "eng"),
            ["Darin"]
        );
    }

    #[test]
    fn empty_and_out_of_range_sentences_are_harmless() {
        let text = "Stalin";
        let mut tokens = Vec::new();
        tokenize(text, Span::new(0, text.len()), &mut tokens);
        let context = DocumentContext::new(text, &tokens, Lang::UND);
        let mut out = Vec::new();
        find(&context, 5..9, Lang::UND, &mut out);
        find(
            &context,
            std::ops::Range { start: 1, end: 0 },
            Lang::UND,
            &mut out,
        );
        assert!(out.is_empty());
        find(&context, 0..1, Lang::UND, &mut out);
        assert_eq!(out.len(), 1);
    }

    /// `is_file_name` as it was, searching the whole word for its last dot.
    fn is_file_name_by_last_dot(word: &str) -> bool {
        let Some((stem, ext)) = word.rsplit_once('.') else {
            return false;
        };
        !stem.is_empty() && FILE_EXTENSIONS.iter().any(|e| e.eq_ignore_ascii_case(ext))
    }

    /// `shape` as it was: the ASCII rules after a check of the whole word.
    fn shape_in_two_passes(word: &str) -> Shape {
        if !word.is_ascii() {
            return unicode_shape(word);
        }
        let bytes = word.as_bytes();
        let Some(&first) = bytes.first() else {
            return Shape::Other;
        };
        let rest = &bytes[1..];
        let upper = rest.iter().any(u8::is_ascii_uppercase);
        let lower = rest.iter().any(u8::is_ascii_lowercase);
        ascii_shape(first, upper, lower)
    }

    #[test]
    fn word_scans_in_one_pass_agree_with_their_plain_definitions() {
        let words = [
            "",
            ".",
            "a",
            "A",
            "I",
            "Stalin",
            "NATO",
            "iPhone",
            "eBay",
            "3M",
            "'Tis",
            "x.pdf",
            ".pdf",
            "..pdf",
            "a..pdf",
            "a.pd.f",
            "a.pdf.x",
            "TEXT.htm",
            "Lisa_resume.doc",
            "a.b.docx",
            "file.PDF",
            "name.pdfx",
            "a.b.c",
            "report.html.",
            "v1.2",
            "Exército",
            "ÉCOLE",
            "über",
            "ÜBER",
            "l’Union",
            "東京",
            "Ĳssel",
            "CrudeStocks.pdf",
            "data.json",
            "x.mp3",
            "résumé.docx",
            "a-b",
            "e.g.",
        ];
        for word in words {
            assert_eq!(
                is_file_name(word),
                is_file_name_by_last_dot(word),
                "{word:?}"
            );
            assert_eq!(shape(word), shape_in_two_passes(word), "{word:?}");
        }
    }
}
