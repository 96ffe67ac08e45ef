//! Rule-based sentence segmentation with per-language abbreviation lists.
//!
//! A boundary is proposed after terminal punctuation (`.`, `!`, `?`, `…`, and script-specific
//! stops) plus any closing quotes/brackets, when whitespace follows; it is then vetoed by what
//! precedes (an abbreviation, an initial, an ordinal) and what follows (a lower-case word, a
//! comma). Blank lines always end a sentence; a single newline does too, unless the next line
//! starts lower-case (a wrapped line).

use crate::lang::Lang;
use crate::span::Span;
use std::collections::HashMap;
use std::sync::LazyLock;

/// How an abbreviation behaves before an upper-case word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AbbrevClass {
    /// Never ends a sentence ("Mr.", "e.g.").
    Inner,
    /// May end a sentence ("etc.", "Inc."): a break when an upper-case word follows.
    Final,
}

/// One language's abbreviations, keyed by their lower-cased form without the final period.
#[derive(Default)]
pub(crate) struct Abbreviations {
    /// `exact` is `Some(form)` when the list spells the entry with capitals: it then matches
    /// only that spelling ("No" is an abbreviation, "no" is a word).
    entries: HashMap<String, (Option<&'static str>, AbbrevClass)>,
}

impl Abbreviations {
    fn add_file(&mut self, data: &'static str) {
        let mut class = AbbrevClass::Inner;
        for line in data.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line == "[final]" {
                class = AbbrevClass::Final;
                continue;
            }
            let key = line.to_lowercase();
            let exact = if key == line { None } else { Some(line) };
            let entry = self.entries.entry(key).or_insert((exact, class));
            // Any lower-case spelling widens the entry to all cases; "final" wins, since a
            // wrongly kept boundary costs less than two sentences glued together.
            if exact.is_none() {
                entry.0 = None;
            }
            if class == AbbrevClass::Final {
                entry.1 = AbbrevClass::Final;
            }
        }
    }

    /// The class of `word` (without its final period), if it is a listed abbreviation.
    fn class(&self, word: &str, lower: &mut String) -> Option<AbbrevClass> {
        if word.is_empty() || word.len() > 24 {
            return None;
        }
        lower.clear();
        if word.is_ascii() {
            lower.extend(word.bytes().map(|b| b.to_ascii_lowercase() as char));
        } else {
            lower.extend(word.chars().flat_map(char::to_lowercase));
        }
        match self.entries.get(lower.as_str()) {
            Some(&(None, class)) => Some(class),
            Some(&(Some(exact), class)) if exact == word => Some(class),
            _ => None,
        }
    }

    /// True when `word` is a listed abbreviation (any class).
    pub(crate) fn contains(&self, word: &str, lower: &mut String) -> bool {
        self.class(word, lower).is_some()
    }
}

const MUL: &str = include_str!("data/abbreviations/mul.txt");

/// Per-language data files, by ISO 639-3 code.
const FILES: &[(&str, &str)] = &[
    ("eng", include_str!("data/abbreviations/eng.txt")),
    ("por", include_str!("data/abbreviations/por.txt")),
    ("spa", include_str!("data/abbreviations/spa.txt")),
    ("fra", include_str!("data/abbreviations/fra.txt")),
    ("deu", include_str!("data/abbreviations/deu.txt")),
    ("ita", include_str!("data/abbreviations/ita.txt")),
    ("nld", include_str!("data/abbreviations/nld.txt")),
    ("dan", include_str!("data/abbreviations/dan.txt")),
    ("nob", include_str!("data/abbreviations/nob.txt")),
    ("swe", include_str!("data/abbreviations/swe.txt")),
    ("fin", include_str!("data/abbreviations/fin.txt")),
    ("est", include_str!("data/abbreviations/est.txt")),
    ("hun", include_str!("data/abbreviations/hun.txt")),
    ("ron", include_str!("data/abbreviations/ron.txt")),
    ("rus", include_str!("data/abbreviations/rus.txt")),
    ("srp", include_str!("data/abbreviations/srp.txt")),
    ("ell", include_str!("data/abbreviations/ell.txt")),
    ("ind", include_str!("data/abbreviations/ind.txt")),
    ("lit", include_str!("data/abbreviations/lit.txt")),
    ("tur", include_str!("data/abbreviations/tur.txt")),
];

/// Each language's list merged with the shared one; undetermined text uses English + shared.
static BY_LANG: LazyLock<Vec<(&'static str, Abbreviations)>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|&(code, data)| {
            let mut set = Abbreviations::default();
            set.add_file(MUL);
            set.add_file(data);
            (code, set)
        })
        .collect()
});

/// Every list at once: the tokenizer does not know the language, and keeping a period on a
/// word that is an abbreviation somewhere costs little inside a sentence.
pub(crate) static ALL: LazyLock<Abbreviations> = LazyLock::new(|| {
    let mut set = Abbreviations::default();
    set.add_file(MUL);
    for &(_, data) in FILES {
        set.add_file(data);
    }
    set
});

fn abbreviations_for(lang: Lang) -> &'static Abbreviations {
    let code = lang.code();
    let lists = &*BY_LANG;
    lists
        .iter()
        .find(|(c, _)| *c == code)
        .or_else(|| lists.iter().find(|(c, _)| *c == "eng"))
        .map(|(_, set)| set)
        .unwrap_or(&ALL)
}

/// Languages that write ordinal numbers with a period ("am 3. Mai", "2000. január").
fn ordinal_dot(code: &str) -> bool {
    matches!(
        code,
        "deu"
            | "dan"
            | "nob"
            | "swe"
            | "fin"
            | "est"
            | "hun"
            | "tur"
            | "lit"
            | "lav"
            | "srp"
            | "hrv"
            | "slv"
            | "ces"
            | "slk"
            | "pol"
            | "isl"
    )
}

/// Closing quotes and brackets that stay with the sentence they close.
pub(crate) fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | ')'
            | ']'
            | '}'
            | '»'
            | '”'
            | '’'
            | '›'
            | '」'
            | '』'
            | '〉'
            | '》'
            | '】'
            | '）'
    )
}

/// Opening quotes and brackets that may start a sentence.
pub(crate) fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '('
            | '['
            | '{'
            | '«'
            | '“'
            | '‘'
            | '„'
            | '‹'
            | '「'
            | '『'
            | '〈'
            | '《'
            | '【'
            | '（'
            | '¿'
            | '¡'
    )
}

/// Full stops other than ASCII `.`, `!`, `?` that end a sentence in any language.
fn is_terminal_char(c: char) -> bool {
    matches!(
        c,
        '.' | '!'
            | '?'
            | '…'
            | '։'
            | '。'
            | '！'
            | '？'
            | '।'
            | '॥'
            | '؟'
            | '۔'
            | '‼'
            | '⁇'
            | '⁈'
            | '⁉'
            | '።'
            | '፧'
            | '။'
            | '｡'
    )
}

/// Bytes that may start something the scanner must look at: ASCII terminals, newlines, and the
/// UTF-8 lead bytes of the non-ASCII stops in [`is_terminal_char`] (Devanagari, Ethiopic and
/// Myanmar, General Punctuation, CJK, fullwidth forms, Armenian, Arabic). Other letters are
/// skipped byte by byte without decoding.
static INTERESTING: LazyLock<[bool; 256]> = LazyLock::new(|| {
    let mut table = [false; 256];
    for b in [
        b'.', b'!', b'?', b'\n', b';', b':', 0xE0, 0xE1, 0xE2, 0xE3, 0xEF, 0xD6, 0xD8, 0xDB,
    ] {
        table[b as usize] = true;
    }
    table
});

/// The same, plus every byte that may start a capital letter, for languages with
/// [`SentenceRules::starters`].
static INTERESTING_CAPS: LazyLock<[bool; 256]> = LazyLock::new(|| {
    let mut table = *INTERESTING;
    for b in b'A'..=b'Z' {
        table[b as usize] = true;
    }
    for entry in table.iter_mut().skip(0xC0) {
        *entry = true;
    }
    table
});

/// Per-language segmentation conventions, from `src/data/sentence/<iso639-3>.txt`.
#[derive(Default)]
struct SentenceRules {
    /// Capitalised closed-class words (articles, pronouns, conjunctions) that, right after a
    /// word with no punctuation, begin a new sentence: a headline or caption run into the text.
    starters: std::collections::HashSet<&'static str>,
    /// ": «Quote" ends the sentence before the quotation (Portuguese, Norwegian, Italian style).
    colon_quote: bool,
    /// ": Capital" ends the sentence.
    colon_cap: bool,
    /// "?" or "!" ends a sentence even before a lower-case word (informal English web text).
    lower_after_question: bool,
}

const RULE_FILES: &[(&str, &str)] = &[
    ("eng", include_str!("data/sentence/eng.txt")),
    ("por", include_str!("data/sentence/por.txt")),
    ("srp", include_str!("data/sentence/srp.txt")),
    ("ell", include_str!("data/sentence/ell.txt")),
    ("fin", include_str!("data/sentence/fin.txt")),
    ("nob", include_str!("data/sentence/nob.txt")),
    ("dan", include_str!("data/sentence/dan.txt")),
    ("fra", include_str!("data/sentence/fra.txt")),
    ("deu", include_str!("data/sentence/deu.txt")),
    ("lit", include_str!("data/sentence/lit.txt")),
    ("ron", include_str!("data/sentence/ron.txt")),
    ("rus", include_str!("data/sentence/rus.txt")),
    ("spa", include_str!("data/sentence/spa.txt")),
    ("est", include_str!("data/sentence/est.txt")),
    ("ita", include_str!("data/sentence/ita.txt")),
];

static RULES: LazyLock<Vec<(&'static str, SentenceRules)>> = LazyLock::new(|| {
    RULE_FILES
        .iter()
        .map(|&(code, data)| {
            let mut rules = SentenceRules::default();
            for line in data.lines().map(str::trim) {
                match line {
                    "" => {}
                    _ if line.starts_with('#') => {}
                    "@colon_quote" => rules.colon_quote = true,
                    "@colon_cap" => rules.colon_cap = true,
                    "@lower_after_question" => rules.lower_after_question = true,
                    _ => {
                        rules.starters.insert(line);
                    }
                }
            }
            (code, rules)
        })
        .collect()
});

static NO_RULES: LazyLock<SentenceRules> = LazyLock::new(SentenceRules::default);

fn rules_for(code: &str) -> &'static SentenceRules {
    RULES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(&*NO_RULES, |(_, r)| r)
}

/// Splits `text` into sentences. Spans are trimmed of surrounding whitespace, in order,
/// non-overlapping, and never empty. Every paragraph break (blank line) is a boundary.
pub fn split(text: &str, lang: Lang) -> Vec<Span> {
    let mut sentences = Vec::with_capacity(text.len() / 80 + 1);
    let splitter = Splitter {
        text,
        bytes: text.as_bytes(),
        abbreviations: abbreviations_for(lang),
        ordinal_dot: ordinal_dot(lang.code()),
        // Greek writes its question mark as ";" (U+037E normalises to it); Armenian often
        // writes its full stop "։" as ":".
        semicolon_ends: lang.code() == "ell",
        colon_ends: lang.code() == "hye",
        rules: rules_for(lang.code()),
    };
    let starters = !splitter.rules.starters.is_empty();
    let interesting = if starters {
        &*INTERESTING_CAPS
    } else {
        &*INTERESTING
    };
    let bytes = text.as_bytes();
    let mut lower = String::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !interesting[b as usize] {
            i += 1;
            continue;
        }
        let (c, width) = if b < 0x80 {
            (b as char, 1)
        } else {
            match text[i..].chars().next() {
                Some(c) => (c, c.len_utf8()),
                None => break,
            }
        };
        if c == '\n' {
            if let Some(next) = splitter.newline_break(i) {
                push_trimmed(text, start, i, &mut sentences);
                start = i;
                i = next;
            } else {
                i += 1;
            }
            continue;
        }
        let terminal = is_terminal_char(c)
            || (c == ';' && splitter.semicolon_ends)
            || (c == ':' && splitter.colon_ends);
        if !terminal {
            if c == ':' && splitter.colon_break(i) {
                push_trimmed(text, start, i + 1, &mut sentences);
                start = i + 1;
            } else if starters
                && c.is_uppercase()
                && let Some(word_end) = splitter.starter_at(i)
            {
                push_trimmed(text, start, i, &mut sentences);
                start = i;
                i = word_end;
                continue;
            }
            i += width;
            continue;
        }
        let (end, resume) = splitter.after_terminal(i);
        if splitter.is_boundary(i, end, &mut lower) {
            push_trimmed(text, start, end, &mut sentences);
            start = end;
        }
        i = resume.max(i + width);
    }
    push_trimmed(text, start, text.len(), &mut sentences);
    sentences
}

struct Splitter<'a> {
    text: &'a str,
    bytes: &'a [u8],
    abbreviations: &'static Abbreviations,
    ordinal_dot: bool,
    semicolon_ends: bool,
    colon_ends: bool,
    rules: &'static SentenceRules,
}

impl Splitter<'_> {
    fn char_at(&self, i: usize) -> Option<char> {
        self.text.get(i..).and_then(|rest| rest.chars().next())
    }

    fn is_terminal(&self, c: char) -> bool {
        is_terminal_char(c) || (c == ';' && self.semicolon_ends) || (c == ':' && self.colon_ends)
    }

    /// For a ":" at `i`: true when the language starts a new sentence at a quotation or a
    /// capital that follows it on the same line.
    fn colon_break(&self, i: usize) -> bool {
        let rules = self.rules;
        if !(rules.colon_quote || rules.colon_cap) || self.bytes.get(i + 1) != Some(&b' ') {
            return false;
        }
        match self.char_at(i + 2) {
            Some('«' | '"' | '“' | '„') => rules.colon_quote,
            Some(c) => rules.colon_cap && c.is_uppercase(),
            None => false,
        }
    }

    /// For a capital at `i`: the end of the word there when it is a sentence starter that
    /// follows a word on the same line with no punctuation in between ("... tropas na Bósnia
    /// O secretário-geral ..."); `None` otherwise.
    fn starter_at(&self, i: usize) -> Option<usize> {
        if i < 2 || self.bytes[i - 1] != b' ' {
            return None;
        }
        let before = self.text[..i - 1].chars().next_back()?;
        if !before.is_alphanumeric() {
            return None;
        }
        let len = self.text[i..].find(|c: char| !c.is_alphabetic())?;
        if self.bytes[i + len] != b' ' {
            return None;
        }
        self.rules
            .starters
            .contains(&self.text[i..i + len])
            .then_some(i + len)
    }

    /// For a newline at `i`: where scanning resumes if it ends the sentence, `None` if the
    /// next line continues it. Blank lines always break.
    fn newline_break(&self, i: usize) -> Option<usize> {
        let mut j = i + 1;
        let mut blank = false;
        while let Some(c) = self.char_at(j) {
            if c == '\n' {
                blank = true;
            } else if !c.is_whitespace() {
                break;
            }
            j += c.len_utf8();
        }
        if blank {
            return Some(j);
        }
        match self.char_at(j) {
            // A wrapped line: the sentence goes on.
            Some(c) if c.is_lowercase() => None,
            _ => Some(j),
        }
    }

    /// From a terminal at `i`: the end of the sentence (after the run of terminals and the
    /// closing quotes/brackets) and where scanning resumes.
    fn after_terminal(&self, i: usize) -> (usize, usize) {
        let mut j = i;
        while let Some(c) = self.char_at(j) {
            if self.is_terminal(c) {
                j += c.len_utf8();
            } else {
                break;
            }
        }
        while let Some(c) = self.char_at(j) {
            if is_closer(c) {
                j += c.len_utf8();
            } else {
                break;
            }
        }
        (j, j)
    }

    /// Decides whether the terminal run `text[i..end]` (with closers) ends a sentence.
    fn is_boundary(&self, i: usize, end: usize, lower: &mut String) -> bool {
        // Whitespace must follow; "4gamer.net", "3.5" and "e.g.x" are not boundaries.
        let Some(after) = self.char_at(end) else {
            return true;
        };
        if !after.is_whitespace() {
            return false;
        }
        // The next visible character, and the first one past any opening quotes/brackets.
        let mut j = end;
        let mut newline = false;
        while let Some(c) = self.char_at(j) {
            if !c.is_whitespace() {
                break;
            }
            newline |= c == '\n';
            j += c.len_utf8();
        }
        let Some(next) = self.char_at(j) else {
            return true;
        };
        if newline {
            // The newline rule decides; a terminal before it only strengthens the break.
            return true;
        }
        let mut k = j;
        while let Some(c) = self.char_at(k) {
            if is_opener(c) {
                k += c.len_utf8();
            } else {
                break;
            }
        }
        let first = self.char_at(k).unwrap_or(next);
        // A sentence does not start with these; "Mr. , said" or "etc.), and".
        if matches!(next, ',' | ';' | ':' | ')' | ']' | '}' | '%') {
            return false;
        }
        let lower_next = first.is_lowercase();
        let run = &self.text[i..end];
        let single_period = run.starts_with('.') && !run[1..].starts_with(['.', '!', '?', '…']);
        if !single_period {
            // "?", "!", "...", "?!": a lower-case word after them usually goes on, except in
            // languages whose informal writing often starts sentences lower-case.
            // Not after a closing quote: "\"Stop!\" he said" is one sentence.
            let question = run.starts_with(['?', '!']) && !run.ends_with(is_closer);
            return !lower_next || (question && self.rules.lower_after_question);
        }
        let word = self.word_before(i);
        if word.is_empty() {
            return !lower_next;
        }
        if word.bytes().all(|b| b.is_ascii_digit()) {
            if word.len() <= 3 && self.line_start(i - word.len()) {
                // A list item: "1. Eggs".
                return false;
            }
            if self.ordinal_dot && (word.len() <= 2 || !first.is_uppercase()) {
                // "am 3. Mai", "2000. január": an ordinal, unless a year begins a new sentence.
                return false;
            }
            return !lower_next;
        }
        if let Some(class) = self.abbreviations.class(word, lower) {
            return match class {
                AbbrevClass::Inner => false,
                AbbrevClass::Final => !(lower_next || first.is_ascii_digit()),
            };
        }
        if is_initials(word) {
            return false;
        }
        // Web text often starts sentences lower-case; a period after a plain word of some length
        // is rarely an unlisted abbreviation.
        !lower_next || (word.chars().count() > 3 && word.chars().all(char::is_alphabetic))
    }

    /// True when only spaces precede `pos` on its line.
    fn line_start(&self, pos: usize) -> bool {
        self.bytes[..pos]
            .iter()
            .rev()
            .take_while(|&&b| b != b'\n')
            .all(|&b| b == b' ' || b == b'\t')
            && pos > 0
    }

    /// The word right before the period at `i`, without leading opening punctuation.
    fn word_before(&self, i: usize) -> &str {
        let mut s = i;
        while s > 0 && !self.bytes[s - 1].is_ascii_whitespace() {
            s -= 1;
        }
        // Non-ASCII whitespace (NBSP, ideographic space) also separates words.
        let mut word = &self.text[s..i];
        if let Some(pos) = word.rfind(|c: char| c.is_whitespace()) {
            let ws = word[pos..].chars().next().map_or(1, char::len_utf8);
            word = &word[pos + ws..];
        }
        word.trim_start_matches(|c: char| is_opener(c) || c == '-' || c == '—' || c == '–')
    }
}

/// An initial or a run of them: "J", "J.V", "U.S", "p.ex" has more than one letter per part and
/// is not one. Shared with the tokenizer, which keeps such words whole with their period.
pub(crate) fn is_initials(word: &str) -> bool {
    let mut letters = 0;
    for c in word.chars() {
        if c == '.' {
            if letters != 1 {
                return false;
            }
            letters = 0;
        } else if c.is_alphabetic() {
            letters += 1;
        } else {
            return false;
        }
    }
    letters == 1
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences<'a>(text: &'a str, code: &str) -> Vec<&'a str> {
        split(text, Lang::from_code(code))
            .into_iter()
            .map(|s| &text[s])
            .collect()
    }

    fn check_invariants(text: &str, spans: &[Span]) {
        let mut last = 0;
        for &s in spans {
            assert!(s.start as usize >= last && s.start < s.end, "{s:?}");
            let piece = &text[s];
            assert_eq!(piece, piece.trim(), "untrimmed {piece:?}");
            last = s.end as usize;
        }
        // Nothing but whitespace is left out.
        let covered: usize = spans.iter().map(|s| text[*s].len()).sum();
        let gaps: usize = text.len() - covered;
        let mut prev = 0;
        let mut ws = 0;
        for &s in spans {
            ws += text[prev..s.start as usize].len();
            assert!(text[prev..s.start as usize].trim().is_empty());
            prev = s.end as usize;
        }
        assert!(text[prev..].trim().is_empty());
        assert_eq!(gaps, ws + text[prev..].len());
    }

    #[test]
    fn initials_do_not_end_a_sentence() {
        let text = "In his speech, Stalin modestly omits mention of his role but it is precisely \
                    because of the leadership of the Communist Party and J.V. Stalin that the Red \
                    Army and peoples of the Soviet Union were able to unite as one. Stalin and the \
                    Bolshevik Party had seen the Nazi threat coming.";
        let got = sentences(text, "eng");
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].ends_with("unite as one."));
    }

    #[test]
    fn circa_and_titles() {
        let text = "Georgi Zelma – Stalingrad, c. 1942. The advancing German Fourth Panzer Army \
                    crossed the Don River north of Stalingrad. Mr. Smith met Dr. Jones, Gen. Paulus \
                    and Sr. Ruiz at St. Petersburg, e.g. in winter.";
        let got = sentences(text, "eng");
        assert_eq!(
            got,
            [
                "Georgi Zelma – Stalingrad, c. 1942.",
                "The advancing German Fourth Panzer Army crossed the Don River north of Stalingrad.",
                "Mr. Smith met Dr. Jones, Gen. Paulus and Sr. Ruiz at St. Petersburg, e.g. in winter.",
            ]
        );
    }

    #[test]
    fn portuguese_abbreviations() {
        let text = "A Sra. Costa e o Sr. Silva visitaram Volgogrado, p. ex. o museu da batalha. \
                    A ofensiva alemã contra a cidade à beira do Rio Volga fez da batalha uma das maiores.";
        let got = sentences(text, "por");
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].ends_with("museu da batalha."));
    }

    #[test]
    fn ordinals_and_decimals() {
        let got = sentences(
            "Die Schlacht begann am 3. Mai 1942 bei der Stadt. Sie dauerte lange.",
            "deu",
        );
        assert_eq!(
            got,
            [
                "Die Schlacht begann am 3. Mai 1942 bei der Stadt.",
                "Sie dauerte lange."
            ]
        );
        let got = sentences(
            "The loss was 9.5 million men. It ended in 1943. Then came Kursk.",
            "eng",
        );
        assert_eq!(
            got,
            [
                "The loss was 9.5 million men.",
                "It ended in 1943.",
                "Then came Kursk."
            ]
        );
    }

    #[test]
    fn paragraphs_and_lines() {
        let text = "This Day. Celebrating the great victory at Stalingrad\n\n“The Motherland Calls” statue\nat Volgograd\nMuseum of the Battle";
        let got = sentences(text, "eng");
        assert_eq!(
            got,
            [
                "This Day.",
                "Celebrating the great victory at Stalingrad",
                "“The Motherland Calls” statue\nat Volgograd",
                "Museum of the Battle"
            ]
        );
    }

    #[test]
    fn quotes_ellipses_and_question_marks() {
        let text =
            "He shouted \"Stop!\" Then he left. Really?! Yes... And then (Laughter.) It ended.";
        let got = sentences(text, "eng");
        assert_eq!(
            got,
            [
                "He shouted \"Stop!\"",
                "Then he left.",
                "Really?!",
                "Yes...",
                "And then (Laughter.)",
                "It ended."
            ]
        );
        // A lower-case word after "?" or a quoted "!" continues the sentence.
        assert_eq!(
            sentences("\"Stop!\" he said. Done.", "eng"),
            ["\"Stop!\" he said.", "Done."]
        );
    }

    #[test]
    fn lists() {
        let text = "Shopping list:\n1. Eggs\n2. Milk\n- bread";
        let got = sentences(text, "eng");
        assert_eq!(got, ["Shopping list:", "1. Eggs", "2. Milk", "- bread"]);
    }

    #[test]
    fn headline_run_into_article() {
        // Pseudo-documents and scraped pages join a headline to its article with one space.
        let text = "Governo anuncia novo plano para a saúde O ministro apresentou ontem as medidas em Lisboa. \
                    Chuva causa cheias no Norte A Protecção Civil registou dezenas de ocorrências.";
        assert_eq!(
            sentences(text, "por"),
            [
                "Governo anuncia novo plano para a saúde",
                "O ministro apresentou ontem as medidas em Lisboa.",
                "Chuva causa cheias no Norte",
                "A Protecção Civil registou dezenas de ocorrências.",
            ]
        );
        assert_eq!(
            sentences(
                "Nova vlada počinje rad Od početka godine cene su porasle za pet odsto.",
                "srp"
            ),
            [
                "Nova vlada počinje rad",
                "Od početka godine cene su porasle za pet odsto."
            ]
        );
        assert_eq!(
            sentences(
                "Νέα μέτρα για την οικονομία Η κυβέρνηση ανακοίνωσε χθες το σχέδιο.",
                "ell"
            ),
            [
                "Νέα μέτρα για την οικονομία",
                "Η κυβέρνηση ανακοίνωσε χθες το σχέδιο."
            ]
        );
        // A starter after punctuation, or a capital that is not a listed starter, goes on.
        assert_eq!(
            sentences(
                "Disse ao Diário de Notícias que a Sonae vai crescer.",
                "por"
            )
            .len(),
            1
        );
        assert_eq!(
            sentences("Em Portugal, O Independente fechou.", "por").len(),
            1
        );
        // English has no starter list: "I" mid-sentence is common.
        assert_eq!(sentences("After the meeting I called him", "eng").len(), 1);
    }

    #[test]
    fn colon_before_quotation() {
        let text = "O treinador foi lacónico: «Não comento arbitragens.» A equipa treina amanhã.";
        assert_eq!(
            sentences(text, "por"),
            [
                "O treinador foi lacónico:",
                "«Não comento arbitragens.»",
                "A equipa treina amanhã."
            ]
        );
        assert_eq!(
            sentences("Han sa det slik: Vi må jobbe mer.", "nob"),
            ["Han sa det slik:", "Vi må jobbe mer."]
        );
        // Other languages keep the quotation in the sentence; Portuguese keeps a lower-case list.
        assert_eq!(
            sentences("Il a répondu : « Je ne sais pas » et il est parti.", "fra").len(),
            1
        );
        assert_eq!(
            sentences("Os requisitos são: ser maior e ter carta.", "por").len(),
            1
        );
    }

    #[test]
    fn question_before_lower_case_in_english() {
        let text =
            "where did you stay in Bangkok? any good hotels near the river? thanks in advance!";
        assert_eq!(
            sentences(text, "eng"),
            [
                "where did you stay in Bangkok?",
                "any good hotels near the river?",
                "thanks in advance!"
            ]
        );
        // Elsewhere a lower-case word after "?" continues the sentence ("¿Vienes? dijo él").
        assert_eq!(sentences("«Vens?» perguntou ela.", "por").len(), 1);
    }

    #[test]
    fn invariants_on_raw_samples() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("raw");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            println!("skipping: {} not found", dir.display());
            return;
        };
        for entry in entries.flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            for code in ["eng", "por", "und"] {
                let spans = split(&text, Lang::from_code(code));
                assert!(spans.len() > 5);
                check_invariants(&text, &spans);
            }
        }
        for text in [
            "",
            "  \n\n ",
            ".",
            "...\n",
            "a. b",
            "Mr.",
            "x.\u{a0}Y",
            "“”. ”",
        ] {
            check_invariants(text, &split(text, Lang::UND));
        }
    }

    #[test]
    fn ud_dev_sentence_f1() {
        // Smoke check on real UD text: sentence ends of EWT dev, rebuilt as score.py does.
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/eval/ud/UD_English-EWT/en_ewt-ud-dev.conllu");
        let Ok(data) = std::fs::read_to_string(&path) else {
            println!("skipping: {} not found", path.display());
            return;
        };
        let texts: Vec<&str> = data
            .lines()
            .filter_map(|l| l.strip_prefix("# text = "))
            .collect();
        let joined = texts
            .iter()
            .take(400)
            .map(|t| t.trim())
            .collect::<Vec<_>>()
            .join(" ");
        let spans = split(&joined, Lang::from_code("eng"));
        check_invariants(&joined, &spans);
        let ratio = spans.len() as f64 / 400.0;
        assert!(
            (0.6..1.3).contains(&ratio),
            "{} sentences for 400",
            spans.len()
        );
    }
}
