//! Dev harness: reads the documents `score.py --dump-docs` writes and prints predictions
//! (char offsets) for `score.py --pred`.
//!
//! `cargo run --release --example ud_dev -- docs.jsonl lang [uax29] > pred.jsonl`
//! `lang` is an ISO 639-3 code ("eng") or a UD file prefix ("en"); `uax29` prints the plain
//! UAX #29 baseline instead of corpusmill's segmenter.

use corpusmill::lang::Lang;
use corpusmill::span::Span;
use corpusmill::{sentence, token};
use std::io::{BufRead, BufWriter, Write};

fn iso3(code: &str) -> &str {
    match code {
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
        "no" => "nob",
        "ro" => "ron",
        "ru" => "rus",
        "sr" => "srp",
        "sv" => "swe",
        "ta" => "tam",
        "tr" => "tur",
        "hy" => "hye",
        other => other,
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .ok_or_else(|| anyhow::anyhow!("usage: ud_dev DOCS.jsonl LANG [uax29]"))?;
    let lang = Lang::from_code(iso3(args.get(2).map(String::as_str).unwrap_or("und")));
    let baseline = args.get(3).is_some_and(|a| a == "uax29");
    let reader = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut tokens = Vec::new();
    let mut texts = Vec::new();
    for line in reader.lines() {
        let value: serde_json::Value = serde_json::from_str(&line?)?;
        texts.push(value["text"].as_str().unwrap_or_default().to_owned());
    }
    let start = std::time::Instant::now();
    let mut results = Vec::with_capacity(texts.len());
    let mut bytes = 0usize;
    for text in &texts {
        bytes += text.len();
        tokens.clear();
        let sents: Vec<Span> = if baseline {
            use unicode_segmentation::UnicodeSegmentation;
            let s = text
                .split_sentence_bound_indices()
                .map(|(i, s)| Span::new(i, i + s.len()))
                .collect();
            for (i, w) in text.split_word_bound_indices() {
                tokens.push(token::Token {
                    span: Span::new(i, i + w.len()),
                    kind: token::TokenKind::Word,
                });
            }
            s
        } else {
            let s = sentence::split(text, lang);
            for &span in &s {
                token::tokenize_lang(text, span, lang, &mut tokens);
            }
            s
        };
        results.push((sents, tokens.clone()));
    }
    eprintln!(
        "{:.1} MB/s",
        bytes as f64 / start.elapsed().as_secs_f64() / 1e6
    );
    for (text, (sents, tokens)) in texts.iter().zip(&results) {
        // Byte offsets -> code points, as score.py expects by default.
        let mut map = vec![0usize; text.len() + 1];
        let mut chars = 0;
        for (i, c) in text.char_indices() {
            for b in 0..c.len_utf8() {
                map[i + b] = chars;
            }
            chars += 1;
        }
        map[text.len()] = chars;
        let conv = |s: &Span| [map[s.start as usize], map[s.end as usize]];
        let record = serde_json::json!({
            "sents": sents.iter().map(conv).collect::<Vec<_>>(),
            "tokens": tokens.iter().map(|t| conv(&t.span)).collect::<Vec<_>>(),
        });
        writeln!(out, "{record}")?;
    }
    Ok(())
}
