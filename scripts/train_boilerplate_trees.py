#!/usr/bin/env python3
"""Gradient-boosted trees for the boilerplate line model (the tree stages after the linear ones).

Reads the rows `boilerplate_dev dump` writes (page, site fold, site, label, words, features),
reports word-weighted P/R of `p >= threshold` on held-out folds split by site (each fold's
model trained on the other fold's sites) and in-sample, and writes the trees trained on all
pages in the `forest`/`tree`/`n`/`l` format `Rules::load_model` reads.

Usage: train_boilerplate_trees.py ROWS.tsv OUT.tsv [--trees N] [--leaves N] [--lr X]
       [--oof OOF.txt]   (out-of-fold logits per row, the input of a later tree stage)
Needs numpy, pandas, lightgbm (e.g. in a venv: pip install numpy pandas lightgbm).
"""
import argparse
import sys

import lightgbm as lgb
import numpy as np
import pandas as pd


def prf(y, w, removed):
    tp = float(np.sum(w * (y == 1) * removed))
    fp = float(np.sum(w * (y == 0) * removed))
    fn = float(np.sum(w * (y == 1) * (~removed)))
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def fit(x, y, w, args):
    params = dict(
        objective="binary",
        learning_rate=args.lr,
        num_leaves=args.leaves,
        min_child_weight=args.min_weight,
        min_child_samples=20,
        feature_fraction=0.8,
        bagging_fraction=0.8,
        bagging_freq=1,
        lambda_l2=1.0,
        verbose=-1,
        seed=7,
        num_threads=2,
        deterministic=True,
    )
    return lgb.train(params, lgb.Dataset(x, y, weight=w), num_boost_round=args.trees)


def export(booster, names, out, guard):
    dump = booster.dump_model()
    lines = [
        "# Boilerplate tree stage, written by scripts/train_boilerplate_trees.py (LightGBM).",
        "# forest BIAS; tree; n FEATURE THRESHOLD LEFT RIGHT (x <= threshold goes left;",
        "# child >= 0 is a split of this tree, -(j+1) its leaf j); l VALUE per leaf in order.",
        f"guard_threshold\t{guard}",
        "forest\t0",
    ]
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
    with open(out, "w") as fh:
        fh.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rows")
    ap.add_argument("out")
    ap.add_argument("--trees", type=int, default=100)
    ap.add_argument("--leaves", type=int, default=15)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--min-weight", type=float, default=5.0)
    ap.add_argument("--oof")
    ap.add_argument(
        "--guard",
        type=float,
        default=0.93,
        help="threshold for long lines above the comment form (chosen on the seed pages)",
    )
    ap.add_argument("--fold-out", metavar="PREFIX", help="write each held-out fold's model to PREFIX.foldN")
    args = ap.parse_args()
    df = pd.read_csv(args.rows, sep="\t", dtype=np.float32, engine="c")
    meta = ["page", "fold", "site", "label", "words"]
    names = [c for c in df.columns if c not in meta]
    # Features as the f32 values Rust compares, exactly.
    x = df[names].to_numpy(dtype=np.float32).astype(np.float64)
    y = df["label"].to_numpy().astype(int)
    w = df["words"].to_numpy().astype(np.float64)
    fold = df["fold"].to_numpy().astype(int)
    oof = np.zeros(len(y))
    for f in (0, 1):
        tr, te = fold != f, fold == f
        b = fit(x[tr], y[tr], w[tr], args)
        oof[te] = b.predict(x[te], raw_score=True)
        if args.fold_out:
            export(b, names, f"{args.fold_out}.fold{f}", args.guard)
        p = 1 / (1 + np.exp(-oof[te]))
        for t in (0.4, 0.5, 0.6):
            pr, rc = prf(y[te], w[te], p >= t)
            print(f"held-out fold {f} t={t}: P={pr:.3f} R={rc:.3f}", flush=True)
    b = fit(x, y, w, args)
    p = 1 / (1 + np.exp(-b.predict(x, raw_score=True)))
    for t in (0.4, 0.5, 0.6):
        pr, rc = prf(y, w, p >= t)
        print(f"in-sample t={t}: P={pr:.3f} R={rc:.3f}")
    export(b, names, args.out, args.guard)
    if args.oof:
        np.savetxt(args.oof, oof, fmt="%.6g")


if __name__ == "__main__":
    sys.exit(main())
