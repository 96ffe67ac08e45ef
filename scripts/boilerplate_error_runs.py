#!/usr/bin/env python3
"""Where the boilerplate stage's errors sit, by the verdicts of their neighbours.

usage: scripts/boilerplate_error_runs.py PAGES.jsonl DECISIONS.jsonl

PAGES.jsonl is a line-labelled page file (`../shared/eval/boilerplate/wcxb-dev.jsonl`),
DECISIONS.jsonl the removed lines per page, as `BP_DUMP=FILE boilerplate_dev honest-e2e ...`
writes them ({"page": INDEX, "removed": [[LINE, RULE], ...]}). Only lines with a word count;
words are `\\w+` runs, as the scorer weighs lines.

Prints the words of each error by where its line sits: a kept boilerplate line alone between two
removed lines, at the edge of a removed run, or inside a run of kept lines (and the same for
removed content lines); then the words of each label that smoothing would move: kept lines
between two removed ones, and removed lines between two kept ones.
"""
import collections
import json
import re
import sys

WORD = re.compile(r"\w+")


def words(text):
    return len(WORD.findall(text))


def main(pages_path, decisions_path):
    pages = [json.loads(line) for line in open(pages_path, encoding="utf-8")]
    errors = collections.Counter()
    between = collections.Counter()
    for line in open(decisions_path, encoding="utf-8"):
        decision = json.loads(line)
        lines = pages[decision["page"]]["lines"]
        removed = {index for index, _rule in decision["removed"]}
        worded = [i for i, (text, _) in enumerate(lines) if words(text) > 0]
        for k, i in enumerate(worded):
            text, is_content = lines[i]
            gone = i in removed
            neighbours_gone = [
                worded[j] in removed for j in (k - 1, k + 1) if 0 <= j < len(worded)
            ]
            same = sum(1 for n in neighbours_gone if n == gone)
            other = len(neighbours_gone) - same
            place = "alone" if other == 2 else ("edge" if other == 1 else "in a run")
            label = "content" if is_content else "boilerplate"
            if gone == (not is_content):
                continue
            errors[(label, "removed" if gone else "kept", place)] += words(text)
        for k in range(1, len(worded) - 1):
            i = worded[k]
            text, is_content = lines[i]
            before, after = worded[k - 1] in removed, worded[k + 1] in removed
            label = "content" if is_content else "boilerplate"
            if i not in removed and before and after:
                between[("kept between two removed", label)] += words(text)
            if i in removed and not before and not after:
                between[("removed between two kept", label)] += words(text)
    print("errors (words):")
    for (label, verdict, place), n in sorted(errors.items(), key=lambda kv: -kv[1]):
        print(f"  {label} {verdict}, {place}: {n}")
    print("lines a smoothing would flip (words):")
    for (where, label), n in sorted(between.items()):
        print(f"  {where}, {label}: {n}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
