//! Development aid: lists entity-candidate errors against UD PROPN runs, with context.
//!
//! `cargo run --release --example entity_errors -- FILE.conllu [fp|fn] [LIMIT]`
//! Prints one line per false positive (`+`) or false negative (`-`) with the words around it;
//! the counts of the most frequent erroneous surface forms come last.

use corpusmill::eval::ud::{analyze, file_lang, gold_docs};
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = PathBuf::from(args.first().map(String::as_str).unwrap_or_default());
    let which = args.get(1).map(String::as_str).unwrap_or("both");
    let limit: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(200);
    let lang = file_lang(&path, None)?;
    let source = std::fs::read_to_string(&path)?;
    let mut counts: BTreeMap<(char, String), usize> = BTreeMap::new();
    let mut printed = 0;
    for doc in gold_docs(&source)? {
        let text = &doc.text;
        let mut to_char = vec![0usize; text.len() + 1];
        let mut n = 0;
        for (i, c) in text.char_indices() {
            for slot in &mut to_char[i..i + c.len_utf8()] {
                *slot = n;
            }
            n += 1;
        }
        to_char[text.len()] = n;
        let chars: Vec<char> = text.chars().collect();
        let analysis = analyze(text, lang);
        let ours: HashSet<(usize, usize)> = analysis
            .entities
            .iter()
            .map(|e| (to_char[e.span.start as usize], to_char[e.span.end as usize]))
            .collect();
        let mut errors: Vec<(usize, usize, char)> = Vec::new();
        if which != "fn" {
            errors.extend(ours.difference(&doc.entities).map(|&(a, b)| (a, b, '+')));
        }
        if which != "fp" {
            errors.extend(doc.entities.difference(&ours).map(|&(a, b)| (a, b, '-')));
        }
        errors.sort();
        for (a, b, sign) in errors {
            let surface: String = chars[a..b].iter().collect();
            *counts.entry((sign, surface.clone())).or_default() += 1;
            if printed < limit {
                printed += 1;
                let left: String = chars[a.saturating_sub(40)..a].iter().collect();
                let right: String = chars[b..(b + 40).min(chars.len())].iter().collect();
                println!(
                    "{sign} {:<25} | {}[[{}]]{}",
                    surface,
                    left.replace('\n', "⏎"),
                    surface,
                    right.replace('\n', "⏎")
                );
            }
        }
    }
    let mut top: Vec<_> = counts.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    println!("--- most frequent");
    for ((sign, surface), count) in top.into_iter().take(80) {
        println!("{count:5} {sign} {surface}");
    }
    Ok(())
}
