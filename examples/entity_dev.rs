//! Dev harness for entity candidates: scores `entity::find` against gold maximal PROPN runs of a
//! UD CoNLL-U file, with the documents rebuilt exactly as `shared/eval/ud/score.py` does.
//!
//! `cargo run --release --example entity_dev -- FILE.conllu [options]`
//! Options: `--lang xxx` (ISO 639-3, default from the file name), `--gold-sents` (use gold
//! sentences and let only tokenization and entity finding vary), `--connectors` (join names over "of", "de"), `--naive`
//! (plain capitalised runs, the baseline), `--repeat N` (time `find` N times over),
//! `--errors N` (print N false positives and negatives),
//! `--pred FILE` (write `{"sents", "tokens", "entities"}` per document in code points, the
//! layout of `score.py --pred` plus entities).
//!
//! Prints one line: file, P, R, F1, gold and predicted counts, and `find`'s throughput.

use corpusmill::entity::{self, DocumentContext, EntitySpan, Options};
use corpusmill::lang::Lang;
use corpusmill::sentence;
use corpusmill::span::Span;
use corpusmill::token::{self, Token, TokenKind};
use std::collections::HashSet;
use std::io::Write;

struct Sent {
    text: String,
    newdoc: bool,
    newpar: bool,
    /// Surface form and whether it is a proper noun.
    units: Vec<(String, bool)>,
}

fn read_conllu(path: &str) -> anyhow::Result<Vec<Sent>> {
    let source = std::fs::read_to_string(path)?;
    let fresh = || Sent {
        text: String::new(),
        newdoc: false,
        newpar: false,
        units: Vec::new(),
    };
    let mut sents = Vec::new();
    let mut cur = fresh();
    let mut has_text = false;
    // A multiword range: last word id, surface form, any PROPN inside.
    let mut range: Option<(usize, String, bool)> = None;
    for line in source.lines().chain(std::iter::once("")) {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            if has_text || !cur.units.is_empty() {
                sents.push(std::mem::replace(&mut cur, fresh()));
                has_text = false;
            }
            range = None;
            continue;
        }
        if let Some(rest) = line.strip_prefix('#') {
            let rest = rest.trim_start();
            if rest.starts_with("newdoc") {
                cur.newdoc = true;
            } else if let Some(after) = rest.strip_prefix("newpar") {
                if after.is_empty() || after.starts_with([' ', '\t', '=']) {
                    cur.newpar = true;
                }
            } else if let Some(after) = line
                .strip_prefix("# text =")
                .or(line.strip_prefix("# text="))
            {
                cur.text = after.trim().to_string();
                has_text = true;
            }
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 4 {
            continue;
        }
        let (id, form, upos) = (cols[0], cols[1], cols[3]);
        if let Some((a, b)) = id.split_once('-') {
            let _ = a;
            range = Some((b.parse().unwrap_or(0), form.to_string(), false));
            continue;
        }
        if id.contains('.') {
            continue;
        }
        let i: usize = id.parse().unwrap_or(0);
        if let Some((last, surface, propn)) = range.as_mut() {
            *propn |= upos == "PROPN";
            if i >= *last {
                let (_, surface, propn) = (*last, std::mem::take(surface), *propn);
                cur.units.push((surface, propn));
                range = None;
            }
            continue;
        }
        cur.units.push((form.to_string(), upos == "PROPN"));
    }
    Ok(sents)
}

/// `score.py`'s `_align` over chars: where `form` starts at or after `pos`.
fn align(text: &[char], pos: usize, form: &[char]) -> Option<(usize, usize)> {
    let n = text.len();
    let mut pos = pos;
    while pos < n && text[pos].is_whitespace() {
        pos += 1;
    }
    if text[pos..].starts_with(form) {
        return Some((pos, pos + form.len()));
    }
    let f: Vec<char> = form
        .iter()
        .copied()
        .filter(|c| !c.is_whitespace())
        .collect();
    let (mut j, mut k) = (pos, 0);
    while k < f.len() && j < n {
        if text[j].is_whitespace() {
            j += 1;
            continue;
        }
        if text[j] != f[k] {
            break;
        }
        j += 1;
        k += 1;
    }
    if k == f.len() && !f.is_empty() {
        return Some((pos, j));
    }
    let limit = (pos + 200).min(n);
    (pos..limit)
        .find(|&i| text[i..].starts_with(form))
        .map(|i| (i, i + form.len()))
}

struct Doc {
    text: String,
    /// Gold sentences, code points.
    sents: Vec<(usize, usize)>,
    /// Gold entity spans, code points.
    gold: HashSet<(usize, usize)>,
}

fn build_docs(sents: &[Sent]) -> Vec<Doc> {
    let has_doc = sents.iter().any(|s| s.newdoc);
    let has_par = sents.iter().any(|s| s.newpar);
    let mut groups: Vec<Vec<Vec<&Sent>>> = Vec::new();
    if has_doc || has_par {
        for s in sents {
            if groups.is_empty() || s.newdoc {
                groups.push(vec![vec![s]]);
            } else if has_par && s.newpar {
                groups.last_mut().into_iter().for_each(|g| g.push(vec![s]));
            } else if let Some(par) = groups.last_mut().and_then(|g| g.last_mut()) {
                par.push(s);
            }
        }
    } else {
        for chunk in sents.chunks(20) {
            groups.push(vec![chunk.iter().collect()]);
        }
    }
    let mut docs = Vec::new();
    for group in groups {
        let mut text: Vec<char> = Vec::new();
        let mut doc_sents = Vec::new();
        let mut gold = HashSet::new();
        for (pi, par) in group.iter().enumerate() {
            if pi > 0 {
                text.extend(['\n', '\n']);
            }
            for (si, s) in par.iter().enumerate() {
                if si > 0 {
                    text.push(' ');
                }
                let base = text.len();
                let t: Vec<char> = s.text.chars().collect();
                let mut p = 0;
                let mut run: Option<(usize, usize)> = None;
                for (surface, propn) in &s.units {
                    let form: Vec<char> = surface.chars().collect();
                    let Some((a, b)) = align(&t, p, &form) else {
                        continue;
                    };
                    p = b;
                    if *propn {
                        run = Some(match run {
                            Some((start, _)) => (start, base + b),
                            None => (base + a, base + b),
                        });
                    } else if let Some(r) = run.take() {
                        gold.insert(r);
                    }
                }
                if let Some(r) = run.take() {
                    gold.insert(r);
                }
                text.extend(&t);
                doc_sents.push((base, text.len()));
            }
        }
        docs.push(Doc {
            text: text.into_iter().collect(),
            sents: doc_sents,
            gold,
        });
    }
    docs
}

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

/// Plain capitalised runs: the baseline the targets are measured against.
fn naive(text: &str, tokens: &[Token], range: std::ops::Range<u32>, out: &mut Vec<EntitySpan>) {
    let mut run: Option<(usize, usize)> = None;
    for i in range.start as usize..range.end as usize {
        let t = &tokens[i];
        let cap = t.kind == TokenKind::Word
            && text[t.span].chars().next().is_some_and(char::is_uppercase);
        if cap {
            run = Some(run.map_or((i, i), |(a, _)| (a, i)));
        } else if let Some((a, b)) = run.take() {
            out.push(EntitySpan {
                span: Span {
                    start: tokens[a].span.start,
                    end: tokens[b].span.end,
                },
                tokens: a as u32..b as u32 + 1,
            });
        }
    }
    if let Some((a, b)) = run {
        out.push(EntitySpan {
            span: Span {
                start: tokens[a].span.start,
                end: tokens[b].span.end,
            },
            tokens: a as u32..b as u32 + 1,
        });
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or_else(|| anyhow::anyhow!("usage: entity_dev FILE.conllu [options]"))?;
    let flag = |name: &str| args.iter().any(|a| a == name);
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let file_name = std::path::Path::new(path)
        .file_name()
        .and_then(|f| f.to_str())
        .unwrap_or("");
    let prefix = file_name.split('_').next().unwrap_or("");
    let lang = Lang::from_code(value("--lang").map_or(iso3(prefix), |s| s.as_str()));
    let gold_sents = flag("--gold-sents");
    let use_naive = flag("--naive");
    let options = Options {
        join_connectors: flag("--connectors"),
    };
    let repeat: usize = value("--repeat").and_then(|v| v.parse().ok()).unwrap_or(1);
    let show_errors: usize = value("--errors").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut pred_out = match value("--pred") {
        Some(p) => Some(std::io::BufWriter::new(std::fs::File::create(p)?)),
        None => None,
    };

    let docs = build_docs(&read_conllu(path)?);
    // Load the word lists before timing.
    {
        let warm = "Warm Up";
        let mut tokens = Vec::new();
        token::tokenize(warm, Span::new(0, warm.len()), &mut tokens);
        let context = DocumentContext::new(warm, &tokens, lang);
        entity::find(&context, 0..tokens.len() as u32, lang, &mut Vec::new());
    }
    let (mut tp, mut npred, mut ngold) = (0usize, 0usize, 0usize);
    let mut fps = Vec::new();
    let mut fns = Vec::new();
    let mut find_time = std::time::Duration::ZERO;
    let mut find_bytes = 0usize;
    let mut tokens = Vec::new();
    let mut found = Vec::new();
    for doc in &docs {
        let text = doc.text.as_str();
        // Code point <-> byte maps.
        let mut to_char = vec![0usize; text.len() + 1];
        let mut to_byte = Vec::with_capacity(text.len() + 1);
        for (ci, (bi, c)) in text.char_indices().enumerate() {
            for k in 0..c.len_utf8() {
                to_char[bi + k] = ci;
            }
            to_byte.push(bi);
        }
        to_char[text.len()] = to_byte.len();
        to_byte.push(text.len());
        let sents: Vec<Span> = if gold_sents {
            doc.sents
                .iter()
                .map(|&(a, b)| Span::new(to_byte[a], to_byte[b]))
                .collect()
        } else {
            sentence::split(text, lang)
        };
        tokens.clear();
        let mut ranges = Vec::with_capacity(sents.len());
        for &s in &sents {
            let first = tokens.len() as u32;
            token::tokenize(text, s, &mut tokens);
            ranges.push(first..tokens.len() as u32);
        }
        found.clear();
        let start = std::time::Instant::now();
        for _ in 1..repeat {
            let context = DocumentContext::new(text, &tokens, lang);
            let mut scratch = Vec::new();
            for r in &ranges {
                entity::find_with(&context, r.clone(), lang, &options, &mut scratch);
            }
        }
        if use_naive {
            for r in &ranges {
                naive(text, &tokens, r.clone(), &mut found);
            }
        } else {
            let context = DocumentContext::new(text, &tokens, lang);
            for r in &ranges {
                entity::find_with(&context, r.clone(), lang, &options, &mut found);
            }
        }
        find_time += start.elapsed();
        find_bytes += text.len() * repeat.max(1);
        let predicted: HashSet<(usize, usize)> = found
            .iter()
            .map(|e| (to_char[e.span.start as usize], to_char[e.span.end as usize]))
            .collect();
        tp += predicted.intersection(&doc.gold).count();
        npred += predicted.len();
        ngold += doc.gold.len();
        let chars: Vec<char> = text.chars().collect();
        let show = |&(a, b): &(usize, usize)| {
            let ctx: String = chars[a.saturating_sub(30)..(b + 30).min(chars.len())]
                .iter()
                .collect();
            let ent: String = chars[a..b].iter().collect();
            format!("{ent:<30} | {}", ctx.replace('\n', " "))
        };
        let mut missing: Vec<_> = predicted.difference(&doc.gold).collect();
        missing.sort();
        fps.extend(missing.into_iter().map(show));
        let mut missing: Vec<_> = doc.gold.difference(&predicted).collect();
        missing.sort();
        fns.extend(missing.into_iter().map(show));
        if let Some(out) = pred_out.as_mut() {
            let conv = |s: &Span| [to_char[s.start as usize], to_char[s.end as usize]];
            let record = serde_json::json!({
                "sents": sents.iter().map(conv).collect::<Vec<_>>(),
                "tokens": tokens.iter().map(|t| conv(&t.span)).collect::<Vec<_>>(),
                "entities": found.iter().map(|e| conv(&e.span)).collect::<Vec<_>>(),
            });
            writeln!(out, "{record}")?;
        }
    }
    let p = if npred > 0 {
        tp as f64 / npred as f64
    } else {
        0.0
    };
    let r = if ngold > 0 {
        tp as f64 / ngold as f64
    } else {
        0.0
    };
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    for (name, list) in [("FP", &fps), ("FN", &fns)] {
        for line in list.iter().take(show_errors) {
            println!("{name} {line}");
        }
    }
    println!(
        "{file_name}\tP {p:.4}\tR {r:.4}\tF1 {f:.4}\tgold {ngold}\tpred {npred}\tfind {:.1} MB/s",
        find_bytes as f64 / find_time.as_secs_f64().max(1e-9) / 1e6
    );
    Ok(())
}
