//! Throughput of each stage and of the whole pipeline on real web pages.
//!
//! Reads the benchmark corpus at `../shared/bench/webtext` (or `$CORPUSMILL_BENCH_CORPUS`): a
//! fixed subset (every 10th page in sorted order) for the stage groups, and the whole corpus for
//! `end_to_end`. Every group reports `Throughput::Bytes` of the *raw input* bytes, so the MB/s of
//! the stages add up like the stage times of `corpusmill run`. Each iteration asserts a count of
//! its output, so the work cannot be optimized away.
//!
//! `cargo bench` (all groups), `cargo bench -- stage/` (stages only), `cargo bench -- page_5kb`.

use corpusmill::boilerplate::Rules;
use corpusmill::decode::decode;
use corpusmill::entity::{self, DocumentContext};
use corpusmill::lang::{self, LangGuess};
use corpusmill::linestats::{LineStats, RepeatedLines};
use corpusmill::normalize::{NormalForm, normalize};
use corpusmill::output::{DocRecord, TableWriters, WriteOptions};
use corpusmill::pipeline::{Config, Pipeline};
use corpusmill::sentence;
use corpusmill::span::Span;
use corpusmill::stem::Stemmers;
use corpusmill::token::{self, Token, TokenKind};
use criterion::{Criterion, Throughput};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One page of the corpus and what the stages before each benchmarked stage made of it.
struct Page {
    source: String,
    site: String,
    bytes: Vec<u8>,
    decoded: String,
    kept: String,
    text: String,
    doc_lang: LangGuess,
    sentences: Vec<Span>,
    sentence_langs: Vec<LangGuess>,
    tokens: Vec<Token>,
    sentence_tokens: Vec<std::ops::Range<u32>>,
}

fn corpus_dir() -> PathBuf {
    match std::env::var_os("CORPUSMILL_BENCH_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/webtext"),
    }
}

/// `(source, site, bytes)` of every `.txt` page under `dir`, in sorted order.
fn read_corpus(dir: &Path) -> Vec<(String, String, Vec<u8>)> {
    let mut paths: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "txt"))
        .map(|e| e.into_path())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let bytes = std::fs::read(&path).ok()?;
            let source = path.strip_prefix(dir).ok()?.to_string_lossy().into_owned();
            let site = source.split('/').next().unwrap_or("").to_owned();
            Some((source, site, bytes))
        })
        .collect()
}

fn repeated_lines(pages: &[(String, String, Vec<u8>)]) -> RepeatedLines {
    let mut stats = LineStats::new();
    for (_, site, bytes) in pages {
        if let Ok(decoded) = decode(bytes) {
            stats.add_document(site, &decoded.text);
        }
    }
    stats.finish()
}

fn prepare(
    raw: &[(String, String, Vec<u8>)],
    rules: &Rules,
    repeated: &RepeatedLines,
) -> Vec<Page> {
    raw.iter()
        .filter_map(|(source, site, bytes)| {
            let decoded = decode(bytes).ok()?.text.into_owned();
            let removals = rules.removals_in(&decoded, site, Some(repeated));
            let mut kept = String::with_capacity(decoded.len());
            let mut next = removals.iter().peekable();
            for (index, line) in decoded.split('\n').enumerate() {
                if index > 0 {
                    kept.push('\n');
                }
                match next.peek() {
                    Some(removal) if removal.line_index as usize == index => {
                        next.next();
                    }
                    _ => kept.push_str(line),
                }
            }
            let text = normalize(&kept, NormalForm::Nfc);
            let doc_lang = lang::detect_document(&text);
            let sentences = sentence::split(&text, doc_lang.lang);
            let sentence_langs = lang::detect_sentences(&text, &sentences, doc_lang);
            let mut tokens = Vec::new();
            let mut sentence_tokens = Vec::new();
            for &span in &sentences {
                let first = tokens.len() as u32;
                token::tokenize(&text, span, &mut tokens);
                sentence_tokens.push(first..tokens.len() as u32);
            }
            Some(Page {
                source: source.clone(),
                site: site.clone(),
                bytes: bytes.clone(),
                decoded,
                kept,
                text,
                doc_lang,
                sentences,
                sentence_langs,
                tokens,
                sentence_tokens,
            })
        })
        .collect()
}

fn record(pipeline: &Pipeline, page: &Page) -> DocRecord {
    DocRecord {
        doc_id: corpusmill::corpus::doc_id(&page.source),
        source: page.source.clone(),
        url: None,
        encoding: Some("utf-8"),
        n_bytes: page.bytes.len() as u64,
        skip_reason: None,
        failed: false,
        document: Some(pipeline.process_in(&page.decoded, &page.site)),
    }
}

fn write_tables(records: &[DocRecord]) -> u64 {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut writers = TableWriters::create(
        dir.path(),
        |t| format!("{}.parquet", t.name()),
        &WriteOptions::default(),
    )
    .expect("writers");
    writers.write(records).expect("write");
    writers.finish().expect("finish").iter().sum()
}

fn stages(c: &mut Criterion, pages: &[Page], repeated: &RepeatedLines, rules: &Rules) {
    let input_bytes: u64 = pages.iter().map(|p| p.bytes.len() as u64).sum();
    let mut group = c.benchmark_group("stage");
    group.throughput(Throughput::Bytes(input_bytes));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));

    group.bench_function("decode", |b| {
        b.iter(|| {
            let n: usize = pages
                .iter()
                .map(|p| decode(black_box(&p.bytes)).map_or(0, |d| d.text.len()))
                .sum();
            assert!(black_box(n) > 0);
        })
    });
    group.bench_function("boilerplate", |b| {
        b.iter(|| {
            let n: usize = pages
                .iter()
                .map(|p| {
                    rules
                        .removals_in(black_box(&p.decoded), &p.site, Some(repeated))
                        .len()
                })
                .sum();
            assert!(black_box(n) > 0);
        })
    });
    group.bench_function("normalize", |b| {
        b.iter(|| {
            let n: usize = pages
                .iter()
                .map(|p| normalize(black_box(&p.kept), NormalForm::Nfc).len())
                .sum();
            assert!(black_box(n) > 0);
        })
    });
    group.bench_function("language", |b| {
        b.iter(|| {
            let mut n = 0;
            for p in pages {
                let doc = lang::detect_document(black_box(&p.text));
                n += lang::detect_sentences(&p.text, &p.sentences, doc)
                    .iter()
                    .filter(|g| g.lang.is_known())
                    .count();
            }
            assert!(black_box(n) > 0);
        })
    });
    group.bench_function("sentences", |b| {
        b.iter(|| {
            let n: usize = pages
                .iter()
                .map(|p| sentence::split(black_box(&p.text), p.doc_lang.lang).len())
                .sum();
            assert!(black_box(n) > 0);
        })
    });
    group.bench_function("tokens", |b| {
        let mut tokens = Vec::new();
        b.iter(|| {
            let mut n = 0;
            for p in pages {
                for &span in &p.sentences {
                    tokens.clear();
                    token::tokenize(black_box(&p.text), span, &mut tokens);
                    n += tokens.len();
                }
            }
            assert!(black_box(n) > 0);
        })
    });
    // A worker's steady state: one set of stemmers (and caches) kept across documents.
    group.bench_function("stems", |b| {
        let mut stemmers = Stemmers::default();
        let mut lower = String::new();
        b.iter(|| {
            let mut n = 0;
            for p in pages {
                for (range, guess) in p.sentence_tokens.iter().zip(&p.sentence_langs) {
                    for token in &p.tokens[range.start as usize..range.end as usize] {
                        if token.kind != TokenKind::Word {
                            continue;
                        }
                        lower.clear();
                        lower.extend(
                            p.text[token.span.range()]
                                .chars()
                                .flat_map(char::to_lowercase),
                        );
                        n += stemmers
                            .stem_cached(guess.lang, black_box(&lower))
                            .map_or(0, str::len);
                    }
                }
            }
            assert!(black_box(n) > 0);
        })
    });
    group.bench_function("entities", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            let mut n = 0;
            for p in pages {
                let context = DocumentContext::new(black_box(&p.text), &p.tokens, p.doc_lang.lang);
                for (range, guess) in p.sentence_tokens.iter().zip(&p.sentence_langs) {
                    out.clear();
                    entity::find(&context, range.clone(), guess.lang, &mut out);
                    n += out.len();
                }
            }
            assert!(black_box(n) > 0);
        })
    });
    let pipeline = Pipeline::new(Config::default()).with_repeated_lines(repeated.clone());
    let records: Vec<DocRecord> = pages.iter().map(|p| record(&pipeline, p)).collect();
    group.bench_function("parquet", |b| {
        b.iter(|| assert!(black_box(write_tables(black_box(&records))) > 0))
    });
    group.finish();
}

fn end_to_end(c: &mut Criterion, pages: &[Page], repeated: RepeatedLines) {
    let pipeline = Pipeline::new(Config::default()).with_repeated_lines(repeated);
    let input_bytes: u64 = pages.iter().map(|p| p.bytes.len() as u64).sum();
    let mut group = c.benchmark_group("end_to_end");
    group.throughput(Throughput::Bytes(input_bytes));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    // One core: decode, every pipeline stage, and the five tables written.
    group.bench_function("webtext_one_thread", |b| {
        b.iter(|| {
            let records: Vec<DocRecord> = pages
                .iter()
                .map(|p| {
                    let mut record = record(&pipeline, p);
                    let decoded = decode(&p.bytes).map_or(0, |d| d.text.len());
                    record.n_bytes = black_box(decoded) as u64;
                    record
                })
                .collect();
            assert!(black_box(write_tables(&records)) > 0);
        })
    });
    group.finish();

    // The latency target: one ~5 KB page through the pipeline, in memory.
    let page = pages
        .iter()
        .filter(|p| (4_500..5_500).contains(&p.bytes.len()))
        .nth(3)
        .or_else(|| pages.first())
        .expect("a page");
    let mut group = c.benchmark_group("page_5kb");
    group.throughput(Throughput::Bytes(page.bytes.len() as u64));
    group.bench_function("process", |b| {
        b.iter(|| {
            let document = pipeline.process_in(black_box(&page.decoded), &page.site);
            assert!(black_box(document.tokens.len()) > 0);
        })
    });
    group.finish();
}

fn main() {
    let dir = corpus_dir();
    if !dir.is_dir() {
        eprintln!(
            "skipping the benchmarks: no benchmark corpus at {}.\n\
             Put the corpus there (a directory of .txt web pages, e.g. a checkout of the shared \
             data next to this repository as ../shared/bench/webtext), or point \
             CORPUSMILL_BENCH_CORPUS at any directory of .txt pages.",
            dir.display()
        );
        return;
    }
    let all = read_corpus(&dir);
    if all.is_empty() {
        eprintln!(
            "skipping the benchmarks: no .txt pages under {}",
            dir.display()
        );
        return;
    }
    let subset: Vec<_> = all.iter().step_by(10).cloned().collect();
    let repeated = repeated_lines(&all);
    let rules = Rules::builtin();
    let subset_pages = prepare(&subset, &rules, &repeated);
    let mut c = Criterion::default().configure_from_args();
    stages(&mut c, &subset_pages, &repeated, &rules);
    drop(subset_pages);
    let pages = prepare(&all, &rules, &repeated);
    end_to_end(&mut c, &pages, repeated);
    c.final_summary();
}
