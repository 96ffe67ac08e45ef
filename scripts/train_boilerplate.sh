#!/bin/sh
# Learns the boilerplate line model from line-labelled pages:
# 1. the linear stages, src/data/boilerplate/model.tsv (2-fold cross-validation by host first);
# 2. the gradient-boosted tree stage (300 trees of 15 leaves by default) on the linear stages'
#    rows plus the tree-only features of `Rules::tree_rows`, src/data/boilerplate/trees.tsv
#    (leaky held-out folds by site, then in-sample, printed first).
# 3. with BP_HONEST=1, honest held-out figures of the trees: `boilerplate_dev dump-folds` refits
#    the linear stages without each test fold, and `train_boilerplate_trees.py --honest` trains
#    the trees without it too, for the fold splits BP_SPLIT_SEEDS (default "7 11 13"); P/R/F1
#    per fold, pooled per split and the mean over splits are printed. Writes no model.
# 4. with BP_HONEST_E2E=1, the honest END-TO-END figures: the same per-fold linear stages and
#    trees written to files, and `boilerplate_dev honest-e2e` runs the full `removals_in` (rules,
#    repeated lines, thresholds, punctuation lines) with them on each test fold, the corpus line
#    statistics being those of all pages; P/R/F1 per fold, per split and the mean over splits.
#    BP_GRID=1 adds a grid over the decision thresholds (see examples/boilerplate_dev.rs).
# BP_EVAL_ONLY=1 skips steps 1 and 2 (writes no model), e.g. the honest e2e figure alone:
#   BP_EVAL_ONLY=1 BP_HONEST_E2E=1 PYTHON=/tmp/lgb/bin/python scripts/train_boilerplate.sh
# BP_KEEP_FOLDS=1 keeps the per-fold files (to rerun `boilerplate_dev honest-e2e` on them).
# Usage: scripts/train_boilerplate.sh [PAGES.jsonl] [THRESHOLD]
# Steps 2 and 3 need python3 with numpy, pandas and lightgbm (PYTHON=/path/to/venv/bin/python).
# BP_SKIP_LINEAR=1 keeps model.tsv and retrains the trees only (the shipped trees.tsv is
# `BP_SKIP_LINEAR=1 scripts/train_boilerplate.sh`).
set -e
cd "$(dirname "$0")/.."
PAGES=${1:-../shared/eval/boilerplate/wcxb-dev.jsonl}
PYTHON=${PYTHON:-python3}
ROWS=$(mktemp /tmp/bp_rows.XXXXXX)
if [ -z "$BP_EVAL_ONLY" ]; then
    if [ -z "$BP_SKIP_LINEAR" ]; then
        # The linear stages are fitted without trees (the trees depend on them).
        printf '# Tree stages (none)\n' > src/data/boilerplate/trees.tsv
        cargo run --release --example boilerplate_dev -- train "$PAGES" src/data/boilerplate/model.tsv "${2:-0.5}"
    fi
    cargo run --release --example boilerplate_dev -- dump "$PAGES" "$ROWS"
    "$PYTHON" scripts/train_boilerplate_trees.py "$ROWS" src/data/boilerplate/trees.tsv --fold-out "$ROWS"
    echo "held-out fold models: $ROWS.fold0, $ROWS.fold1 (score: BP_FOLD=N BP_MODEL=FILE boilerplate_dev run)"
fi
rm -f "$ROWS"
if [ -n "$BP_HONEST" ] || [ -n "$BP_HONEST_E2E" ]; then
    SEEDS=${BP_SPLIT_SEEDS:-7 11 13}
    # shellcheck disable=SC2086
    cargo run --release --example boilerplate_dev -- dump-folds "$PAGES" "$ROWS" $SEEDS
    FOLD_MODELS=${BP_HONEST_E2E:+--fold-models}
    # shellcheck disable=SC2086
    "$PYTHON" scripts/train_boilerplate_trees.py --honest "$ROWS" --split-seeds "$(echo $SEEDS | tr ' ' ',')" $FOLD_MODELS
    if [ -n "$BP_HONEST_E2E" ]; then
        # shellcheck disable=SC2086
        cargo run --release --example boilerplate_dev -- honest-e2e "$PAGES" "$ROWS" $SEEDS
    fi
    if [ -n "$BP_KEEP_FOLDS" ]; then
        echo "per-fold rows and models kept: $ROWS.sSEED.foldK{,.linear,.trees} (boilerplate_dev honest-e2e PAGES $ROWS SEED...)"
    else
        for s in $SEEDS; do
            for k in 0 1; do rm -f "$ROWS.s$s.fold$k" "$ROWS.s$s.fold$k.linear" "$ROWS.s$s.fold$k.trees"; done
        done
    fi
fi
