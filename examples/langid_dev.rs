//! Dev harness for `corpusmill::lang`: lone-sentence accuracy, mixed-document per-sentence
//! accuracy, and throughput on the web-text benchmark.
//!
//! `cargo run --release --example langid_dev [-- DEV_TSV [BENCH_DIR]]`
//! (defaults: ../shared/eval/langid/dev.tsv and ../shared/bench/webtext).

use std::collections::BTreeMap;
use std::time::Instant;

use corpusmill::lang::{LangGuess, detect_document, detect_sentences};
use corpusmill::span::Span;

/// Serbian (Latin script there), Croatian and Bosnian count as one answer.
fn norm(code: &str) -> &str {
    match code {
        "srp" | "hrv" | "bos" => "hbs",
        other => other,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dev = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "../shared/eval/langid/dev.tsv".to_string());
    let bench = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| "../shared/bench/webtext".to_string());
    let Ok(raw) = std::fs::read_to_string(&dev) else {
        println!("no dev file at {dev}: skipping");
        return;
    };
    let rows: Vec<(&str, &str)> = raw
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once('\t'))
        .collect();
    lone(&rows);
    mixed(&rows, 3);
    throughput(&bench);
}

fn lone(rows: &[(&str, &str)]) {
    let mut total = 0usize;
    let mut right = 0usize;
    let mut short_total = 0usize;
    let mut short_right = 0usize;
    let mut und = 0usize;
    let mut per_lang: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut confusions: BTreeMap<(String, String), usize> = BTreeMap::new();
    let verbose = std::env::var("LANGID_ERRORS").is_ok();
    let start = Instant::now();
    for &(gold, text) in rows {
        let guess = detect_document(text);
        let ok = norm(guess.lang.code()) == norm(gold);
        total += 1;
        right += ok as usize;
        und += !guess.lang.is_known() as usize;
        let short = text.chars().count() < 40;
        if short {
            short_total += 1;
            short_right += ok as usize;
        }
        let entry = per_lang.entry(gold).or_default();
        entry.0 += 1;
        entry.1 += ok as usize;
        if !ok {
            *confusions
                .entry((gold.to_string(), guess.lang.code().to_string()))
                .or_default() += 1;
            if verbose {
                println!(
                    "ERR {gold} -> {} {:.2} | {text}",
                    guess.lang.code(),
                    guess.confidence
                );
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "lone: accuracy {:.2}% ({right}/{total}), <40 chars {:.2}% ({short_right}/{short_total}), und {und}, {:.0} sentences/s",
        100.0 * right as f64 / total as f64,
        100.0 * short_right as f64 / short_total.max(1) as f64,
        total as f64 / secs
    );
    let line: Vec<String> = per_lang
        .iter()
        .map(|(lang, (n, ok))| format!("{lang} {:.1}", 100.0 * *ok as f64 / *n as f64))
        .collect();
    println!("per language: {}", line.join(", "));
    let mut top: Vec<_> = confusions.into_iter().collect();
    top.sort_by_key(|entry| std::cmp::Reverse(entry.1));
    let line: Vec<String> = top
        .iter()
        .take(15)
        .map(|((gold, got), n)| format!("{gold}->{got} {n}"))
        .collect();
    println!("top confusions: {}", line.join(", "));
}

/// Documents of alternating blocks of `k` same-language lines, one line per sentence span.
/// Each language is paired with the next one (alphabetically) and with the one after that, so
/// close pairs (dan/deu, nob/nld...) and far ones both occur.
fn mixed(rows: &[(&str, &str)], k: usize) {
    let mut by_lang: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for &(gold, text) in rows {
        by_lang.entry(gold).or_default().push(text);
    }
    let langs: Vec<&str> = by_lang.keys().copied().collect();
    let mut cursors: BTreeMap<&str, usize> = BTreeMap::new();
    let mut total = 0usize;
    let mut right = 0usize;
    let mut short_total = 0usize;
    let mut short_right = 0usize;
    let mut docs = 0usize;
    let mut confusions: BTreeMap<(String, String), usize> = BTreeMap::new();
    let blocks_per_lang = 4;
    for step in [1usize, 2, 5] {
        for (i, &a) in langs.iter().enumerate() {
            let b = langs[(i + step) % langs.len()];
            let mut text = String::new();
            let mut gold: Vec<&str> = Vec::new();
            let mut spans: Vec<Span> = Vec::new();
            for block in 0..blocks_per_lang * 2 {
                let lang = if block % 2 == 0 { a } else { b };
                let lines = &by_lang[lang];
                for _ in 0..k {
                    let cursor = cursors.entry(lang).or_default();
                    let line = lines[*cursor % lines.len()];
                    *cursor += 1;
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    let start = text.len();
                    text.push_str(line);
                    spans.push(Span::new(start, text.len()));
                    gold.push(lang);
                }
            }
            docs += 1;
            let document = detect_document(&text);
            let guesses: Vec<LangGuess> = detect_sentences(&text, &spans, document);
            for ((guess, gold), span) in guesses.iter().zip(&gold).zip(&spans) {
                let ok = norm(guess.lang.code()) == norm(gold);
                total += 1;
                right += ok as usize;
                if text[span.range()].chars().count() < 40 {
                    short_total += 1;
                    short_right += ok as usize;
                }
                if !ok {
                    *confusions
                        .entry((gold.to_string(), guess.lang.code().to_string()))
                        .or_default() += 1;
                    if std::env::var("LANGID_ERRORS").is_ok() {
                        println!(
                            "MIXED {gold} -> {} {:.2} (doc {}) | {}",
                            guess.lang.code(),
                            guess.confidence,
                            document.lang.code(),
                            &text[span.range()]
                        );
                    }
                }
            }
        }
    }
    println!(
        "mixed K={k}: {docs} docs, per-sentence accuracy {:.2}% ({right}/{total}), <40 chars {:.2}% ({short_right}/{short_total})",
        100.0 * right as f64 / total as f64,
        100.0 * short_right as f64 / short_total.max(1) as f64,
    );
    let mut top: Vec<_> = confusions.into_iter().collect();
    top.sort_by_key(|entry| std::cmp::Reverse(entry.1));
    let line: Vec<String> = top
        .iter()
        .take(15)
        .map(|((gold, got), n)| format!("{gold}->{got} {n}"))
        .collect();
    println!("mixed top confusions: {}", line.join(", "));
}

/// detect_document + detect_sentences over every page, sentences as the pipeline splits them.
fn throughput(dir: &str) {
    let mut texts: Vec<String> = Vec::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if entry.file_type().is_file()
            && let Ok(text) = std::fs::read_to_string(entry.path())
        {
            texts.push(text);
        }
    }
    if texts.is_empty() {
        println!("no bench texts at {dir}: skipping throughput");
        return;
    }
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    // Sentence splitting is not what is measured: split first, time detection only.
    let splits: Vec<Vec<Span>> = texts.iter().map(|t| line_sentences(t)).collect();
    let start = Instant::now();
    for text in &texts {
        std::hint::black_box(detect_document(text));
    }
    let doc_secs = start.elapsed().as_secs_f64();
    let mut langs: BTreeMap<&'static str, usize> = BTreeMap::new();
    let cpu_start = cpu_ns();
    let start = Instant::now();
    for (text, spans) in texts.iter().zip(&splits) {
        let document = detect_document(text);
        let guesses = detect_sentences(text, spans, document);
        *langs.entry(document.lang.code()).or_default() += 1;
        std::hint::black_box(guesses);
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu_secs = cpu_ns().saturating_sub(cpu_start) as f64 / 1e9;
    let sentences: usize = splits.iter().map(|s| s.len()).sum();
    println!(
        "throughput: {} pages, {:.1} MB, {sentences} sentences, {:.3}s, {:.1} MB/s (detect_document + detect_sentences)",
        texts.len(),
        bytes as f64 / 1e6,
        secs,
        bytes as f64 / 1e6 / secs
    );
    if cpu_secs > 0.0 {
        println!(
            "  on-CPU time {cpu_secs:.3}s: {:.1} MB/s per core (wall time suffers when the machine is busy)",
            bytes as f64 / 1e6 / cpu_secs
        );
    }
    println!(
        "  of which detect_document alone: {doc_secs:.3}s ({:.1} MB/s)",
        bytes as f64 / 1e6 / doc_secs
    );
    println!("document languages: {langs:?}");
}

/// Nanoseconds this thread has run on a CPU (Linux schedstat), 0 where unavailable.
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// One span per non-empty line, cut further at ". " so spans look like sentences.
fn line_sentences(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let mut start = offset;
        for (i, _) in line.match_indices(". ") {
            push_trimmed(text, start, offset + i + 1, &mut spans);
            start = offset + i + 2;
        }
        push_trimmed(text, start, offset + line.len(), &mut spans);
        offset += line.len();
    }
    spans
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<Span>) {
    let piece = &text[start..end];
    let trimmed = piece.trim();
    if trimmed.is_empty() {
        return;
    }
    let begin = start + (piece.len() - piece.trim_start().len());
    out.push(Span::new(begin, begin + trimmed.len()));
}
