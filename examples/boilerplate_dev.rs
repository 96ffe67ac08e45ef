//! Development harness for boilerplate removal on line-labelled pages
//! (`{"id","url","lines":[[text,is_content],...]}` per line).
//!
//! cargo run --release --example boilerplate_dev -- run PAGES.jsonl DECISIONS.jsonl [--keep-rule NAME]... [--keep-comments]
//!   corpus pass (site = URL host) + removals; writes `{"id":..,"removed":[...]}` per page and
//!   prints word-weighted P/R (same definition as score.py).
//! cargo run --release --example boilerplate_dev -- train PAGES.jsonl MODEL.tsv
//!   learns the two-stage line model (2-fold cross-validation by host is printed first).
//! cargo run --release --example boilerplate_dev -- dump PAGES.jsonl ROWS.tsv [LOGITS.txt]
//!   writes the tree stage's training rows with the shipped linear stages (BP_MODEL replaces
//!   the built-in model): page, line index, site fold, site, label, words, the features, and
//!   the line's words as the lexicon reads them (`wordlist`, space-separated).
//! cargo run --release --example boilerplate_dev -- dump-folds PAGES.jsonl PREFIX [SEED]...
//!   honest held-out rows: for each fold split (site-hash seed, default 7) and fold k, the
//!   linear stages fitted without fold k's pages, and every page's rows with those weights, to
//!   PREFIX.s{SEED}.fold{k} (`train_boilerplate_trees.py --honest PREFIX`), and those linear
//!   stages to PREFIX.s{SEED}.fold{k}.linear.
//! cargo run --release --example boilerplate_dev -- honest-e2e PAGES.jsonl PREFIX [SEED]...
//!   honest end-to-end held-out P/R/F1: fold k of each split scored by the full `removals_in`
//!   with PREFIX.s{SEED}.fold{k}.linear and .trees (`train_boilerplate_trees.py --honest PREFIX
//!   --fold-models`), both trained without fold k; BP_GRID=1 adds a grid over the thresholds
//!   (values from BP_GRID_T, BP_GRID_SOFT, BP_GRID_GUARD, BP_GRID_PROSE, comma-separated).
//! `run` and `honest-e2e` take BP_THRESHOLDS=threshold,soft,guard,prose,sandwich over the shipped ones;
//! `honest-e2e` takes BP_NEIGHBOUR_WEIGHT and BP_LINEAR_SURE over the shipped settings, and
//! BP_DUMP=FILE writes the first split's decisions (`{"page","removed":[[line,rule],...]}`).

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use corpusmill::boilerplate::{
    Config, FEATURES1, FEATURES2, Removal, Rules, ScoredPage, lexicon_words,
};
use corpusmill::linestats::{LineStats, RepeatedLines};
use rayon::prelude::*;

struct Page {
    id: serde_json::Value,
    site: String,
    text: String,
    content: Vec<bool>,
    words: Vec<u32>,
}

fn host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let h = rest.split(['/', '?', '#']).next().unwrap_or("");
    h.split(':').next().unwrap_or("").to_ascii_lowercase()
}

fn scorer_words(s: &str) -> u32 {
    let mut n = 0;
    let mut inw = false;
    for c in s.chars() {
        let w = c.is_alphanumeric() || c == '_';
        if w && !inw {
            n += 1;
        }
        inw = w;
    }
    n
}

fn load(path: &str) -> anyhow::Result<Vec<Page>> {
    let f = BufReader::new(std::fs::File::open(path)?);
    let mut pages = Vec::new();
    for line in f.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)?;
        let url = v["url"].as_str().unwrap_or("");
        let site = if url.is_empty() {
            let id = v["id"].as_str().unwrap_or("");
            id.rsplit_once('/').map_or("", |(d, _)| d).to_string()
        } else {
            host(url)
        };
        let mut texts = Vec::new();
        let mut content = Vec::new();
        let mut words = Vec::new();
        for l in v["lines"].as_array().into_iter().flatten() {
            let t = l[0].as_str().unwrap_or("");
            texts.push(t.to_string());
            content.push(l[1].as_bool().unwrap_or(false));
            words.push(scorer_words(t));
        }
        pages.push(Page {
            id: v["id"].clone(),
            site,
            text: texts.join("\n"),
            content,
            words,
        });
    }
    Ok(pages)
}

fn corpus(pages: &[Page]) -> RepeatedLines {
    pages
        .par_iter()
        .fold(LineStats::new, |mut s, p| {
            s.add_document(&p.site, &p.text);
            s
        })
        .reduce(LineStats::new, |mut a, b| {
            a.merge(b);
            a
        })
        .finish()
}

fn prf(pages: &[&Page], removed: &[HashSet<u32>]) -> (f64, f64) {
    let (mut tp, mut fp, mut fneg) = (0u64, 0u64, 0u64);
    for (p, rem) in pages.iter().zip(removed) {
        for (i, (&c, &w)) in p.content.iter().zip(&p.words).enumerate() {
            let w = w as u64;
            if rem.contains(&(i as u32)) {
                if c { fp += w } else { tp += w }
            } else if !c {
                fneg += w;
            }
        }
    }
    (
        tp as f64 / (tp + fp).max(1) as f64,
        tp as f64 / (tp + fneg).max(1) as f64,
    )
}

/// Rows per partial gradient of [`train_lr`].
const CHUNK: usize = 4096;

/// Word-weighted logistic regression with Adam and a little L2.
fn train_lr(x: &[&Vec<f32>], y: &[f32], wt: &[f32], epochs: usize) -> Vec<f32> {
    let d = x[0].len();
    let mut w = vec![0.0f32; d];
    let (mut m, mut v) = (vec![0.0f32; d], vec![0.0f32; d]);
    let (b1, b2, lr, l2) = (0.9f32, 0.999f32, 0.05f32, 1e-4f32);
    let tw: f32 = wt.iter().sum();
    for t in 1..=epochs {
        // Fixed chunks summed in order: the same gradient whatever the thread schedule, so
        // the weights (and the honest folds' figures) are reproducible.
        let parts: Vec<Vec<f32>> = x
            .par_chunks(CHUNK)
            .zip(y.par_chunks(CHUNK))
            .zip(wt.par_chunks(CHUNK))
            .map(|((xs, ys), ws)| {
                let mut g = vec![0.0f32; d];
                for ((xi, &yi), &wi) in xs.iter().zip(ys).zip(ws) {
                    let p =
                        1.0 / (1.0 + (-xi.iter().zip(&w).map(|(a, b)| a * b).sum::<f32>()).exp());
                    let e = (p - yi) * wi;
                    for (gj, xj) in g.iter_mut().zip(xi.iter()) {
                        *gj += e * xj;
                    }
                }
                g
            })
            .collect();
        let mut g = vec![0.0f32; d];
        for part in parts {
            for (a, b) in g.iter_mut().zip(part) {
                *a += b;
            }
        }
        for j in 0..d {
            let gj = g[j] / tw + l2 * w[j];
            m[j] = b1 * m[j] + (1.0 - b1) * gj;
            v[j] = b2 * v[j] + (1.0 - b2) * gj * gj;
            let mh = m[j] / (1.0 - b1.powi(t as i32));
            let vh = v[j] / (1.0 - b2.powi(t as i32));
            w[j] -= lr * mh / (vh.sqrt() + 1e-8);
        }
    }
    w
}

struct Rows {
    x1: Vec<Vec<Vec<f32>>>,
    idx: Vec<Vec<u32>>,
    words: Vec<Vec<u32>>,
}

fn rows(rules: &Rules, pages: &[Page], rep: &RepeatedLines) -> Rows {
    let feats: Vec<_> = pages
        .par_iter()
        .map(|p| rules.features(&p.text, &p.site, Some(rep)))
        .collect();
    Rows {
        x1: feats.iter().map(|f| f.x1.clone()).collect(),
        idx: feats.iter().map(|f| f.line_index.clone()).collect(),
        words: feats.into_iter().map(|f| f.words).collect(),
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

/// Stage 1 on the line features, then `context_stages` stages each fed the previous stage's
/// logits of the neighbouring lines; every stage is fitted on the same training pages.
fn fit(pages: &[Page], r: &Rows, train: &[usize], context_stages: usize) -> Vec<Vec<f32>> {
    let mut y = Vec::new();
    let mut wt = Vec::new();
    for &d in train {
        for k in 0..r.x1[d].len() {
            let li = r.idx[d][k] as usize;
            y.push(if pages[d].content[li] { 0.0 } else { 1.0 });
            wt.push(pages[d].words[li] as f32);
        }
    }
    let x: Vec<&Vec<f32>> = train.iter().flat_map(|&d| r.x1[d].iter()).collect();
    let w1 = train_lr(&x, &y, &wt, EPOCHS);
    let mut logits: Vec<Vec<f32>> = train
        .iter()
        .map(|&d| r.x1[d].iter().map(|row| dot(row, &w1)).collect())
        .collect();
    let mut stages = vec![w1];
    for _ in 0..context_stages {
        let x2: Vec<Vec<Vec<f32>>> = train
            .par_iter()
            .zip(&logits)
            .map(|(&d, prev)| Rules::context_rows(&r.x1[d], &r.words[d], prev))
            .collect();
        let x2r: Vec<&Vec<f32>> = x2.iter().flatten().collect();
        let w = train_lr(&x2r, &y, &wt, EPOCHS);
        logits = x2
            .iter()
            .map(|doc| doc.iter().map(|row| dot(row, &w)).collect())
            .collect();
        stages.push(w);
    }
    stages
}

/// Seed of the site hash that splits the pages into the two folds `train` and `dump` use.
const FOLD_SEED: u64 = 7;

/// The fold (0 or 1) of a site under the split of `seed`.
fn site_fold(site: &str, seed: u64) -> u64 {
    twox_hash::XxHash64::oneshot(seed, site.as_bytes()) % 2
}

/// Number of linear context stages after stage 1 (`BP_STAGES`, default 2).
fn context_stages() -> usize {
    std::env::var("BP_STAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2)
}

/// Writes the tree-stage rows of every page (page, fold under `seed`, site, label, words, then
/// [`Rules::tree_feature_names`]) with the linear stages of `rules`, or the logits `prev` (one
/// per row, in row order) for a later tree stage.
fn write_rows(
    rules: &Rules,
    pages: &[Page],
    rep: &RepeatedLines,
    prev: Option<&[f32]>,
    seed: u64,
    path: &str,
) -> anyhow::Result<()> {
    // Where each page's rows start in `prev` (prefix sums of the row counts, one past the end).
    let mut starts = vec![0usize];
    if prev.is_some() {
        let counts: Vec<usize> = pages
            .par_iter()
            .map(|p| rules.features(&p.text, &p.site, Some(rep)).words.len())
            .collect();
        for c in counts {
            starts.push(starts[starts.len() - 1] + c);
        }
    }
    let docs: Vec<String> = pages
        .par_iter()
        .enumerate()
        .map(|(d, p)| {
            let slice = prev.and_then(|v| v.get(*starts.get(d)?..*starts.get(d + 1)?));
            let f = rules.tree_rows(&p.text, &p.site, Some(rep), slice);
            let fold = site_fold(&p.site, seed);
            let site = twox_hash::XxHash64::oneshot(FOLD_SEED, p.site.as_bytes()) % 1_000_000;
            let mut out = String::new();
            let lines: Vec<&str> = p.text.split('\n').collect();
            for ((&li, &w), row) in f.line_index.iter().zip(&f.words).zip(&f.x1) {
                let label = !p.content[li as usize] as u8;
                out += &format!("{d}\t{li}\t{fold}\t{site}\t{label}\t{w}");
                for v in row {
                    out += &format!("\t{v}");
                }
                // The line's words as the lexicon reads them, for the script to learn it.
                let words = lines
                    .get(li as usize)
                    .map_or_else(Vec::new, |l| lexicon_words(l));
                out += &format!("\t{}\n", words.join(" "));
            }
            out
        })
        .collect();
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    write!(out, "page\tline\tfold\tsite\tlabel\twords")?;
    for n in Rules::tree_feature_names() {
        write!(out, "\t{n}")?;
    }
    writeln!(out, "\twordlist")?;
    for d in docs {
        out.write_all(d.as_bytes())?;
    }
    Ok(())
}

const EPOCHS: usize = 300;
/// Threshold for long lines of running text without final punctuation (chosen on the held-out
/// folds and the seed pages, which open with such a line).
const PROSE_THRESHOLD: f32 = 0.6;

fn model_tsv(stages: &[Vec<f32>], threshold: f32) -> String {
    let mut s = String::from(
        "# Line model weights, written by scripts/train_boilerplate.sh (examples/boilerplate_dev.rs train).\n",
    );
    s += &format!("threshold\t{threshold}\nprose_threshold\t{PROSE_THRESHOLD}\n");
    s + &stages_tsv(stages)
}

/// The `s1`/`s2`/... weight lines of `stages` (no thresholds).
fn stages_tsv(stages: &[Vec<f32>]) -> String {
    let mut s = String::new();
    for (i, w) in stages.iter().enumerate() {
        for (n, w) in FEATURES1.iter().chain(FEATURES2).zip(w) {
            s += &format!("s{}\t{n}\t{w:.5}\n", i + 1);
        }
    }
    s
}

/// Word counts `[tp, fp, fn]` of the removals `removed` (parallel to `test`, page indexes).
fn counts(pages: &[Page], test: &[usize], removed: &[Vec<Removal>]) -> [u64; 3] {
    let mut c = [0u64; 3];
    for (&d, rem) in test.iter().zip(removed) {
        let p = &pages[d];
        let rem: HashSet<u32> = rem.iter().map(|r| r.line_index).collect();
        for (i, (&content, &w)) in p.content.iter().zip(&p.words).enumerate() {
            let w = w as u64;
            match (rem.contains(&(i as u32)), content) {
                (true, true) => c[1] += w,
                (true, false) => c[0] += w,
                (false, false) => c[2] += w,
                (false, true) => {}
            }
        }
    }
    c
}

fn prf1(c: [u64; 3]) -> (f64, f64, f64) {
    let p = c[0] as f64 / (c[0] + c[1]).max(1) as f64;
    let r = c[0] as f64 / (c[0] + c[2]).max(1) as f64;
    (p, r, 2.0 * p * r / (p + r).max(1e-12))
}

/// Mean over splits of the pooled (both folds) P, R, F1; `per_fold` is in (seed, fold) order.
fn split_means(per_fold: &[[u64; 3]]) -> (f64, f64, f64) {
    let splits: Vec<(f64, f64, f64)> = per_fold
        .chunks(2)
        .map(|f| prf1([f[0][0] + f[1][0], f[0][1] + f[1][1], f[0][2] + f[1][2]]))
        .collect();
    let n = splits.len().max(1) as f64;
    (
        splits.iter().map(|s| s.0).sum::<f64>() / n,
        splits.iter().map(|s| s.1).sum::<f64>() / n,
        splits.iter().map(|s| s.2).sum::<f64>() / n,
    )
}

/// A number from the environment variable `name`, if set and a number.
fn env_f32(name: &str) -> Option<f32> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// Decision thresholds from `BP_THRESHOLDS` ("threshold,soft,guard,prose,sandwich"), else `default`.
fn env_thresholds(default: [f32; 5]) -> anyhow::Result<[f32; 5]> {
    let Ok(v) = std::env::var("BP_THRESHOLDS") else {
        return Ok(default);
    };
    let t: Vec<f32> = v.split(',').map(str::parse).collect::<Result<_, _>>()?;
    t.try_into().map_err(|_| {
        anyhow::anyhow!("BP_THRESHOLDS needs 5 values: threshold,soft,guard,prose,sandwich")
    })
}

/// Grid values of one threshold from `var` (comma-separated), else `default`.
fn env_grid(var: &str, default: &[f32]) -> anyhow::Result<Vec<f32>> {
    match std::env::var(var) {
        Ok(v) => Ok(v.split(',').map(str::parse).collect::<Result<_, _>>()?),
        Err(_) => Ok(default.to_vec()),
    }
}

/// WCXB's per-page extraction figures of each split (its two folds cover every page once) at
/// the rule sets' current thresholds, then the mean over splits.
fn split_extraction_means(
    pages: &[Page],
    labelled: &[corpusmill::eval::boilerplate::Page],
    folds: &[HeldOut],
) -> (f64, f64, f64) {
    let mut sums = (0.0, 0.0, 0.0);
    let splits = folds.chunks(2);
    let n = splits.len().max(1) as f64;
    for split in splits {
        let mut removed = vec![std::collections::BTreeSet::new(); labelled.len()];
        for (_, _, rules, test, scored) in split {
            for (&d, s) in test.iter().zip(scored) {
                removed[d] = rules
                    .removals_scored(&pages[d].text, s)
                    .iter()
                    .map(|r| r.line_index as usize)
                    .collect();
            }
        }
        let e = corpusmill::eval::boilerplate::extraction_scores(labelled, &removed);
        sums = (sums.0 + e.precision, sums.1 + e.recall, sums.2 + e.f1);
    }
    (sums.0 / n, sums.1 / n, sums.2 / n)
}

/// One held-out fold: split seed, fold, its rule set, test pages and their scores.
type HeldOut = (u64, u64, Rules, Vec<usize>, Vec<ScoredPage>);

/// Honest end-to-end held-out figures: for each split seed and fold k, the rule set with the
/// linear stages `PREFIX.s{SEED}.fold{k}.linear` (`dump-folds`) and the trees
/// `PREFIX.s{SEED}.fold{k}.trees` (`train_boilerplate_trees.py --honest PREFIX --fold-models`),
/// both trained without fold k, runs the full `removals_in` on fold k's pages (corpus line
/// statistics of all pages). With `BP_GRID` set, a grid over the four decision thresholds
/// (the best `BP_GRID_TOP` settings printed, default 15; with `BP_GRID_SEEDS=PAGES`, settings
/// under which the shipped model does not score those pages exactly P = R = 1 are marked).
fn honest_e2e(
    pages: &[Page],
    labelled: &[corpusmill::eval::boilerplate::Page],
    rep: &RepeatedLines,
    prefix: &str,
    seeds: &[u64],
) -> anyhow::Result<()> {
    let shipped = env_thresholds(Rules::builtin().thresholds())?;
    let mut folds: Vec<HeldOut> = Vec::new();
    for &seed in seeds {
        for k in 0..2 {
            let path = format!("{prefix}.s{seed}.fold{k}");
            let mut rules = Rules::builtin();
            rules.load_model(&std::fs::read_to_string(format!("{path}.linear"))?);
            rules.load_model(&std::fs::read_to_string(format!("{path}.trees"))?);
            rules.set_thresholds(shipped);
            if let Some(w) = env_f32("BP_NEIGHBOUR_WEIGHT") {
                rules.set_neighbour_weight(w);
            }
            if let Some(l) = env_f32("BP_LINEAR_SURE") {
                rules.set_linear_sure_logit(l);
            }
            let test: Vec<usize> = (0..pages.len())
                .filter(|&d| site_fold(&pages[d].site, seed) == k)
                .collect();
            let scored: Vec<ScoredPage> = test
                .par_iter()
                .map(|&d| rules.score_page(&pages[d].text, &pages[d].site, Some(rep)))
                .collect();
            folds.push((seed, k, rules, test, scored));
        }
    }
    let run = |folds: &mut [HeldOut], t: [f32; 5]| {
        folds
            .iter_mut()
            .map(|(_, _, rules, test, scored)| {
                rules.set_thresholds(t);
                let removed: Vec<Vec<Removal>> = test
                    .par_iter()
                    .zip(scored.par_iter())
                    .map(|(&d, s)| rules.removals_scored(&pages[d].text, s))
                    .collect();
                counts(pages, test, &removed)
            })
            .collect::<Vec<[u64; 3]>>()
    };
    let base = run(&mut folds, shipped);
    if let Some(path) = std::env::var_os("BP_DUMP") {
        // The first split's two folds cover every page once.
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        for (_, _, rules, test, scored) in folds.iter().take(2) {
            for (&d, s) in test.iter().zip(scored) {
                let removed: Vec<(u32, &str)> = rules
                    .removals_scored(&pages[d].text, s)
                    .iter()
                    .map(|r| (r.line_index, r.rule))
                    .collect();
                writeln!(
                    out,
                    "{}",
                    serde_json::json!({"page": d, "removed": removed})
                )?;
            }
        }
    }
    let fmt = |t: [f32; 5]| {
        format!(
            "t={} soft={} guard={} prose={} sandwich={}",
            t[0], t[1], t[2], t[3], t[4]
        )
    };
    println!("honest e2e, {}:", fmt(shipped));
    for (i, c) in base.iter().enumerate() {
        let (p, r, f) = prf1(*c);
        println!(
            "  seed {} fold {}: P={p:.4} R={r:.4} F1={f:.4}",
            folds[i].0, folds[i].1
        );
    }
    for (j, f) in base.chunks(2).enumerate() {
        let (p, r, f1) = prf1([f[0][0] + f[1][0], f[0][1] + f[1][1], f[0][2] + f[1][2]]);
        println!(
            "  seed {} both folds: P={p:.4} R={r:.4} F1={f1:.4}",
            folds[2 * j].0
        );
    }
    let (bp, br, bf) = split_means(&base);
    println!(
        "honest e2e mean of {} splits: P={bp:.4} R={br:.4} F1={bf:.4}",
        seeds.len()
    );
    let (ep, er, ef) = split_extraction_means(pages, labelled, &folds);
    println!(
        "honest e2e in WCXB's metric (mean per page of the kept words against the content words), \
         mean of {} splits: P={ep:.4} R={er:.4} F1={ef:.4}",
        seeds.len()
    );
    if std::env::var_os("BP_GRID").is_none() {
        return Ok(());
    }
    let ts = env_grid("BP_GRID_T", &[0.35, 0.4, 0.45, 0.5, 0.55, 0.6])?;
    let softs = env_grid("BP_GRID_SOFT", &[0.15, 0.2, 0.25, 0.3, 0.4, 0.5])?;
    let guards = env_grid(
        "BP_GRID_GUARD",
        &[0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.97, 1.01],
    )?;
    let proses = env_grid("BP_GRID_PROSE", &[0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01])?;
    let sandwiches = env_grid("BP_GRID_SANDWICH", &[0.5])?;
    // Pages that must stay exactly P = R = 1 with the shipped model (`BP_GRID_SEEDS`, scored
    // as their own corpus, as `eval boilerplate` does per file): settings failing them are left
    // out of the list of those that keep precision.
    let seed_pages = match std::env::var("BP_GRID_SEEDS") {
        Ok(path) => load(&path)?,
        Err(_) => Vec::new(),
    };
    let seed_rep = corpus(&seed_pages);
    let mut shipped_rules = Rules::builtin();
    let seed_idx: Vec<usize> = (0..seed_pages.len()).collect();
    let seed_scored: Vec<ScoredPage> = seed_pages
        .par_iter()
        .map(|p| shipped_rules.score_page(&p.text, &p.site, Some(&seed_rep)))
        .collect();
    let mut seeds_ok = |t: [f32; 5]| {
        shipped_rules.set_thresholds(t);
        let removed: Vec<Vec<Removal>> = seed_pages
            .iter()
            .zip(&seed_scored)
            .map(|(p, s)| shipped_rules.removals_scored(&p.text, s))
            .collect();
        let c = counts(&seed_pages, &seed_idx, &removed);
        c[1] == 0 && c[2] == 0
    };
    let mut results = Vec::new();
    for &t in &ts {
        for &soft in &softs {
            for &guard in &guards {
                for &prose in &proses {
                    for &sandwich in &sandwiches {
                        let th = [t, soft, guard, prose, sandwich];
                        let (p, r, f) = split_means(&run(&mut folds, th));
                        results.push((f, p, r, th, seeds_ok(th)));
                    }
                }
            }
        }
    }
    results.sort_by(|a, b| b.0.total_cmp(&a.0));
    let top: usize = std::env::var("BP_GRID_TOP")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(15);
    println!(
        "grid of {} settings, best F1 first (* = P not below the current {bp:.4}):",
        results.len()
    );
    for (f, p, r, th, ok) in results.iter().take(top) {
        let mark = if *p >= bp { "*" } else { " " };
        let seeds = if *ok { "" } else { "  (fails BP_GRID_SEEDS)" };
        println!("{mark} P={p:.4} R={r:.4} F1={f:.4}  {}{seeds}", fmt(*th));
    }
    println!("best with P >= {bp:.4} (and BP_GRID_SEEDS exact):");
    for (f, p, r, th, _) in results.iter().filter(|x| x.1 >= bp && x.4).take(top) {
        println!("  P={p:.4} R={r:.4} F1={f:.4}  {}", fmt(*th));
    }
    Ok(())
}

fn decide(rules: &Rules, pages: &[&Page], rep: &RepeatedLines) -> Vec<HashSet<u32>> {
    pages
        .par_iter()
        .map(|p| {
            rules
                .removals_in(&p.text, &p.site, Some(rep))
                .iter()
                .map(|r| r.line_index)
                .collect()
        })
        .collect()
}

/// CPU time of this thread in seconds (the machine is shared, so wall time is noise).
fn cpu_seconds() -> f64 {
    // utime + stime of /proc/thread-self/stat, in clock ticks of 1/100 s.
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<f64> = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse().ok())
        .collect();
    fields.iter().sum::<f64>() / 100.0
}

/// Single-thread throughput of line counting and removals over the `.txt` pages under `dir`
/// (site = first directory below it, as the criterion bench does), best of `reps` rounds.
fn time_dir(dir: &str, reps: usize) -> anyhow::Result<()> {
    let mut paths: Vec<std::path::PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    paths.sort();
    let mut docs = Vec::new();
    for p in &paths {
        let text = String::from_utf8_lossy(&std::fs::read(p)?).into_owned();
        let rel = p.strip_prefix(dir).unwrap_or(p);
        let site = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        docs.push((site, text));
    }
    let bytes: usize = docs.iter().map(|(_, t)| t.len()).sum();
    let mib = bytes as f64 / (1024.0 * 1024.0);
    let rules = Rules::builtin();
    let (mut best_count, mut best_rem) = (f64::MAX, f64::MAX);
    let mut removed = 0usize;
    for _ in 0..reps.max(1) {
        let t0 = cpu_seconds();
        let mut stats = LineStats::new();
        for (site, text) in &docs {
            stats.add_document(site, text);
        }
        let rep = stats.finish();
        best_count = best_count.min(cpu_seconds() - t0);
        let t1 = cpu_seconds();
        removed = docs
            .iter()
            .map(|(site, text)| rules.removals_in(text, site, Some(&rep)).len())
            .sum();
        best_rem = best_rem.min(cpu_seconds() - t1);
    }
    println!(
        "{} pages, {mib:.1} MiB, {removed} lines removed\ncount_lines {best_count:.3} s cpu ({:.0} MiB/s)\nremovals {best_rem:.3} s cpu ({:.0} MiB/s)",
        docs.len(),
        mib / best_count,
        mib / best_rem
    );
    Ok(())
}

/// The fold split seeds given after a subcommand's paths, else the default split.
fn split_seeds(args: &[String]) -> anyhow::Result<Vec<u64>> {
    if args.is_empty() {
        return Ok(vec![FOLD_SEED]);
    }
    Ok(args.iter().map(|s| s.parse()).collect::<Result<_, _>>()?)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: boilerplate_dev run PAGES.jsonl OUT.jsonl [--keep-rule NAME]... [--keep-comments] | train PAGES.jsonl MODEL.tsv | dump PAGES.jsonl ROWS.tsv [LOGITS] | dump-folds PAGES.jsonl PREFIX [SEED]... | honest-e2e PAGES.jsonl PREFIX [SEED]... | time DIR REPS";
    if args.len() < 3 {
        anyhow::bail!(usage);
    }
    if args[0] == "time" {
        return time_dir(&args[1], args[2].parse().unwrap_or(1));
    }
    let pages = load(&args[1])?;
    let rep = corpus(&pages);
    match args[0].as_str() {
        "run" => {
            let mut config = Config::default();
            let mut it = args[3..].iter();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "--keep-rule" => config.keep_rules.extend(it.next().cloned()),
                    "--keep-comments" => config.keep_comments = true,
                    "--threshold" => {
                        it.next();
                    }
                    _ => anyhow::bail!(usage),
                }
            }
            let mut rules = Rules::with_config(config);
            if let Some(model) = std::env::var_os("BP_MODEL") {
                rules.load_model(&std::fs::read_to_string(model)?);
            }
            let t = env_thresholds(rules.thresholds())?;
            rules.set_thresholds(t);
            if let Some(pos) = args.iter().position(|a| a == "--threshold")
                && let Some(t) = args.get(pos + 1).and_then(|t| t.parse().ok())
            {
                rules.set_threshold(t);
            }
            let only_fold: Option<u64> = std::env::var("BP_FOLD").ok().and_then(|v| v.parse().ok());
            let refs: Vec<&Page> = pages
                .iter()
                .filter(|p| only_fold.is_none_or(|f| site_fold(&p.site, FOLD_SEED) == f))
                .collect();
            let t0 = std::time::Instant::now();
            let removed = decide(&rules, &refs, &rep);
            eprintln!("classified in {:?}", t0.elapsed());
            let mut out = std::io::BufWriter::new(std::fs::File::create(&args[2])?);
            for (p, rem) in refs.iter().zip(&removed) {
                let mut v: Vec<u32> = rem.iter().copied().collect();
                v.sort_unstable();
                writeln!(out, "{}", serde_json::json!({"id": p.id, "removed": v}))?;
            }
            let (pr, rc) = prf(&refs, &removed);
            println!("P={pr:.3} R={rc:.3}");
            if std::env::var_os("BP_RULES").is_some() {
                let mut tally: std::collections::BTreeMap<&str, (u64, u64)> = Default::default();
                for p in &pages {
                    for r in rules.removals_in(&p.text, &p.site, Some(&rep)) {
                        let li = r.line_index as usize;
                        let e = tally.entry(r.rule).or_default();
                        if p.content[li] {
                            e.1 += p.words[li] as u64
                        } else {
                            e.0 += p.words[li] as u64
                        }
                    }
                }
                for (k, (tp, fp)) in tally {
                    println!("{k}\tboiler {tp}\tcontent {fp}");
                }
            }
        }
        "honest-e2e" => {
            let seeds = split_seeds(&args[3..])?;
            let labelled = corpusmill::eval::boilerplate::read_pages(Path::new(&args[1]))?;
            honest_e2e(&pages, &labelled, &rep, &args[2], &seeds)?;
        }
        "dump" => {
            // Tree-stage training rows: page, site fold, label (1 = boilerplate), words, then
            // the features; the context part from the linear stages, or from the logits in
            // args[3] (one per row, in this file's row order) for a later tree stage.
            // BP_MODEL replaces the built-in model, as for `run`.
            let mut rules = Rules::builtin();
            if let Some(model) = std::env::var_os("BP_MODEL") {
                rules.load_model(&std::fs::read_to_string(model)?);
            }
            let prev: Option<Vec<f32>> = match args.get(3) {
                Some(path) => Some(
                    std::fs::read_to_string(path)?
                        .lines()
                        .filter_map(|l| l.trim().parse().ok())
                        .collect(),
                ),
                None => None,
            };
            write_rows(&rules, &pages, &rep, prev.as_deref(), FOLD_SEED, &args[2])?;
        }
        "dump-folds" => {
            // Honest held-out rows: for each fold split (seed of the site hash) and each fold
            // k, the linear stages fitted on the other fold's pages only, and the rows of every
            // page with those weights, to PREFIX.s{SEED}.fold{k}. The trees of fold k are then
            // trained on that file's fold != k rows and scored on its fold k rows, so nothing
            // of a test page has been seen by any stage
            // (`train_boilerplate_trees.py --honest PREFIX --split-seeds SEEDS`).
            let seeds = split_seeds(&args[3..])?;
            let base = Rules::builtin();
            let r = rows(&base, &pages, &rep);
            let context_stages = context_stages();
            for &seed in &seeds {
                for k in 0..2 {
                    let train: Vec<usize> = (0..pages.len())
                        .filter(|&d| site_fold(&pages[d].site, seed) != k)
                        .collect();
                    let stages = fit(&pages, &r, &train, context_stages);
                    let mut rules = Rules::builtin();
                    rules.set_weights(stages.clone());
                    let path = format!("{}.s{seed}.fold{k}", args[2]);
                    write_rows(&rules, &pages, &rep, None, seed, &path)?;
                    std::fs::write(format!("{path}.linear"), stages_tsv(&stages))?;
                    eprintln!("wrote {path} and {path}.linear");
                }
            }
        }
        "train" => {
            let base = Rules::builtin();
            let r = rows(&base, &pages, &rep);
            let context_stages = context_stages();
            let t: f32 = args.get(3).and_then(|t| t.parse().ok()).unwrap_or(0.5);
            // Held-out validation: pages split by site into two folds, each model trained on
            // one fold's sites and scored on the other's.
            let fold = |p: &Page| site_fold(&p.site, FOLD_SEED);
            for f in 0..2 {
                let train: Vec<usize> =
                    (0..pages.len()).filter(|&d| fold(&pages[d]) != f).collect();
                let test: Vec<&Page> = pages.iter().filter(|p| fold(p) == f).collect();
                let stages = fit(&pages, &r, &train, context_stages);
                let mut rules = Rules::builtin();
                rules.set_weights(stages);
                for t in [0.4f32, 0.45, 0.5, 0.55, 0.6] {
                    rules.set_threshold(t);
                    let (pr, rc) = prf(&test, &decide(&rules, &test, &rep));
                    println!("held-out fold {f} threshold {t}: P={pr:.3} R={rc:.3}");
                }
            }
            let all: Vec<usize> = (0..pages.len()).collect();
            let stages = fit(&pages, &r, &all, context_stages);
            let mut rules = Rules::builtin();
            rules.set_weights(stages.clone());
            rules.set_threshold(t);
            let refs: Vec<&Page> = pages.iter().collect();
            let (pr, rc) = prf(&refs, &decide(&rules, &refs, &rep));
            println!("trained on all pages, threshold {t}: P={pr:.3} R={rc:.3}");
            std::fs::write(&args[2], model_tsv(&stages, t))?;
        }
        _ => anyhow::bail!(usage),
    }
    Ok(())
}
