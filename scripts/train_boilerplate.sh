#!/bin/sh
# Learns the boilerplate line model from line-labelled pages:
# 1. the linear stages, src/data/boilerplate/model.tsv (2-fold cross-validation by host first);
# 2. the gradient-boosted tree stage on the linear stages' context rows,
#    src/data/boilerplate/trees.tsv (held-out folds by site, then in-sample, printed first).
# Usage: scripts/train_boilerplate.sh [PAGES.jsonl] [THRESHOLD]
# Step 2 needs python3 with numpy, pandas and lightgbm (PYTHON=/path/to/venv/bin/python).
# BP_SKIP_LINEAR=1 keeps model.tsv and retrains the trees only.
set -e
cd "$(dirname "$0")/.."
PAGES=${1:-../shared/eval/boilerplate/wcxb-dev.jsonl}
PYTHON=${PYTHON:-python3}
if [ -z "$BP_SKIP_LINEAR" ]; then
    # The linear stages are fitted without trees (the trees depend on them).
    printf '# Tree stages (none)\n' > src/data/boilerplate/trees.tsv
    cargo run --release --example boilerplate_dev -- train "$PAGES" src/data/boilerplate/model.tsv "${2:-0.5}"
fi
ROWS=$(mktemp /tmp/bp_rows.XXXXXX)
cargo run --release --example boilerplate_dev -- dump "$PAGES" "$ROWS"
"$PYTHON" scripts/train_boilerplate_trees.py "$ROWS" src/data/boilerplate/trees.tsv --fold-out "$ROWS"
echo "held-out fold models: $ROWS.fold0, $ROWS.fold1 (score: BP_FOLD=N BP_MODEL=FILE boilerplate_dev run)"
rm -f "$ROWS"
