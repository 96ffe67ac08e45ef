//! Single-core throughput of sentence splitting and tokenization on real text.
//!
//! `cargo run --release --example seg_speed -- [DIR] [LANG]` reads every file under DIR
//! (default `../shared/bench/webtext`), as UTF-8 with lossy decoding, and prints MB/s for
//! `sentence::split` alone, `token::tokenize` alone (over the split sentences) and both.

use corpusmill::lang::Lang;
use corpusmill::{sentence, token};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args
        .get(1)
        .map_or("../shared/bench/webtext", String::as_str);
    let lang = Lang::from_code(args.get(2).map_or("eng", String::as_str));
    let mut texts = Vec::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if entry.file_type().is_file()
            && let Ok(bytes) = std::fs::read(entry.path())
        {
            texts.push(String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    let total: usize = texts.iter().map(String::len).sum();
    println!("{} files, {:.1} MB", texts.len(), total as f64 / 1e6);
    let rounds = 3;
    let mut sents = Vec::new();
    let start = Instant::now();
    let mut count = 0usize;
    for _ in 0..rounds {
        sents.clear();
        for text in &texts {
            let s = sentence::split(text, lang);
            count += s.len();
            sents.push(s);
        }
    }
    let split_s = start.elapsed().as_secs_f64();
    let mut tokens = Vec::new();
    let start = Instant::now();
    let mut ntok = 0usize;
    for _ in 0..rounds {
        for (text, s) in texts.iter().zip(&sents) {
            for &span in s {
                tokens.clear();
                token::tokenize(text, span, &mut tokens);
                ntok += tokens.len();
            }
        }
    }
    let tok_s = start.elapsed().as_secs_f64();
    let mb = (total * rounds) as f64 / 1e6;
    println!(
        "split    {:7.1} MB/s ({} sentences)",
        mb / split_s,
        count / rounds
    );
    println!(
        "tokenize {:7.1} MB/s ({} tokens)",
        mb / tok_s,
        ntok / rounds
    );
    println!("both     {:7.1} MB/s", mb / (split_s + tok_s));
}
