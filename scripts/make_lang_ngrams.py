#!/usr/bin/env python3
"""Writes src/data/lang/ngrams.tsv: a character n-gram model (1- to 4-grams of words padded
with spaces) for each language that the `wordfreq` package covers, estimated from its word
lists weighted by word frequency, so each n-gram's probability is what it would be in running
text of the language. src/lang.rs consults it to settle texts that the word lists leave in
doubt between close languages (Danish/Norwegian, Croatian/Slovenian, Russian/Bulgarian...).

    python3 -m venv /tmp/wf && /tmp/wf/bin/pip install wordfreq==3.1.1
    /tmp/wf/bin/python scripts/make_lang_ngrams.py

Format: a `#` header; `@<tab>code<tab>floor1 floor2 floor3 floor4` lines giving per language
and n-gram length the log10 probability of an n-gram it does not list; then
`gram<tab>code:value ...` lines where value is -10 * log10 probability (an integer), lowest
first. Data from wordfreq 3.1.1 (Wikipedia, subtitles, news, books, web text), CC BY-SA 4.0.
"""
import math
import os
import re
from collections import defaultdict

import wordfreq

# Our ISO 639-3 code -> wordfreq's code (Croatian and Serbian share the Serbo-Croatian list).
CODES = {
    "bul": "bg", "cat": "ca", "ces": "cs", "dan": "da", "deu": "de", "eng": "en",
    "spa": "es", "fin": "fi", "fra": "fr", "tgl": "fil", "hun": "hu", "ind": "id",
    "ita": "it", "lit": "lt", "lav": "lv", "mkd": "mk", "nob": "nb", "nld": "nl",
    "pol": "pl", "por": "pt", "ron": "ro", "rus": "ru", "hrv": "sh", "srp": "sh",
    "slk": "sk", "slv": "sl", "swe": "sv", "tur": "tr", "ukr": "uk",
}
WORDS = 50000
# N-grams kept per language and length: the most probable ones, which carry most of the mass.
KEEP = {1: 60, 2: 700, 3: 1500, 4: 1500}
WORD = re.compile(r"^[^\W\d_]+$")

here = os.path.dirname(os.path.abspath(__file__))
out_path = os.path.join(here, "..", "src", "data", "lang", "ngrams.tsv")

floors = {}
table = defaultdict(list)
for ours, theirs in sorted(CODES.items()):
    counts = {n: defaultdict(float) for n in KEEP}
    for word in wordfreq.top_n_list(theirs, WORDS):
        if not WORD.match(word):
            continue
        weight = wordfreq.word_frequency(word, theirs)
        padded = f" {word} "
        for n in KEEP:
            for i in range(len(padded) - n + 1):
                gram = padded[i:i + n]
                if gram != " ":
                    counts[n][gram] += weight
    lang_floors = []
    for n, keep in KEEP.items():
        total = sum(counts[n].values())
        ranked = sorted(counts[n].items(), key=lambda kv: (-kv[1], kv[0]))
        kept = ranked[:keep]
        for gram, count in kept:
            table[gram].append((ours, round(-10 * math.log10(count / total))))
        cut = kept[-1][1] / total
        # An unlisted n-gram is rarer than the rarest listed one.
        lang_floors.append(round(math.log10(cut) - 0.5, 2))
    floors[ours] = lang_floors
    print(ours, [len(counts[n]) for n in KEEP])

with open(out_path, "w", encoding="utf-8") as f:
    f.write("# character 1-4-gram log probabilities per language, made by "
            "scripts/make_lang_ngrams.py from wordfreq 3.1.1; data CC BY-SA 4.0\n")
    for code in sorted(floors):
        f.write("@\t" + code + "\t" + " ".join(str(x) for x in floors[code]) + "\n")
    for gram in sorted(table):
        entries = " ".join(f"{c}:{v}" for c, v in sorted(table[gram]))
        f.write(f"{gram}\t{entries}\n")
