//! Where one ~5 KB page's time goes in `Pipeline::process_in` (the page of the `page_5kb`
//! benchmark: the fourth page of 4.5–5.5 KB of the corpus, in sorted order).
//!
//! `cargo run --release --example page_profile -- [DIR] [ROUNDS]` prints the page, then the
//! microseconds per round of each stage (the pipeline's own stage clock), then the median and
//! spread over every page of 4.5–5.5 KB. Under callgrind the
//! loop alone can be counted: `valgrind --tool=callgrind --collect-atstart=no
//! --toggle-collect=page_profile::rounds target/release/examples/page_profile DIR 200`.

use corpusmill::decode::decode;
use corpusmill::linestats::LineStats;
use corpusmill::pipeline::{Config, Pipeline};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

/// The measured loop (the warm-up goes through [`warm_up`], so callgrind can leave it out).
#[inline(never)]
fn rounds(pipeline: &Pipeline, text: &str, site: &str, n: usize) -> usize {
    let mut tokens = 0;
    for _ in 0..n {
        tokens += black_box(pipeline.process_in(black_box(text), site))
            .tokens
            .len();
    }
    tokens
}

#[inline(never)]
fn warm_up(pipeline: &Pipeline, text: &str, site: &str) -> usize {
    (0..50)
        .map(|_| {
            black_box(pipeline.process_in(black_box(text), site))
                .tokens
                .len()
        })
        .sum()
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let dir = PathBuf::from(
        args.get(1)
            .map_or("../shared/bench/webtext", String::as_str),
    );
    let n: usize = args.get(2).map_or(Ok(5000), |s| s.parse())?;
    let mut paths: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "txt"))
        .map(|e| e.into_path())
        .collect();
    paths.sort();
    let mut stats = LineStats::new();
    let mut pages = Vec::new();
    for path in &paths {
        let bytes = std::fs::read(path)?;
        let source = path.strip_prefix(&dir)?.to_string_lossy().into_owned();
        let site = source.split('/').next().unwrap_or("").to_owned();
        let Ok(decoded) = decode(&bytes) else {
            continue;
        };
        stats.add_document(&site, &decoded.text);
        pages.push((source, site, bytes.len(), decoded.text.into_owned()));
    }
    let five_kb: Vec<_> = pages
        .into_iter()
        .filter(|p| (4_500..5_500).contains(&p.2))
        .collect();
    let pipeline = Pipeline::new(Config::default()).with_repeated_lines(stats.finish());
    let (source, site, size, text) = five_kb
        .get(3)
        .ok_or_else(|| anyhow::anyhow!("no 5 KB page under {}", dir.display()))?;
    println!("{source}: {size} bytes");
    warm_up(&pipeline, text, site);
    let warm = pipeline.stage_times().seconds();
    let start = Instant::now();
    let tokens = rounds(&pipeline, text, site, n);
    let total = start.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!("{:.1} µs per page, {} tokens", total, tokens / n);
    for ((stage, after), (_, before)) in pipeline.stage_times().seconds().into_iter().zip(warm) {
        println!("{stage:12} {:7.1} µs", (after - before) * 1e6 / n as f64);
    }
    // The same for every 4.5–5.5 KB page of the corpus: one page says little about the rest.
    let per_page = (n / 10).max(1);
    let mut micros: Vec<f64> = five_kb
        .iter()
        .map(|(_, site, _, text)| {
            warm_up(&pipeline, text, site);
            let start = Instant::now();
            rounds(&pipeline, text, site, per_page);
            start.elapsed().as_secs_f64() * 1e6 / per_page as f64
        })
        .collect();
    micros.sort_by(f64::total_cmp);
    let at = |q: f64| micros[((micros.len() - 1) as f64 * q).round() as usize];
    println!(
        "all {} pages of 4.5–5.5 KB: median {:.1} µs, p10 {:.1}, p90 {:.1}, max {:.1}",
        micros.len(),
        at(0.5),
        at(0.1),
        at(0.9),
        at(1.0)
    );
    Ok(())
}
