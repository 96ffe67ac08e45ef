#!/usr/bin/env python3
"""Line decisions scored in WCXB's own metric, independently of the Rust scorer.

Per page: the bag-of-words precision and recall of the kept lines against the content lines
(lowercased \\w+ words, multiset overlap, as WCXB's evaluate.py `word_f1`), then the mean over
pages; beside it the pooled removal P/R of score.py. `corpusmill eval boilerplate` prints the
same page F1 (`eval::boilerplate::extraction_scores`).

Usage:
  scripts/wcxb_page_f1.py PAGES.jsonl DECISIONS.jsonl   # {"id", "removed": [line, ...]} or
                                                        # {"page", "removed": [[line, rule], ...]}
  scripts/wcxb_page_f1.py PAGES.jsonl --baseline keep|c4|under5
"""
import json
import re
import sys
from collections import Counter

WORD = re.compile(r"\w+")


def word_f1(pred, ref):
    if not ref:
        return (1.0, 1.0, 1.0) if not pred else (0.0, 0.0, 0.0)
    if not pred:
        return (0.0, 0.0, 0.0)
    overlap = sum((Counter(pred) & Counter(ref)).values())
    p, r = overlap / len(pred), overlap / len(ref)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


BASELINES = {
    "keep": lambda line: False,
    # C4's line rule as the eval README states it: under 3 words or no terminal punctuation.
    "c4": lambda line: len(WORD.findall(line)) < 3 or not line.rstrip().endswith((".", "!", "?", '"')),
    "under5": lambda line: len(WORD.findall(line)) < 5,
}


def main():
    pages = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    if sys.argv[2] == "--baseline":
        rule = BASELINES[sys.argv[3]]
        removed = [{i for i, (text, _) in enumerate(p["lines"]) if rule(text)} for p in pages]
    else:
        index = {p["id"]: i for i, p in enumerate(pages)}
        removed = [set() for _ in pages]
        for line in open(sys.argv[2]):
            d = json.loads(line)
            at = d["page"] if "page" in d else index[d["id"]]
            removed[at] = {r[0] if isinstance(r, list) else r for r in d["removed"]}
    sums = [0.0, 0.0, 0.0]
    boiler = boiler_removed = words_removed = 0
    for page, gone in zip(pages, removed):
        kept, ref = [], []
        for i, (text, is_content) in enumerate(page["lines"]):
            words = WORD.findall(text.lower())
            if is_content:
                ref += words
            else:
                boiler += len(words)
            if i in gone:
                words_removed += len(words)
                boiler_removed += 0 if is_content else len(words)
            else:
                kept += words
        for k, x in enumerate(word_f1(kept, ref)):
            sums[k] += x
    n = max(len(pages), 1)
    print(
        f"pages {len(pages)}  page P {sums[0] / n:.4f} R {sums[1] / n:.4f} F1 {sums[2] / n:.4f}"
        f"  removal P {boiler_removed / max(words_removed, 1):.4f} R {boiler_removed / max(boiler, 1):.4f}"
    )


if __name__ == "__main__":
    main()
