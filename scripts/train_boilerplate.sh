#!/bin/sh
# Learns the boilerplate line model from line-labelled pages and writes
# src/data/boilerplate/model.tsv (prints 2-fold cross-validation by host first).
# Usage: scripts/train_boilerplate.sh [PAGES.jsonl] [THRESHOLD]
set -e
cd "$(dirname "$0")/.."
PAGES=${1:-../shared/eval/boilerplate/wcxb-dev.jsonl}
cargo run --release --example boilerplate_dev -- train "$PAGES" src/data/boilerplate/model.tsv "${2:-0.5}"
