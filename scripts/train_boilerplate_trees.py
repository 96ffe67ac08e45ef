#!/usr/bin/env python3
"""Gradient-boosted trees for the boilerplate line model (the tree stages after the linear ones).

Reads the rows `boilerplate_dev dump` writes (page, site fold, site, label, words, features),
reports word-weighted P/R of `p >= threshold` on held-out folds split by site (each fold's
model trained on the other fold's sites) and in-sample, and writes the trees trained on all
pages in the `forest`/`tree`/`n`/`l` format `Rules::load_model` reads.

Usage: train_boilerplate_trees.py ROWS.tsv OUT.tsv [--trees N] [--leaves N] [--lr X]
       [--min-weight X] [--min-samples N] [--lambda-l1 X] [--lambda-l2 X] [--feature-fraction X]
       [--bagging-fraction X] [--min-gain X] [--max-bin N] [--path-smooth X] [--extra-trees]
       [--oof OOF.txt]   (out-of-fold logits per row, the input of a later tree stage)
       train_boilerplate_trees.py --honest PREFIX [--split-seeds 7,11,13] [--fold-models] [--trees N] ...
The held-out folds of the first form leak: the linear stages in ROWS were fitted on every page,
the test fold's included. `--honest PREFIX` reads the rows `boilerplate_dev dump-folds PAGES
PREFIX SEED...` writes, where fold k's file has the linear stages fitted without fold k: for each
split seed and fold k the trees are trained on that file's fold != k rows and scored on its
fold k rows. It prints P/R/F1 per fold, pooled over both folds per seed, and the mean over the
seeds; with --fold-models it writes each fold's trees to PREFIX.sSEED.foldK.trees (without a
threshold line) for `boilerplate_dev honest-e2e`, else no model.
The trees' `lx_*` features read a word lexicon learned here from the rows' `wordlist` column
(the line's words as Rust folds and splits them): per word, the log-odds of the distinct
training sites having it in boilerplate rather than content lines, for words of at least
LEX_MIN_SITES sites. It is written beside the trees as `lex WORD WEIGHT` rows. The `bg_*`
features read the same kind of lexicon of pairs of consecutive words, `lex2 WORD WORD WEIGHT`.
Training rows read a lexicon learned without their half of the training sites, held-out rows the lexicon of
all training rows, as the shipped trees read the shipped lexicon on pages of other sites.
The P/R figures printed here are of the trees alone (`p >= threshold` on every line); the shipped
decision also keeps the linear verdict of lines beyond --linear-sure, lets copies of a line agree
and leans on the neighbours (--neighbour-weight): `boilerplate_dev honest-e2e` scores all of it.
Needs numpy, pandas, lightgbm (e.g. in a venv: pip install numpy pandas lightgbm).
"""
import argparse
import sys
from collections import defaultdict

import lightgbm as lgb
import numpy as np
import pandas as pd


def counts(y, w, removed):
    tp = float(np.sum(w * (y == 1) * removed))
    fp = float(np.sum(w * (y == 0) * removed))
    fn = float(np.sum(w * (y == 1) * (~removed)))
    return np.array([tp, fp, fn])


def prf_of(c):
    tp, fp, fn = c
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return p, r, 2 * p * r / max(p + r, 1e-12)


def prf(y, w, removed):
    return prf_of(counts(y, w, removed))[:2]


META = ["page", "line", "fold", "site", "label", "words", "wordlist"]
LEX = ["lx_mean", "lx_max", "lx_min", "lx_first", "lx_high", "lx_known"]
# The pair lexicon's columns: mean, max and share known of the line's pairs of consecutive words.
PAIR_LEX = ["bg_mean", "bg_max", "bg_known"]
PAIR_LEX_OF_SIX = [0, 1, 5]
# A word enters the lexicon when this many distinct training sites have it in their lines
# (--lex-min-sites), its site counts smoothed by this much (--lex-smoothing).
LEX_MIN_SITES = 5
LEX_SMOOTHING = 0.5


class Terms:
    """The (row, term) pairs of a dump's rows, a term being a word or a pair of consecutive
    words, and the lexicon learned from them."""

    def __init__(self, rows, terms):
        self.row = np.asarray(rows, dtype=np.int64)
        self.term, self.vocab = pd.factorize(np.asarray(terms, dtype=object))

    def lexicon(self, rows, y, site):
        """Term index -> weight (NaN: not in the lexicon) from the rows in mask `rows`: the
        log-odds of a term's sites having it in boilerplate rather than content lines."""
        sel = rows[self.row]
        label = y[self.row[sel]]
        # One key per (term, label, site); the dump's site ids are below 1,000,000.
        key = (self.term[sel].astype(np.int64) * 2 + label) * 1_000_000 + site[self.row[sel]]
        term_label = np.unique(key) // 1_000_000
        n = len(self.vocab)
        b = np.bincount(term_label[term_label % 2 == 1] // 2, minlength=n).astype(np.float64)
        c = np.bincount(term_label[term_label % 2 == 0] // 2, minlength=n).astype(np.float64)
        prior = np.log((b.sum() + 1) / (c.sum() + 1))
        weight = np.log((b + LEX_SMOOTHING) / (c + LEX_SMOOTHING)) - prior
        # As Rust reads them back from trees.tsv.
        weight = np.round(weight, 4).astype(np.float32).astype(np.float64)
        weight[b + c < LEX_MIN_SITES] = np.nan
        return weight

    def features(self, weight, n_rows):
        """Per row: mean, max, min, first weight, share above 1, share known of its terms under
        `weight` (a term not in it weighs 0), as Rust's `Weights` computes them."""
        out = np.zeros((n_rows, 6))
        if len(self.row) == 0:
            return out
        known = ~np.isnan(weight[self.term])
        v = np.where(known, weight[self.term], 0.0)
        counts = np.bincount(self.row, minlength=n_rows)
        starts = np.flatnonzero(np.r_[True, self.row[1:] != self.row[:-1]])
        rows = self.row[starts]
        n = counts[rows]
        out[rows, 0] = np.bincount(self.row, weights=v, minlength=n_rows)[rows] / n
        out[rows, 1] = np.maximum.reduceat(v, starts)
        out[rows, 2] = np.minimum.reduceat(v, starts)
        out[rows, 3] = v[starts]
        out[rows, 4] = np.bincount(self.row, weights=(v > 1.0), minlength=n_rows)[rows] / n
        out[rows, 5] = np.bincount(self.row, weights=known, minlength=n_rows)[rows] / n
        return out.astype(np.float32).astype(np.float64)

    def rows_of(self, tag, weight):
        if weight is None:
            return []
        idx = np.flatnonzero(~np.isnan(weight))
        return [f"{tag}\t{self.vocab[i]}\t{weight[i]:.4f}" for i in idx]


class Rows:
    """A dump's rows: features, labels, weights, site folds, and the words and word pairs of
    each line the lexicon features are computed from."""

    def __init__(self, path, drop=()):
        df = pd.read_csv(path, sep="\t", dtype=defaultdict(lambda: np.float32, wordlist=str), engine="c",
            keep_default_na=False, na_filter=False)
        self.names = [c for c in df.columns if c not in META and not any(c.startswith(d) for d in drop)]
        # Features as the f32 values Rust compares, exactly.
        self.x = df[self.names].to_numpy(dtype=np.float32).astype(np.float64)
        self.y = df["label"].to_numpy().astype(int)
        self.w = df["words"].to_numpy().astype(np.float64)
        self.fold = df["fold"].to_numpy().astype(int)
        self.site = df["site"].to_numpy().astype(np.int64)
        word_rows, words, pair_rows, pairs = [], [], [], []
        for i, line in enumerate(df["wordlist"]):
            ws = line.split(" ") if line else []
            word_rows.extend([i] * len(ws))
            words.extend(ws)
            pair_rows.extend([i] * max(len(ws) - 1, 0))
            pairs.extend(a + " " + b for a, b in zip(ws, ws[1:]))
        self.words = Terms(word_rows, words)
        self.pairs = Terms(pair_rows, pairs)
        self.lex_cols = [self.names.index(c) for c in LEX if c in self.names]
        self.pair_cols = [self.names.index(c) for c in PAIR_LEX if c in self.names]
        # Training rows split in two by site for their out-of-fold lexicon features.
        self.sub = ((self.site * 0x9E3779B1) >> 16) & 1

    def lexicon(self, rows):
        """The word and pair weights learned from the rows in mask `rows`."""
        return self.words.lexicon(rows, self.y, self.site), self.pairs.lexicon(rows, self.y, self.site)

    def lex_features(self, lexicon):
        """The lx_* and bg_* columns of every row under `lexicon`, as Rust computes them."""
        n = len(self.y)
        return self.words.features(lexicon[0], n), self.pairs.features(lexicon[1], n)[:, PAIR_LEX_OF_SIX]

    def with_lexicon(self, train):
        """Features with the lx_* and bg_* columns for a model trained on the rows in mask
        `train`: the other rows read the lexicon of all training rows, the training rows one
        learned without their half of the training sites (a lexicon that has counted a line's
        own site is a feature the trees would trust too much). Returns the features and the
        lexicon."""
        x = self.x.copy()
        if not (self.lex_cols or self.pair_cols):
            return x, None
        lexicon = self.lexicon(train)
        lx, bg = self.lex_features(lexicon)
        for j in (0, 1):
            half = train & (self.sub == j)
            lx_j, bg_j = self.lex_features(self.lexicon(train & (self.sub != j)))
            lx[half], bg[half] = lx_j[half], bg_j[half]
        x[:, self.lex_cols] = lx[:, : len(self.lex_cols)]
        x[:, self.pair_cols] = bg[:, : len(self.pair_cols)]
        return x, lexicon

    def lexicon_rows(self, lexicon):
        if lexicon is None:
            return []
        rows = self.words.rows_of("lex", lexicon[0]) if self.lex_cols else []
        return rows + (self.pairs.rows_of("lex2", lexicon[1]) if self.pair_cols else [])


def honest(args):
    seeds = [int(s) for s in args.split_seeds.split(",")]
    t = args.threshold
    f1s, ps, rs = [], [], []
    for seed in seeds:
        pooled = np.zeros(3)
        for f in (0, 1):
            r = Rows(f"{args.honest}.s{seed}.fold{f}", args.drop)
            y, w, fold = r.y, r.w, r.fold
            tr, te = fold != f, fold == f
            x, weight = r.with_lexicon(tr)
            b = fit(x[tr], y[tr], w[tr], args)
            if args.fold_models:
                export(b, r.names, f"{args.honest}.s{seed}.fold{f}.trees", None, r.lexicon_rows(weight))
            p = 1 / (1 + np.exp(-b.predict(x[te], raw_score=True)))
            c = counts(y[te], w[te], p >= t)
            pooled += c
            pr, rc, f1 = prf_of(c)
            print(f"honest seed {seed} fold {f} t={t}: P={pr:.4f} R={rc:.4f} F1={f1:.4f}", flush=True)
        pr, rc, f1 = prf_of(pooled)
        print(f"honest seed {seed} both folds t={t}: P={pr:.4f} R={rc:.4f} F1={f1:.4f}", flush=True)
        ps.append(pr)
        rs.append(rc)
        f1s.append(f1)
    print(
        f"honest mean of {len(seeds)} splits t={t}: P={np.mean(ps):.4f} R={np.mean(rs):.4f} "
        f"F1={np.mean(f1s):.4f} (F1 per split: {' '.join(f'{v:.4f}' for v in f1s)})"
    )


def fit(x, y, w, args):
    params = dict(
        objective="binary",
        learning_rate=args.lr,
        num_leaves=args.leaves,
        max_depth=args.max_depth,
        min_child_weight=args.min_weight,
        min_child_samples=args.min_samples,
        feature_fraction=args.feature_fraction,
        bagging_fraction=args.bagging_fraction,
        bagging_freq=1,
        lambda_l1=args.lambda_l1,
        lambda_l2=args.lambda_l2,
        min_gain_to_split=args.min_gain,
        max_bin=args.max_bin,
        path_smooth=args.path_smooth,
        extra_trees=args.extra_trees,
        verbose=-1,
        seed=args.seed,
        num_threads=args.threads,
        deterministic=True,
    )
    return lgb.train(params, lgb.Dataset(x, y, weight=w**args.weight_power), num_boost_round=args.trees)


def shipped_thresholds(args):
    return {"guard": args.guard, "prose": args.prose, "sandwich": args.sandwich}


# Settings that travel with the trees: `linear_sure_logit`, the linear logit beyond which a line
# keeps it and the trees are not walked (Rust's `forest_logits`), and `neighbour_weight`, the
# share of the neighbouring lines' mean logit added to a line's (Rust's `lean_on_neighbours`).
def shipped_settings(args):
    return {"linear_sure_logit": args.linear_sure, "neighbour_weight": args.neighbour_weight}


def export(booster, names, out, thresholds, lexicon_rows=(), settings=None):
    dump = booster.dump_model()
    lines = [
        "# Boilerplate tree stage, written by scripts/train_boilerplate_trees.py (LightGBM).",
        "# forest BIAS; tree; n FEATURE THRESHOLD LEFT RIGHT (x <= threshold goes left;",
        "# child >= 0 is a split of this tree, -(j+1) its leaf j); l VALUE per leaf in order.",
    ]
    # The decision thresholds and settings tuned for these trees travel with them (None: the
    # fold models of --honest, which take whatever the harness sets).
    for name, value in (thresholds or {}).items():
        lines.append(f"{name}_threshold\t{value}")
    for name, value in (settings or {}).items():
        lines.append(f"{name}\t{value}")
    lines.append("forest\t0")
    for tree in dump["tree_info"]:
        splits, leaves = [], []

        def walk(node):
            if "leaf_value" in node:
                leaves.append(node["leaf_value"])
                return -len(leaves)
            i = len(splits)
            splits.append(None)
            assert node["decision_type"] == "<=" and node.get("missing_type", "None") in ("None", "NaN", "Zero") 
            left = walk(node["left_child"])
            right = walk(node["right_child"])
            splits[i] = (names[node["split_feature"]], node["threshold"], left, right)
            return i

        root = tree["tree_structure"]
        lines.append("tree")
        if "leaf_value" in root:
            # A single-leaf tree: one split both ways.
            lines.append(f"n\t{names[0]}\t0\t-1\t-1")
            lines.append(f"l\t{root['leaf_value']:.6g}")
            continue
        walk(root)
        for f, t, l, r in splits:
            lines.append(f"n\t{f}\t{t!r}\t{l}\t{r}")
        for v in leaves:
            lines.append(f"l\t{v:.6g}")
    # The word weights the trees' lx_* features read, `lex WORD WEIGHT`.
    lines.extend(lexicon_rows)
    with open(out, "w") as fh:
        fh.write("\n".join(lines) + "\n")


def main():
    global LEX_MIN_SITES, LEX_SMOOTHING
    ap = argparse.ArgumentParser()
    ap.add_argument("rows", nargs="?")
    ap.add_argument("out", nargs="?")
    ap.add_argument("--honest", metavar="PREFIX", help="score the dump-folds rows PREFIX.sSEED.foldK")
    ap.add_argument("--split-seeds", default="7", help="comma-separated fold split seeds for --honest")
    ap.add_argument("--threshold", type=float, default=0.5, help="decision threshold for --honest")
    ap.add_argument("--trees", type=int, default=300)
    ap.add_argument("--leaves", type=int, default=15)
    ap.add_argument("--max-depth", type=int, default=-1, help="LightGBM max_depth (-1: no limit)")
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument(
        "--weight-power", type=float, default=1.0, help="a training row weighs its word count to this power"
    )
    ap.add_argument("--min-weight", type=float, default=50.0, help="LightGBM min_child_weight (min sum of hessians)")
    ap.add_argument("--min-samples", type=int, default=20, help="LightGBM min_child_samples")
    ap.add_argument("--lambda-l1", type=float, default=0.0)
    ap.add_argument("--lambda-l2", type=float, default=1.0)
    ap.add_argument("--feature-fraction", type=float, default=0.8)
    ap.add_argument("--bagging-fraction", type=float, default=0.8, help="bagging every iteration")
    ap.add_argument("--min-gain", type=float, default=0.0, help="LightGBM min_gain_to_split")
    ap.add_argument("--max-bin", type=int, default=255)
    ap.add_argument("--path-smooth", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=7, help="LightGBM seed (bagging and feature sampling)")
    ap.add_argument(
        "--threads", type=int, default=1, help="LightGBM threads (same trees; 1 is 5-10x faster on this 2-core machine)"
    )
    ap.add_argument("--extra-trees", action="store_true", help="LightGBM extra_trees (random split thresholds)")
    ap.add_argument("--oof")
    ap.add_argument(
        "--guard",
        type=float,
        default=0.9,
        help="threshold for long lines above the comment form; it and the two below are the best "
        "honest end-to-end F1 of the settings that keep the seed pages exact and precision "
        "(boilerplate_dev honest-e2e with BP_GRID)",
    )
    ap.add_argument("--prose", type=float, default=0.6, help="threshold for long unpunctuated prose-like lines")
    ap.add_argument(
        "--sandwich", type=float, default=0.7, help="threshold for a short line between two kept lines of running text"
    )
    ap.add_argument(
        "--linear-sure",
        type=float,
        default=2.0,
        help="linear logit beyond which a line keeps it, unjudged by the trees (best honest end-to-end "
        "F1 of 1.5-5, boilerplate_dev honest-e2e with BP_LINEAR_SURE)",
    )
    ap.add_argument(
        "--neighbour-weight",
        type=float,
        default=0.25,
        help="share of the neighbouring lines' mean tree logit added to a line's (best honest end-to-end "
        "F1 of 0.15-0.4, boilerplate_dev honest-e2e with BP_NEIGHBOUR_WEIGHT)",
    )
    ap.add_argument(
        "--fold-models",
        action="store_true",
        help="with --honest, write each fold's trees to PREFIX.sSEED.foldK.trees (no thresholds)",
    )
    ap.add_argument("--fold-out", metavar="PREFIX", help="write each held-out fold's model to PREFIX.foldN")
    ap.add_argument("--drop", default="", help="comma-separated prefixes of feature columns to leave out")
    ap.add_argument("--lex-min-sites", type=int, default=LEX_MIN_SITES, help="sites a lexicon word needs")
    ap.add_argument("--lex-smoothing", type=float, default=LEX_SMOOTHING, help="added to a word's site counts")
    args = ap.parse_args()
    LEX_MIN_SITES, LEX_SMOOTHING = args.lex_min_sites, args.lex_smoothing
    args.drop = [d for d in args.drop.split(",") if d]
    if args.honest:
        return honest(args)
    if not (args.rows and args.out):
        ap.error("ROWS and OUT are needed without --honest")
    r = Rows(args.rows, args.drop)
    names, y, w, fold = r.names, r.y, r.w, r.fold
    oof = np.zeros(len(y))
    for f in (0, 1):
        tr, te = fold != f, fold == f
        x, weight = r.with_lexicon(tr)
        b = fit(x[tr], y[tr], w[tr], args)
        oof[te] = b.predict(x[te], raw_score=True)
        if args.fold_out:
            export(b, names, f"{args.fold_out}.fold{f}", shipped_thresholds(args), r.lexicon_rows(weight), shipped_settings(args))
        p = 1 / (1 + np.exp(-oof[te]))
        for t in (0.4, 0.5, 0.6):
            pr, rc = prf(y[te], w[te], p >= t)
            print(f"held-out fold {f} t={t}: P={pr:.3f} R={rc:.3f}", flush=True)
    x, weight = r.with_lexicon(np.ones(len(y), dtype=bool))
    b = fit(x, y, w, args)
    p = 1 / (1 + np.exp(-b.predict(x, raw_score=True)))
    for t in (0.4, 0.5, 0.6):
        pr, rc = prf(y, w, p >= t)
        print(f"in-sample t={t}: P={pr:.3f} R={rc:.3f}")
    export(b, names, args.out, shipped_thresholds(args), r.lexicon_rows(weight), shipped_settings(args))
    if args.oof:
        np.savetxt(args.oof, oof, fmt="%.6g")


if __name__ == "__main__":
    sys.exit(main())
