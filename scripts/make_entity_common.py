#!/usr/bin/env python3
"""Writes src/data/entity/<code>.frequent.txt for the languages in LONG: the most frequent words
of the language from the `wordfreq` package's data (data licence CC BY-SA 4.0), lower case,
beyond those already in <code>.common.txt.

    python3 -m venv /tmp/wf && /tmp/wf/bin/pip install wordfreq==3.1.1
    /tmp/wf/bin/python scripts/make_entity_common.py

A Title-case word that starts a sentence and is one of these is taken as capitalised by position
(src/entity.rs), unless the document also capitalises it mid-sentence or a name follows it.
"""
import os
import re

import wordfreq

# Our ISO 639-3 code -> (wordfreq's code, how many words).
LONG = {
    "por": ("pt", 30000),
    "swe": ("sv", 30000),
    "tur": ("tr", 30000),
    "lit": ("lt", 30000),
    "dan": ("da", 30000),
    "fin": ("fi", 30000),
    "ell": ("el", 30000),
    "hun": ("hu", 30000),
    "ita": ("it", 30000),
    "nob": ("nb", 30000),
    "ron": ("ro", 30000),
    "rus": ("ru", 30000),
    "srp": ("sr", 30000),
    "spa": ("es", 30000),
}

HERE = os.path.dirname(os.path.abspath(__file__))
WORD = re.compile(r"^[^\W\d_][\w'’-]*$")


def main():
    for code, (wf_code, count) in LONG.items():
        data = os.path.join(HERE, "..", "src", "data", "entity")
        with open(os.path.join(data, f"{code}.common.txt"), encoding="utf-8") as f:
            seen = {w for line in f if not line.startswith("#") for w in line.split()}
        words = []
        path = os.path.join(data, f"{code}.frequent.txt")
        for word in wordfreq.top_n_list(wf_code, count * 2, wordlist="best"):
            if len(words) + len(seen) >= count:
                break
            if len(word) >= 2 and WORD.match(word) and word not in seen:
                words.append(word)
        with open(path, "w", encoding="utf-8") as f:
            f.write(
                f"# Words {len(seen) + 1} to {len(seen) + len(words)} of {code} by frequency "
                "(two letters or more, not in\n"
                f"# {code}.common.txt) from wordfreq 3.1.1's best word list (data CC BY-SA 4.0,\n"
                "# https://github.com/rspeer/wordfreq), lower case, made by "
                "scripts/make_entity_common.py.\n"
                "# A Title-case word starting a sentence is usually capitalised only because it "
                "starts it.\n"
            )
            for i in range(0, len(words), 12):
                f.write(" ".join(words[i : i + 12]) + "\n")


if __name__ == "__main__":
    main()
