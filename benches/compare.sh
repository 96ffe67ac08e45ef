#!/usr/bin/env bash
# Times corpusmill against a Python peer on the same corpus, both on one core, and prints the
# ratio. The peer: spaCy's rule-based tokenizer and sentencizer (a blank pipeline, no models),
# PyStemmer (the same Snowball stemmers), pyarrow writing documents/sentences/tokens tables
# with the same columns (offsets, text, lower, stem, kind) as zstd Parquet. It does no
# boilerplate removal, no normalization, no language detection and no entities, so the ratio
# flatters the peer. Not part of CI: it installs packages into a throwaway virtual environment.
#
# usage: benches/compare.sh [CORPUS_DIR]   (default ../shared/bench/webtext)
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${1:-$here/../shared/bench/webtext}"
if [ ! -d "$corpus" ]; then
    echo "no corpus at $corpus: pass a directory of .txt pages (see benches/pipeline.rs)" >&2
    exit 2
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== building corpusmill (release)"
(cd "$here" && cargo build --release --quiet)
bin="${CARGO_TARGET_DIR:-$here/target}/release/corpusmill"

echo "== python peer: virtual environment in $work/venv"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check spacy PyStemmer pyarrow

cat >"$work/peer.py" <<'EOF'
import os, sys, time
import pyarrow as pa, pyarrow.parquet as pq
import spacy, Stemmer

corpus, out = sys.argv[1], sys.argv[2]
nlp = spacy.blank("en")
nlp.add_pipe("sentencizer")
stem = Stemmer.Stemmer("english")
paths = sorted(os.path.join(d, f) for d, _, fs in os.walk(corpus) for f in fs if f.endswith(".txt"))
docs = {k: [] for k in ("doc_id", "source", "text", "n_bytes", "n_sentences", "n_tokens")}
sents = {k: [] for k in ("doc_id", "sentence_id", "char_start", "char_end", "text", "n_tokens")}
toks = {k: [] for k in ("doc_id", "sentence_id", "token_id", "char_start", "char_end", "text", "lower", "stem", "kind")}
total = 0
start = time.perf_counter()
for doc_id, path in enumerate(paths):
    raw = open(path, "rb").read()
    total += len(raw)
    text = raw.decode("utf-8", "replace")
    doc = nlp(text)
    n_sent = n_tok = 0
    for sid, sent in enumerate(doc.sents):
        for tok in sent:
            if tok.is_space:
                continue
            lower = tok.lower_
            word = tok.is_alpha
            for k, v in zip(toks, (doc_id, sid, n_tok, tok.idx, tok.idx + len(tok.text), tok.text, lower,
                                   stem.stemWord(lower) if word else None,
                                   "word" if word else ("number" if tok.like_num else "punct"))):
                toks[k].append(v)
            n_tok += 1
        for k, v in zip(sents, (doc_id, sid, sent.start_char, sent.end_char, sent.text, len(sent))):
            sents[k].append(v)
        n_sent += 1
    for k, v in zip(docs, (doc_id, path, text, len(raw), n_sent, n_tok)):
        docs[k].append(v)
for name, cols in (("documents", docs), ("sentences", sents), ("tokens", toks)):
    pq.write_table(pa.table(cols), os.path.join(out, name + ".parquet"), compression="zstd")
elapsed = time.perf_counter() - start
print(f"{total / 1e6:.2f} MB in {elapsed:.2f} s = {total / 1e6 / elapsed:.2f} MB/s")
EOF

mkdir -p "$work/py-out"
echo "== python peer (one process)"
py=$("$work/venv/bin/python" "$work/peer.py" "$corpus" "$work/py-out" | tail -1)
echo "$py"
echo "== corpusmill (--threads 1)"
cm=$("$bin" run "$corpus" --out "$work/cm-out" --force --threads 1 2>/dev/null | grep '^throughput')
echo "$cm"
py_rate=$(echo "$py" | sed -E 's/.*= ([0-9.]+) MB\/s.*/\1/')
cm_rate=$(echo "$cm" | sed -E 's/.*= ([0-9.]+) MB\/s.*/\1/')
echo "== corpusmill / python peer throughput: $(python3 -c "print(f'{$cm_rate / $py_rate:.2f}x')")"
