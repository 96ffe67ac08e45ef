//! One document through every stage, in memory: the composition of the stage modules.
//!
//! `Pipeline::process` takes raw text and returns a [`Document`] whose spans all point into
//! `Document::text`, the cleaned and normalised text. It never touches files; `corpus` does.

use crate::boilerplate::{self, Removal, Rules};
use crate::entity::{self, DocumentContext, EntitySpan};
use crate::lang::{self, Lang, LangGuess};
use crate::linestats::{RepeatedLines, split_lines};
use crate::normalize::{NormalForm, normalize};
use crate::sentence;
use crate::span::Span;
use crate::stem::Stemmers;
use crate::token::{self, Token, TokenKind};
use std::cell::RefCell;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Options that shape the rows.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Config {
    /// Unicode normalization form of the document text.
    pub normalize: NormalForm,
    /// Boilerplate rules switched off by name (`--keep-rule`).
    pub keep_rules: Vec<String>,
    /// Keep reader comments as text (comment forms are still removed).
    pub keep_comments: bool,
    /// Let lower-case connectors join entity candidates ("Battle of Stalingrad"). Off by
    /// default: Universal Dependencies' PROPN runs, which candidates are scored on, stop at them.
    #[serde(default)]
    pub join_connectors: bool,
}

/// A sentence of a processed document.
#[derive(Clone, Debug, PartialEq)]
pub struct Sentence {
    /// Bytes in `Document::text`.
    pub span: Span,
    /// The sentence's language.
    pub lang: LangGuess,
    /// Its tokens, as indices into `Document::tokens`.
    pub tokens: Range<u32>,
}

/// A removed boilerplate line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemovedLine {
    /// 1-based line number in the decoded input.
    pub line_no: u32,
    /// The line as it was in the input.
    pub text: String,
    /// The rule that removed it.
    pub rule: &'static str,
    /// Distinct documents of the same site holding this line, where it repeats.
    pub doc_freq: Option<u32>,
}

/// Lower-cased forms and stems of a document's tokens, each kind one after another in token
/// order in a buffer of its own, as the tokens table's columns hold them: a document's forms
/// go into a column in one copy ([`TokenForms::lower_column`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenForms {
    lower: String,
    /// Where each token's lower-cased form ends in `lower`; it starts where the previous ends.
    lower_ends: Vec<u32>,
    stems: String,
    /// Where each token's stem ends in `stems` (where the previous ends, for no stem).
    stem_ends: Vec<u32>,
    /// Whether each token has a stem: not non-words, nor words of a language without a
    /// stemmer.
    stemmed: Vec<bool>,
}

impl TokenForms {
    /// The lower-cased form of token `index`.
    pub fn lower(&self, index: usize) -> &str {
        form(&self.lower, &self.lower_ends, index)
    }

    /// The stem of token `index`: `None` for non-words and languages without a stemmer.
    pub fn stem(&self, index: usize) -> Option<&str> {
        self.stemmed
            .get(index)
            .copied()
            .unwrap_or(false)
            .then(|| form(&self.stems, &self.stem_ends, index))
    }

    /// The lower-cased forms of all tokens, in order, and where each ends.
    pub fn lower_column(&self) -> (&str, &[u32]) {
        (&self.lower, &self.lower_ends)
    }

    /// The stems of all tokens, in order, where each ends, and whether there is one.
    pub fn stem_column(&self) -> (&str, &[u32], &[bool]) {
        (&self.stems, &self.stem_ends, &self.stemmed)
    }

    fn push_lower(&mut self, word: &str) {
        // One loop over the ASCII bytes most words are made of: an ASCII test, a copy and a
        // lower-casing pass each ended in a branch the predictor missed on words this short.
        self.lower.reserve(word.len());
        let bytes = word.as_bytes();
        let mut ascii = 0;
        while let Some(&b) = bytes.get(ascii).filter(|b| b.is_ascii()) {
            self.lower.push(char::from(b.to_ascii_lowercase()));
            ascii += 1;
        }
        for c in word[ascii..].chars() {
            if c.is_ascii() {
                self.lower.push(c.to_ascii_lowercase());
            } else {
                self.lower.extend(c.to_lowercase());
            }
        }
        self.lower_ends.push(self.lower.len() as u32);
    }

    fn push_stem(&mut self, stem: Option<&str>) {
        if let Some(stem) = stem {
            self.stems.push_str(stem);
        }
        self.stem_ends.push(self.stems.len() as u32);
        self.stemmed.push(stem.is_some());
    }

    /// The lower-cased form last pushed.
    fn last_lower(&self) -> &str {
        form(
            &self.lower,
            &self.lower_ends,
            self.lower_ends.len().wrapping_sub(1),
        )
    }
}

/// Form `index` of `forms`, whose forms end at `ends`; empty for an index past them.
fn form<'a>(forms: &'a str, ends: &[u32], index: usize) -> &'a str {
    let start = match index.checked_sub(1) {
        Some(previous) => ends.get(previous).copied().unwrap_or(0),
        None => 0,
    };
    let end = ends.get(index).copied().unwrap_or(start);
    forms.get(start as usize..end as usize).unwrap_or_default()
}

/// The result of processing one document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    /// The cleaned, normalised text every span points into.
    pub text: String,
    /// The document's language.
    pub lang: LangGuess,
    /// Sentences in order.
    pub sentences: Vec<Sentence>,
    /// Tokens in order, across all sentences.
    pub tokens: Vec<Token>,
    /// Lower-cased forms and stems, parallel to `tokens`.
    pub forms: TokenForms,
    /// Entity candidates in order, with the sentence each lies in.
    pub entities: Vec<(u32, EntitySpan)>,
    /// Boilerplate lines removed before normalization.
    pub removed_lines: Vec<RemovedLine>,
}

/// A stage whose time a run reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Byte decoding to text (timed by the caller, which decodes).
    Decode,
    /// Boilerplate line classification and removal.
    Boilerplate,
    /// Unicode normalization and whitespace cleanup.
    Normalize,
    /// Document and per-sentence language detection.
    Language,
    /// Sentence segmentation.
    Sentences,
    /// Tokenization.
    Tokens,
    /// Lower-casing and stemming.
    Stems,
    /// Entity candidates.
    Entities,
    /// Building record batches and writing Parquet (timed by the writer).
    Write,
}

impl Stage {
    /// Every stage, in pipeline order.
    pub const ALL: [Stage; 9] = [
        Stage::Decode,
        Stage::Boilerplate,
        Stage::Normalize,
        Stage::Language,
        Stage::Sentences,
        Stage::Tokens,
        Stage::Stems,
        Stage::Entities,
        Stage::Write,
    ];

    /// The stage's name in the run summary and the manifest.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Decode => "decode",
            Stage::Boilerplate => "boilerplate",
            Stage::Normalize => "normalize",
            Stage::Language => "language",
            Stage::Sentences => "sentences",
            Stage::Tokens => "tokens",
            Stage::Stems => "stems",
            Stage::Entities => "entities",
            Stage::Write => "write",
        }
    }
}

/// Time spent per stage, summed over all threads: a few relaxed atomic adds per document.
#[derive(Debug, Default)]
pub struct StageTimes {
    nanos: [AtomicU64; Stage::ALL.len()],
}

impl StageTimes {
    /// Adds `elapsed` to `stage`.
    pub fn add(&self, stage: Stage, elapsed: Duration) {
        self.nanos[stage as usize].fetch_add(elapsed.as_nanos() as u64, Ordering::Relaxed);
    }

    /// Seconds per stage so far (CPU-thread seconds, summed over workers).
    pub fn seconds(&self) -> Vec<(&'static str, f64)> {
        Stage::ALL
            .iter()
            .map(|&stage| {
                (
                    stage.name(),
                    self.nanos[stage as usize].load(Ordering::Relaxed) as f64 / 1e9,
                )
            })
            .collect()
    }
}

/// Times consecutive stages of one document with one clock read per stage boundary.
struct Lap<'a> {
    times: &'a StageTimes,
    last: Instant,
}

impl Lap<'_> {
    fn done(&mut self, stage: Stage) {
        let now = Instant::now();
        self.times.add(stage, now - self.last);
        self.last = now;
    }
}

thread_local! {
    /// One set of stemmers (and their caches) per worker thread, kept across documents.
    static STEMMERS: RefCell<Stemmers> = RefCell::new(Stemmers::default());
}

/// The per-document processor, built once and shared by all worker threads.
pub struct Pipeline {
    config: Config,
    rules: Rules,
    repeated: Option<RepeatedLines>,
    times: StageTimes,
}

impl Pipeline {
    /// A pipeline with the built-in language data.
    pub fn new(config: Config) -> Pipeline {
        let rules = Rules::with_config(boilerplate::Config {
            keep_rules: config.keep_rules.clone(),
            keep_comments: config.keep_comments,
        });
        Pipeline {
            config,
            rules,
            repeated: None,
            times: StageTimes::default(),
        }
    }

    /// The same pipeline, also removing lines that repeat across documents of a site, by the
    /// corpus statistics `repeated` (see `linestats`).
    pub fn with_repeated_lines(mut self, repeated: RepeatedLines) -> Pipeline {
        self.repeated = Some(repeated);
        self
    }

    /// The configuration this pipeline was built with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The time spent in each stage by every document processed so far.
    pub fn stage_times(&self) -> &StageTimes {
        &self.times
    }

    /// Runs every stage on one document's decoded text, without corpus statistics.
    pub fn process(&self, raw: &str) -> Document {
        self.process_in(raw, "")
    }

    /// Runs every stage on one document's decoded text from `site` (its source directory or
    /// URL host), which selects the corpus statistics that apply to it.
    pub fn process_in(&self, raw: &str, site: &str) -> Document {
        let mut lap = Lap {
            times: &self.times,
            last: Instant::now(),
        };
        let removals = self.rules.removals_in(raw, site, self.repeated.as_ref());
        let (kept, removed_lines) = remove_lines(raw, &removals);
        lap.done(Stage::Boilerplate);
        let text = normalize(&kept, self.config.normalize);
        drop(kept);
        lap.done(Stage::Normalize);

        let doc_lang = lang::detect_document(&text);
        lap.done(Stage::Language);
        let sentence_spans = sentence::split(&text, doc_lang.lang);
        lap.done(Stage::Sentences);
        let sentence_langs = lang::detect_sentences(&text, &sentence_spans, doc_lang);
        lap.done(Stage::Language);

        let mut tokens = Vec::with_capacity(text.len() / 5);
        let mut sentences = Vec::with_capacity(sentence_spans.len());
        for (&span, &lang) in sentence_spans.iter().zip(&sentence_langs) {
            let first = tokens.len() as u32;
            token::tokenize_lang(&text, span, lang.lang, &mut tokens);
            sentences.push(Sentence {
                span,
                lang,
                tokens: first..tokens.len() as u32,
            });
        }
        lap.done(Stage::Tokens);

        let forms = token_forms(&text, &tokens, &sentences);
        lap.done(Stage::Stems);
        let context = DocumentContext::new(&text, &tokens, doc_lang.lang);
        let mut entities = Vec::new();
        let mut sentence_entities = Vec::new();
        let entity_options = entity::Options {
            join_connectors: self.config.join_connectors,
        };
        for (index, sentence) in sentences.iter().enumerate() {
            sentence_entities.clear();
            entity::find_with(
                &context,
                sentence.tokens.clone(),
                sentence.lang.lang,
                &entity_options,
                &mut sentence_entities,
            );
            entities.extend(sentence_entities.drain(..).map(|e| (index as u32, e)));
        }
        lap.done(Stage::Entities);

        Document {
            lang: doc_lang,
            sentences,
            tokens,
            forms,
            entities,
            removed_lines,
            text,
        }
    }
}

/// The text with removed lines blanked (so paragraph structure around them survives), and the
/// removed lines themselves.
fn remove_lines(raw: &str, removals: &[Removal]) -> (String, Vec<RemovedLine>) {
    if removals.is_empty() {
        return (raw.to_owned(), Vec::new());
    }
    let mut kept = String::with_capacity(raw.len());
    let mut removed = Vec::with_capacity(removals.len());
    let mut next = removals.iter().peekable();
    for (index, line) in split_lines(raw).enumerate() {
        if index > 0 {
            kept.push('\n');
        }
        match next.peek() {
            Some(removal) if removal.line_index as usize == index => {
                removed.push(RemovedLine {
                    line_no: index as u32 + 1,
                    text: line.strip_suffix('\r').unwrap_or(line).to_owned(),
                    rule: removal.rule,
                    doc_freq: removal.doc_freq,
                });
                next.next();
            }
            _ => kept.push_str(line),
        }
    }
    (kept, removed)
}

fn token_forms(text: &str, tokens: &[Token], sentences: &[Sentence]) -> TokenForms {
    let mut forms = TokenForms {
        lower: String::with_capacity(text.len()),
        lower_ends: Vec::with_capacity(tokens.len()),
        stems: String::with_capacity(text.len()),
        stem_ends: Vec::with_capacity(tokens.len()),
        stemmed: Vec::with_capacity(tokens.len()),
    };
    // In token order: the sentences' token ranges follow one another from the first token to
    // the last, as `process_in` builds them.
    STEMMERS.with_borrow_mut(|stemmers| {
        for sentence in sentences {
            let lang: Lang = sentence.lang.lang;
            for token in &tokens[sentence.tokens.start as usize..sentence.tokens.end as usize] {
                forms.push_lower(&text[token.span]);
                let stem = if token.kind == TokenKind::Word {
                    stemmers.stem_cached(lang, forms.last_lower())
                } else {
                    None
                };
                forms.push_stem(stem);
            }
        }
    });
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_lines_are_blanked_and_reported_with_their_line_numbers() {
        let raw =
            "Stalingrad was a city.\r\nLeave a Reply\n\nThe Volga River flows.\nTwitter picture";
        let removals = [
            Removal {
                line_index: 1,
                rule: "comment_form",
                doc_freq: None,
            },
            Removal {
                line_index: 4,
                rule: "social_widget",
                doc_freq: None,
            },
        ];
        let (kept, removed) = remove_lines(raw, &removals);
        assert_eq!(
            kept,
            "Stalingrad was a city.\r\n\n\nThe Volga River flows.\n"
        );
        let lines: Vec<(u32, &str, &str)> = removed
            .iter()
            .map(|r| (r.line_no, r.text.as_str(), r.rule))
            .collect();
        assert_eq!(
            lines,
            [
                (2, "Leave a Reply", "comment_form"),
                (5, "Twitter picture", "social_widget")
            ]
        );
    }

    #[test]
    fn spans_slice_back_and_tokens_stay_inside_their_sentences() {
        let pipeline = Pipeline::new(Config::default());
        let page = "Em 2 de fevereiro de 1943, o Exército Vermelho derrotou o nazismo.\n\n\
                    Mr. J.V. Stalin spoke on November 6. The Red Army held the Volga River.";
        let document = pipeline.process(page);
        assert!(document.sentences.len() >= 3);
        let mut covered = 0;
        for sentence in &document.sentences {
            let text = &document.text[sentence.span.range()];
            assert_eq!(text, text.trim());
            for token in
                &document.tokens[sentence.tokens.start as usize..sentence.tokens.end as usize]
            {
                assert!(
                    sentence.span.start <= token.span.start && token.span.end <= sentence.span.end
                );
                covered += 1;
            }
        }
        assert_eq!(covered, document.tokens.len());
        assert_eq!(document.forms.lower(0), "em");
    }

    /// Every character lower-cased on its own (so a final Σ is σ, unlike `str::to_lowercase`).
    fn lowered(word: &str) -> String {
        word.chars().flat_map(char::to_lowercase).collect()
    }

    fn forms_of(words: &[&str]) -> TokenForms {
        let mut forms = TokenForms::default();
        for word in words {
            forms.push_lower(word);
        }
        forms
    }

    #[test]
    fn lower_forms_fold_ascii_runs_and_every_other_character() {
        let words = [
            "Volga",
            "ÄrgerNIS",
            "STRASSE-Straße",
            "İstanbul",
            "ΟΔΟΣ",
            "",
            "x",
        ];
        let forms = forms_of(&words);
        let got: Vec<&str> = (0..words.len()).map(|i| forms.lower(i)).collect();
        assert_eq!(
            got,
            [
                "volga",
                "ärgernis",
                "strasse-straße",
                "i\u{307}stanbul",
                "οδοσ",
                "",
                "x"
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn lower_forms_are_each_character_lower_cased(words in proptest::collection::vec(".{0,12}", 0..8)) {
            let refs: Vec<&str> = words.iter().map(String::as_str).collect();
            let forms = forms_of(&refs);
            for (i, word) in words.iter().enumerate() {
                proptest::prop_assert_eq!(forms.lower(i), lowered(word));
            }
        }
    }
}
