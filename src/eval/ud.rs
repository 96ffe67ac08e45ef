//! `eval ud`: sentence boundaries, tokens and entity candidates against UD CoNLL-U gold.
//!
//! The raw text, the gold and the matching are those of `shared/eval/ud/score.py` (documents
//! from `# newdoc` / `# newpar`, else pseudo-documents of 20 sentences; code-point offsets;
//! surface tokens aligned to `# text`). Entity gold, which score.py does not cover, is every
//! maximal run of consecutive PROPN surface tokens in a sentence (a multiword token counts as
//! PROPN when any of its words is), as a span from the run's first token to its last.

use super::{Counts, file_name, py_isspace, py_strip, read_input, round4};
use crate::entity::{self, DocumentContext, EntitySpan};
use crate::lang::{self, Lang, LangGuess};
use crate::sentence;
use crate::span::Span;
use crate::token::{self, Token};
use anyhow::{Context, bail};
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use unicode_segmentation::UnicodeSegmentation;

/// Sentences per pseudo-document in files without `# newdoc` / `# newpar`.
const PSEUDO_DOC_SENTS: usize = 20;

/// One surface unit of a gold sentence: its form and whether it is a proper noun.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Unit {
    surface: String,
    propn: bool,
}

#[derive(Clone, Debug, Default)]
struct GoldSentence {
    text: String,
    newdoc: bool,
    newpar: bool,
    units: Vec<Unit>,
}

/// A rebuilt document with its gold, all offsets in code points.
#[derive(Clone, Debug, Default)]
pub struct GoldDoc {
    /// The document text.
    pub text: String,
    /// Gold sentence ends.
    pub sentence_ends: HashSet<usize>,
    /// Gold surface tokens.
    pub tokens: HashSet<(usize, usize)>,
    /// Gold entity spans (maximal PROPN runs).
    pub entities: HashSet<(usize, usize)>,
    /// Gold units whose form could not be found in the text (left out of the gold).
    pub align_fail: usize,
}

/// The scores of one file.
#[derive(Clone, Debug, Default)]
pub struct UdScores {
    /// Language the system was run with.
    pub lang: Lang,
    /// Documents rebuilt.
    pub docs: usize,
    /// Sentence-boundary counts.
    pub sentences: Counts,
    /// Token counts.
    pub tokens: Counts,
    /// Entity-candidate counts.
    pub entities: Counts,
    /// Gold units that could not be aligned.
    pub align_fail: usize,
    /// UAX #29 sentence counts (with `baseline`).
    pub baseline_sentences: Option<Counts>,
    /// UAX #29 word counts (with `baseline`).
    pub baseline_tokens: Option<Counts>,
}

/// Our system's output on one document, in bytes of its text.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// Sentence spans.
    pub sentences: Vec<Span>,
    /// Tokens of all sentences.
    pub tokens: Vec<Token>,
    /// Entity candidates of all sentences.
    pub entities: Vec<EntitySpan>,
}

/// Runs the pipeline's analysis stages on a document whose language is known: sentence
/// splitting, per-sentence language (with `lang` as the document's), tokenization and entity
/// candidates, composed as `Pipeline::process` composes them, without boilerplate removal and
/// normalization (UD text is already clean, and offsets must stay in the gold text).
pub fn analyze(text: &str, lang: Lang) -> Analysis {
    let document = LangGuess {
        lang,
        confidence: 1.0,
    };
    let sentences = sentence::split(text, lang);
    let sentence_langs = lang::detect_sentences(text, &sentences, document);
    let mut tokens = Vec::with_capacity(text.len() / 5);
    let mut ranges = Vec::with_capacity(sentences.len());
    for &span in &sentences {
        let first = tokens.len() as u32;
        token::tokenize(text, span, &mut tokens);
        ranges.push(first..tokens.len() as u32);
    }
    let context = DocumentContext::new(text, &tokens, lang);
    let mut entities = Vec::new();
    for (range, guess) in ranges.into_iter().zip(&sentence_langs) {
        entity::find(&context, range, guess.lang, &mut entities);
    }
    Analysis {
        sentences,
        tokens,
        entities,
    }
}

/// Our sentence and token spans on a rebuilt document, in code points: the predictions file
/// `score.py --pred` reads, one `{"sents", "tokens", "entities"}` object per document.
pub fn prediction_json(doc: &GoldDoc, lang: Lang) -> serde_json::Value {
    let to_char = char_index_of_bytes(&doc.text);
    let analysis = analyze(&doc.text, lang);
    let conv = |span: Span| [to_char[span.start as usize], to_char[span.end as usize]];
    serde_json::json!({
        "sents": analysis.sentences.iter().map(|&s| conv(s)).collect::<Vec<_>>(),
        "tokens": analysis.tokens.iter().map(|t| conv(t.span)).collect::<Vec<_>>(),
        "entities": analysis.entities.iter().map(|e| conv(e.span)).collect::<Vec<_>>(),
    })
}

/// Writes [`prediction_json`] for every document of a CoNLL-U file, one per line.
pub fn write_predictions(path: &Path, lang: Lang, out: &Path) -> anyhow::Result<()> {
    use std::io::Write;
    let source = read_input(path)?;
    let docs = gold_docs(&source).with_context(|| format!("parse {}", path.display()))?;
    let file = std::fs::File::create(out).with_context(|| format!("create {}", out.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    for doc in &docs {
        writeln!(writer, "{}", prediction_json(doc, lang))?;
    }
    writer.flush()?;
    Ok(())
}

/// ISO 639-3 code for a UD file-name prefix (ISO 639-1, or `no` for Norwegian Bokmål).
pub fn iso3_from_ud(prefix: &str) -> Option<&'static str> {
    Some(match prefix {
        "en" => "eng",
        "pt" => "por",
        "es" => "spa",
        "fr" => "fra",
        "de" => "deu",
        "it" => "ita",
        "da" => "dan",
        "nl" => "nld",
        "et" => "est",
        "fi" => "fin",
        "el" => "ell",
        "hu" => "hun",
        "id" => "ind",
        "lt" => "lit",
        "no" | "nb" => "nob",
        "nn" => "nno",
        "ro" => "ron",
        "ru" => "rus",
        "sr" => "srp",
        "hr" => "hrv",
        "sv" => "swe",
        "ta" => "tam",
        "tr" => "tur",
        "hy" => "hye",
        "pl" => "pol",
        "cs" => "ces",
        "uk" => "ukr",
        "bg" => "bul",
        "ar" => "ara",
        "he" => "heb",
        "hi" => "hin",
        "ja" => "jpn",
        "ko" => "kor",
        "zh" => "cmn",
        "lv" => "lav",
        "sk" => "slk",
        "sl" => "slv",
        "ca" => "cat",
        _ => return None,
    })
}

/// The language of a UD file: `lang` when given, else from the file-name prefix.
pub fn file_lang(path: &Path, lang: Option<&str>) -> anyhow::Result<Lang> {
    let code = match lang {
        Some(code) => code.to_owned(),
        None => {
            let name = file_name(path);
            let prefix = name.split('_').next().unwrap_or("");
            match iso3_from_ud(prefix) {
                Some(code) => code.to_owned(),
                None => bail!("cannot tell the language of {name}: pass --lang"),
            }
        }
    };
    let lang = Lang::from_code(&code);
    if !lang.is_known() {
        bail!("unknown language code {code:?}");
    }
    Ok(lang)
}

/// Scores one CoNLL-U file.
pub fn score_file(path: &Path, lang: Lang, baseline: bool) -> anyhow::Result<UdScores> {
    let source = read_input(path)?;
    let sentences = read_conllu(&source).with_context(|| format!("parse {}", path.display()))?;
    let docs = build_docs(&sentences);
    Ok(score_docs(&docs, lang, baseline))
}

/// Scores documents (already rebuilt) with our system and optionally the UAX #29 baseline.
pub fn score_docs(docs: &[GoldDoc], lang: Lang, baseline: bool) -> UdScores {
    let per_doc: Vec<UdScores> = docs
        .par_iter()
        .map(|doc| score_doc(doc, lang, baseline))
        .collect();
    let mut total = UdScores {
        lang,
        docs: docs.len(),
        baseline_sentences: baseline.then(Counts::default),
        baseline_tokens: baseline.then(Counts::default),
        ..UdScores::default()
    };
    for doc in per_doc {
        add(&mut total.sentences, doc.sentences);
        add(&mut total.tokens, doc.tokens);
        add(&mut total.entities, doc.entities);
        total.align_fail += doc.align_fail;
        if let (Some(sum), Some(part)) = (total.baseline_sentences.as_mut(), doc.baseline_sentences)
        {
            add(sum, part);
        }
        if let (Some(sum), Some(part)) = (total.baseline_tokens.as_mut(), doc.baseline_tokens) {
            add(sum, part);
        }
    }
    total
}

fn add(sum: &mut Counts, part: Counts) {
    sum.tp += part.tp;
    sum.predicted += part.predicted;
    sum.gold += part.gold;
}

fn score_doc(doc: &GoldDoc, lang: Lang, baseline: bool) -> UdScores {
    let text = doc.text.as_str();
    let chars: Vec<char> = text.chars().collect();
    let to_char = char_index_of_bytes(text);
    let analysis = analyze(text, lang);
    let mut scores = UdScores {
        align_fail: doc.align_fail,
        ..UdScores::default()
    };
    let span_chars = |a: usize, b: usize| clean_span(&chars, to_char[a], to_char[b]);

    let ends: HashSet<usize> = analysis
        .sentences
        .iter()
        .filter_map(|s| span_chars(s.start as usize, s.end as usize).map(|(_, end)| end))
        .collect();
    scores.sentences.add_sets(&ends, &doc.sentence_ends);
    let tokens: HashSet<(usize, usize)> = analysis
        .tokens
        .iter()
        .filter_map(|t| span_chars(t.span.start as usize, t.span.end as usize))
        .collect();
    scores.tokens.add_sets(&tokens, &doc.tokens);
    let entities: HashSet<(usize, usize)> = analysis
        .entities
        .iter()
        .filter_map(|e| span_chars(e.span.start as usize, e.span.end as usize))
        .collect();
    scores.entities.add_sets(&entities, &doc.entities);

    if baseline {
        let ends: HashSet<usize> = text
            .split_sentence_bound_indices()
            .filter_map(|(start, piece)| span_chars(start, start + piece.len()).map(|(_, end)| end))
            .collect();
        let mut counts = Counts::default();
        counts.add_sets(&ends, &doc.sentence_ends);
        scores.baseline_sentences = Some(counts);
        let words: HashSet<(usize, usize)> = text
            .split_word_bound_indices()
            .filter_map(|(start, piece)| span_chars(start, start + piece.len()))
            .collect();
        let mut counts = Counts::default();
        counts.add_sets(&words, &doc.tokens);
        scores.baseline_tokens = Some(counts);
    }
    scores
}

/// For each byte offset on a char boundary (and the end), the code-point offset.
fn char_index_of_bytes(text: &str) -> Vec<usize> {
    let mut map = vec![0usize; text.len() + 1];
    let mut count = 0;
    for (byte, c) in text.char_indices() {
        for slot in &mut map[byte..byte + c.len_utf8()] {
            *slot = count;
        }
        count += 1;
    }
    map[text.len()] = count;
    map
}

/// score.py's `clean_span`: the span without surrounding whitespace, `None` when nothing is left.
fn clean_span(chars: &[char], mut a: usize, mut b: usize) -> Option<(usize, usize)> {
    b = b.min(chars.len());
    while a < b && py_isspace(chars[a]) {
        a += 1;
    }
    while b > a && py_isspace(chars[b - 1]) {
        b -= 1;
    }
    (b > a).then_some((a, b))
}

/// Reads CoNLL-U as score.py's `read_conllu` does, keeping each surface unit's PROPN-ness.
fn read_conllu(source: &str) -> anyhow::Result<Vec<GoldSentence>> {
    struct Range {
        first: usize,
        last: usize,
        unit: Unit,
    }
    let mut sentences = Vec::new();
    let mut current = GoldSentence::default();
    let mut has_text = false;
    let mut pending: Option<Range> = None;
    for (index, line) in source.lines().enumerate() {
        if line.is_empty() {
            if has_text || !current.units.is_empty() {
                if let Some(range) = pending.take() {
                    current.units.push(range.unit);
                }
                finish_sentence(&mut sentences, std::mem::take(&mut current), has_text);
                has_text = false;
            }
            continue;
        }
        if line.starts_with('#') {
            if line.starts_with("# newdoc") {
                current.newdoc = true;
            } else if let Some(rest) = line.strip_prefix("# newpar") {
                if rest.is_empty() || rest.starts_with([' ', '\t', '=']) {
                    current.newpar = true;
                }
            } else if line.starts_with("# text =") || line.starts_with("# text=") {
                let value = line.split_once('=').map_or("", |(_, value)| value);
                current.text = py_strip(value).to_owned();
                has_text = true;
            }
            continue;
        }
        let mut cols = line.split('\t');
        let id = cols.next().unwrap_or("");
        let Some(form) = cols.next() else {
            bail!("line {}: not a token line: {line:?}", index + 1);
        };
        let upos = cols.nth(1).unwrap_or("");
        let bad_id = || anyhow::anyhow!("line {}: bad token id {id:?}", index + 1);
        if let Some((a, b)) = id.split_once('-') {
            if let Some(range) = pending.take() {
                current.units.push(range.unit);
            }
            pending = Some(Range {
                first: a.parse().map_err(|_| bad_id())?,
                last: b.parse().map_err(|_| bad_id())?,
                unit: Unit {
                    surface: form.to_owned(),
                    propn: false,
                },
            });
            continue;
        }
        if id.contains('.') {
            continue;
        }
        let i: usize = id.parse().map_err(|_| bad_id())?;
        if let Some(range) = pending.as_mut()
            && range.first <= i
            && i <= range.last
        {
            range.unit.propn |= upos == "PROPN";
            if i == range.last
                && let Some(range) = pending.take()
            {
                current.units.push(range.unit);
            }
            continue;
        }
        current.units.push(Unit {
            surface: form.to_owned(),
            propn: upos == "PROPN",
        });
    }
    if has_text || !current.units.is_empty() {
        finish_sentence(&mut sentences, current, has_text);
    }
    Ok(sentences)
}

fn finish_sentence(sentences: &mut Vec<GoldSentence>, mut sentence: GoldSentence, has_text: bool) {
    if !has_text {
        // score.py's fallback for a sentence without `# text`.
        let forms: Vec<&str> = sentence.units.iter().map(|u| u.surface.as_str()).collect();
        sentence.text = forms.join(" ");
    }
    sentences.push(sentence);
}

/// score.py's `_align` over code points: where `form` lies in `text` at or after `pos`.
fn align(text: &[char], pos: usize, form: &[char]) -> Option<(usize, usize)> {
    let n = text.len();
    let mut pos = pos.min(n);
    while pos < n && py_isspace(text[pos]) {
        pos += 1;
    }
    if text[pos..].starts_with(form) {
        return Some((pos, pos + form.len()));
    }
    // Whitespace-insensitive match.
    let stripped: Vec<char> = form.iter().copied().filter(|&c| !py_isspace(c)).collect();
    let (mut j, mut k) = (pos, 0);
    while k < stripped.len() && j < n {
        if py_isspace(text[j]) {
            j += 1;
            continue;
        }
        if text[j] != stripped[k] {
            break;
        }
        j += 1;
        k += 1;
    }
    if k == stripped.len() && !stripped.is_empty() {
        return Some((pos, j));
    }
    // Nearby search: `text.find(form, pos, pos + 200)`, the match wholly inside the window.
    let limit = (pos + 200).min(n);
    if form.len() > limit - pos {
        return None;
    }
    (pos..=limit - form.len())
        .find(|&i| text[i..i + form.len()] == *form)
        .map(|i| (i, i + form.len()))
}

/// score.py's `build_docs`, plus the entity gold.
fn build_docs(sentences: &[GoldSentence]) -> Vec<GoldDoc> {
    let has_doc = sentences.iter().any(|s| s.newdoc);
    let has_par = sentences.iter().any(|s| s.newpar);
    let mut groups: Vec<Vec<Vec<&GoldSentence>>> = Vec::new();
    if has_doc || has_par {
        for s in sentences {
            match groups.last_mut() {
                Some(group) if !s.newdoc => match group.last_mut() {
                    Some(paragraph) if !(has_par && s.newpar) => paragraph.push(s),
                    _ => group.push(vec![s]),
                },
                _ => groups.push(vec![vec![s]]),
            }
        }
    } else {
        for chunk in sentences.chunks(PSEUDO_DOC_SENTS) {
            groups.push(vec![chunk.iter().collect()]);
        }
    }
    let mut docs = Vec::with_capacity(groups.len());
    for group in groups {
        let mut doc = GoldDoc::default();
        let mut pos = 0usize;
        for (pi, paragraph) in group.iter().enumerate() {
            if pi > 0 {
                doc.text.push_str("\n\n");
                pos += 2;
            }
            for (si, s) in paragraph.iter().enumerate() {
                if si > 0 {
                    doc.text.push(' ');
                    pos += 1;
                }
                let t: Vec<char> = s.text.chars().collect();
                let mut p = 0;
                let mut run: Option<(usize, usize)> = None;
                let mut form = Vec::new();
                for unit in &s.units {
                    form.clear();
                    form.extend(unit.surface.chars());
                    let Some((a, b)) = align(&t, p, &form) else {
                        doc.align_fail += 1;
                        continue;
                    };
                    p = b;
                    doc.tokens.insert((pos + a, pos + b));
                    if unit.propn {
                        run = Some(run.map_or((pos + a, pos + b), |(start, _)| (start, pos + b)));
                    } else if let Some(span) = run.take() {
                        doc.entities.insert(span);
                    }
                }
                if let Some(span) = run.take() {
                    doc.entities.insert(span);
                }
                doc.text.push_str(&s.text);
                pos += t.len();
                doc.sentence_ends.insert(pos);
            }
        }
        docs.push(doc);
    }
    docs
}

/// Rebuilds the documents of a CoNLL-U text (for tests and external scoring).
pub fn gold_docs(source: &str) -> anyhow::Result<Vec<GoldDoc>> {
    Ok(build_docs(&read_conllu(source)?))
}

/// `eval ud` on files: the table or JSON lines.
pub fn run(
    files: &[PathBuf],
    lang: Option<&str>,
    baseline: bool,
    json: bool,
    pred: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    if files.is_empty() {
        bail!("eval ud needs at least one CoNLL-U file");
    }
    if let Some(out) = pred {
        let [path] = files else {
            bail!("--pred takes exactly one CoNLL-U file");
        };
        write_predictions(path, file_lang(path, lang)?, out)?;
    }
    let results: Vec<(String, anyhow::Result<UdScores>)> = files
        .iter()
        .map(|path| {
            let result = file_lang(path, lang).and_then(|lang| score_file(path, lang, baseline));
            (file_name(path), result)
        })
        .collect();
    let mut failed = false;
    if !json {
        print_header(baseline);
    }
    for (name, result) in &results {
        match result {
            Ok(scores) if json => outln!("{}", to_json(name, scores)),
            Ok(scores) => print_row(name, scores),
            Err(error) => {
                failed = true;
                errln!("corpusmill: eval ud: {name}: {error:#}");
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The JSON object of one file's scores.
pub fn to_json(file: &str, scores: &UdScores) -> serde_json::Value {
    let mut object = serde_json::json!({
        "file": file,
        "lang": scores.lang.code(),
        "sentence_precision": round4(scores.sentences.precision()),
        "sentence_recall": round4(scores.sentences.recall()),
        "sentence_f1": round4(scores.sentences.f1()),
        "token_precision": round4(scores.tokens.precision()),
        "token_recall": round4(scores.tokens.recall()),
        "token_f1": round4(scores.tokens.f1()),
        "entity_precision": round4(scores.entities.precision()),
        "entity_recall": round4(scores.entities.recall()),
        "entity_f1": round4(scores.entities.f1()),
        "n_docs": scores.docs,
        "n_sentences": scores.sentences.gold,
        "n_tokens": scores.tokens.gold,
        "n_entities": scores.entities.gold,
        "align_fail": scores.align_fail,
    });
    if let (Some(map), Some(s), Some(t)) = (
        object.as_object_mut(),
        scores.baseline_sentences,
        scores.baseline_tokens,
    ) {
        map.insert(
            "baseline_sentence_precision".into(),
            round4(s.precision()).into(),
        );
        map.insert("baseline_sentence_recall".into(), round4(s.recall()).into());
        map.insert("baseline_sentence_f1".into(), round4(s.f1()).into());
        map.insert(
            "baseline_token_precision".into(),
            round4(t.precision()).into(),
        );
        map.insert("baseline_token_recall".into(), round4(t.recall()).into());
        map.insert("baseline_token_f1".into(), round4(t.f1()).into());
    }
    object
}

fn print_header(baseline: bool) {
    outln!(
        "{:<28} {:<4} {:>6} {:>6} {:>6}   {:>6} {:>6} {:>6}   {:>6} {:>6} {:>6}",
        "file",
        "lang",
        "sent P",
        "R",
        "F1",
        "tok P",
        "R",
        "F1",
        "ent P",
        "R",
        "F1"
    );
    if baseline {
        outln!("{:<28} (next line: plain UAX #29 sentences and words)", "");
    }
}

fn print_row(name: &str, scores: &UdScores) {
    let (s, t, e) = (scores.sentences, scores.tokens, scores.entities);
    outln!(
        "{:<28} {:<4} {:>6.4} {:>6.4} {:>6.4}   {:>6.4} {:>6.4} {:>6.4}   {:>6.4} {:>6.4} {:>6.4}",
        name,
        scores.lang.code(),
        s.precision(),
        s.recall(),
        s.f1(),
        t.precision(),
        t.recall(),
        t.f1(),
        e.precision(),
        e.recall(),
        e.f1()
    );
    if let (Some(s), Some(t)) = (scores.baseline_sentences, scores.baseline_tokens) {
        outln!(
            "{:<28} {:<4} {:>6.4} {:>6.4} {:>6.4}   {:>6.4} {:>6.4} {:>6.4}",
            "  uax29",
            "",
            s.precision(),
            s.recall(),
            s.f1(),
            t.precision(),
            t.recall(),
            t.f1()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../../tests/fixtures/eval/tiny.conllu");

    #[test]
    fn rebuilds_documents_and_gold_like_score_py() {
        let docs = gold_docs(FIXTURE).expect("fixture parses");
        assert_eq!(docs.len(), 2);
        // Document 1: two paragraphs; the second joins two sentences with a space.
        assert_eq!(
            docs[0].text,
            "Mr. Smith left.\n\nHe said: \"don't go\". New York won."
        );
        let ends: HashSet<usize> = [15, 37, 51].into_iter().collect();
        assert_eq!(docs[0].sentence_ends, ends);
        // Surface tokens: "don't" is a multiword token, so it is one gold token.
        assert!(docs[0].tokens.contains(&(27, 32)));
        assert!(!docs[0].tokens.contains(&(27, 29)));
        assert_eq!(docs[0].tokens.len(), 4 + 8 + 4);
        // Entities: maximal PROPN runs ("Mr. Smith", "New York").
        let entities: HashSet<(usize, usize)> = [(0, 9), (38, 46)].into_iter().collect();
        assert_eq!(docs[0].entities, entities);
        // Document 2 (after `# newdoc`): its offsets restart at 0; "Ana do Rio" contracts "do".
        assert_eq!(docs[1].text, "Ana do Rio chegou.");
        assert!(docs[1].tokens.contains(&(4, 6)));
        let entities: HashSet<(usize, usize)> = [(0, 3), (7, 10)].into_iter().collect();
        assert_eq!(docs[1].entities, entities);
        assert_eq!(docs.iter().map(|d| d.align_fail).sum::<usize>(), 0);
    }

    #[test]
    fn without_markers_documents_are_chunks_of_twenty_sentences() {
        let mut source = String::new();
        for i in 0..25 {
            source.push_str(&format!("# text = S{i} .\n1\tS{i}\ts\tNOUN\t_\t_\t0\troot\t_\t_\n2\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_\n\n"));
        }
        let docs = gold_docs(&source).expect("parses");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].sentence_ends.len(), 20);
        assert!(docs[0].text.starts_with("S0 . S1 . S2 ."));
        assert_eq!(docs[1].text, "S20 . S21 . S22 . S23 . S24 .");
    }

    #[test]
    fn alignment_tolerates_spaces_and_skips_ahead() {
        let text: Vec<char> = "a 1 000 b".chars().collect();
        assert_eq!(
            align(&text, 1, &"1000".chars().collect::<Vec<_>>()),
            Some((2, 7))
        );
        assert_eq!(
            align(&text, 0, &"b".chars().collect::<Vec<_>>()),
            Some((8, 9))
        );
        assert_eq!(align(&text, 0, &"zz".chars().collect::<Vec<_>>()), None);
    }

    #[test]
    fn scores_count_exact_spans() {
        let doc = GoldDoc {
            text: "Hi there. Bye now.".into(),
            sentence_ends: [9, 18].into_iter().collect(),
            tokens: [(0, 2), (3, 8), (8, 9), (10, 13), (14, 17), (17, 18)]
                .into_iter()
                .collect(),
            entities: HashSet::new(),
            align_fail: 0,
        };
        let scores = score_docs(&[doc], Lang::from_code("eng"), true);
        // UAX #29 finds both sentence ends and all six words.
        let base = scores.baseline_sentences.expect("baseline");
        assert_eq!((base.tp, base.predicted, base.gold), (2, 2, 2));
        let base = scores.baseline_tokens.expect("baseline");
        assert_eq!((base.tp, base.predicted, base.gold), (6, 6, 6));
        assert_eq!(scores.sentences.gold, 2);
        assert_eq!(scores.tokens.gold, 6);
    }

    #[test]
    fn languages_come_from_ud_file_names() {
        let lang = file_lang(Path::new("x/en_ewt-ud-dev.conllu"), None).expect("english");
        assert_eq!(lang.code(), "eng");
        let lang = file_lang(Path::new("no_bokmaal-ud-dev.conllu"), None).expect("bokmål");
        assert_eq!(lang.code(), "nob");
        assert!(file_lang(Path::new("xx_foo.conllu"), None).is_err());
        let lang = file_lang(Path::new("xx_foo.conllu"), Some("por")).expect("given");
        assert_eq!(lang.code(), "por");
    }

    #[test]
    fn byte_offsets_map_to_code_points() {
        let map = char_index_of_bytes("aé b");
        assert_eq!(map[0], 0);
        assert_eq!(map[1], 1);
        assert_eq!(map[3], 2);
        assert_eq!(map[5], 4);
    }
}
