#!/usr/bin/env python3
"""Writes src/data/lang/freq/<code>.txt: the most frequent words of each language with their
Zipf frequency (log10 of occurrences per billion words), from the `wordfreq` package's data
(Wikipedia, subtitles, news, books, web text; data licence CC BY-SA 4.0).

    python3 -m venv /tmp/wf && /tmp/wf/bin/pip install wordfreq==3.1.1
    /tmp/wf/bin/python scripts/make_lang_freq.py

The hand-written lists in src/data/lang/<code>.txt are merged in with their wordfreq frequency,
so the distinctive words chosen there are scored by how common they really are.
"""
import os
import re

import wordfreq

# Our ISO 639-3 code -> wordfreq's code. Serbian and Croatian share wordfreq's Serbo-Croatian
# (Latin script) list; languages wordfreq lacks keep only their hand-written lists.
CODES = {
    "bul": "bg", "cat": "ca", "ces": "cs", "dan": "da", "deu": "de", "eng": "en",
    "spa": "es", "fin": "fi", "fra": "fr", "tgl": "fil", "hun": "hu", "ind": "id",
    "ita": "it", "lit": "lt", "lav": "lv", "mkd": "mk", "nob": "nb", "nld": "nl",
    "pol": "pl", "por": "pt", "ron": "ro", "rus": "ru", "hrv": "sh", "srp": "sh",
    "slk": "sk", "slv": "sl", "swe": "sv", "tur": "tr", "ukr": "uk", "vie": "vi",
}
TOP = 3000
# Close languages: each list also carries its relatives' top words with its own frequency, so a
# word frequent in Danish but rarer in Norwegian counts for Danish by the real margin instead of
# by its full weight against an unseen-word floor.
GROUPS = [
    ["dan", "nob", "swe"],
    ["hrv", "srp", "slv", "mkd", "bul"],
    ["ces", "slk", "pol"],
    ["rus", "ukr", "bul", "mkd"],
    ["spa", "cat", "por", "ita", "fra", "ron"],
    ["nld", "deu", "eng"],
    ["ind", "tgl"],
    ["lav", "lit"],
]
# Below this Zipf frequency a word weighs nothing (the floor in src/lang.rs).
MIN_ZIPF = 3.0
# Words are looked up packed into 16 bytes.
MAX_BYTES = 16
WORD = re.compile(r"^[^\W\d_]+(?:'[^\W\d_]+)*'?$")

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "src", "data", "lang")


def usable(word):
    return WORD.match(word) and len(word.encode()) <= MAX_BYTES


top = {
    ours: [w for w in wordfreq.top_n_list(theirs, TOP * 2) if usable(w)][:TOP]
    for ours, theirs in CODES.items()
}
for ours, theirs in sorted(CODES.items()):
    words = list(top[ours])
    seen = set(words)
    relatives = sorted({r for g in GROUPS if ours in g for r in g if r != ours})
    for relative in relatives:
        for word in top[relative]:
            if word not in seen and wordfreq.zipf_frequency(word, theirs) >= MIN_ZIPF:
                seen.add(word)
                words.append(word)
    with open(os.path.join(data, f"{ours}.txt"), encoding="utf-8") as hand:
        for line in hand:
            word = line.strip().lower().replace("\u2019", "'")
            if word and word[0] not in "#=-" and word not in seen and usable(word):
                seen.add(word)
                words.append(word)
    out = os.path.join(data, "freq", f"{ours}.txt")
    with open(out, "w", encoding="utf-8") as f:
        f.write(f"# {ours}: word<TAB>Zipf frequency, from wordfreq 3.1.1 ({theirs}), "
                "made by scripts/make_lang_freq.py; data CC BY-SA 4.0\n")
        for word in words:
            zipf = wordfreq.zipf_frequency(word, theirs)
            if zipf > 0:
                f.write(f"{word}\t{zipf:.1f}\n")
    print(ours, len(words))
