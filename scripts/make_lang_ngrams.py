#!/usr/bin/env python3
"""Writes src/data/lang/ngrams.tsv: a character n-gram model (1- to 4-grams of words padded
with spaces) for each language that the `wordfreq` package covers, estimated from its word
lists weighted by word frequency, so each n-gram's probability is what it would be in running
text of the language. src/lang.rs consults it to settle texts that the word lists leave in
doubt between close languages (Danish/Norwegian, Croatian/Slovenian, Russian/Bulgarian...).

Languages wordfreq lacks but Debian ships a spelling dictionary for (Estonian, Afrikaans,
Esperanto, Belarusian, Welsh) get a model from that dictionary's word forms (expanded with
hunspell's `unmunch` or aspell's `expand`) together with our hand list src/data/lang/<code>.txt.
Spelling dictionaries have no frequencies, so the weights are borrowed from the wordfreq
languages: the hand list (frequent words, most frequent first) takes, rank by rank, the mean
relative frequency that the wordfreq languages give their words of that rank; the rest of the
mass goes to the dictionary's forms, spread so that word lengths follow the wordfreq languages'
mean length distribution beyond those ranks, uniformly among forms of one length (a sample of
at most SAMPLE forms per language, fixed seed). So these models are probabilities of running
text too, comparable with the wordfreq ones.

    python3 -m venv /tmp/wf && /tmp/wf/bin/pip install wordfreq==3.1.1
    apt-get install -y hunspell-tools myspell-et hunspell-af myspell-eo hunspell-be aspell-cy
    /tmp/wf/bin/python scripts/make_lang_ngrams.py

Debian versions used: myspell-et 1:20030606-32 (LGPL), hunspell-af 1:7.5.0-1 (LGPL),
myspell-eo 2.1.2000.02.25-61 (GPL), hunspell-be 0.53-3.1 (CC BY-SA), aspell-cy 0.50-3-8 (GPL),
hunspell-tools 1.7.1-1.

Format: a `#` header; `@<tab>code<tab>floor1 floor2 floor3 floor4` lines giving per language
and n-gram length the log10 probability of an n-gram it does not list; then
`gram<tab>code:value ...` lines where value is -10 * log10 probability (an integer), lowest
first. Data from wordfreq 3.1.1 (Wikipedia, subtitles, news, books, web text), CC BY-SA 4.0.
"""
import math
import os
import random
import re
import subprocess
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
# Our code -> a command printing a Debian spelling dictionary's word forms, and its encoding.
HUNSPELL = "/usr/share/hunspell/"
DICTIONARIES = {
    "est": (["unmunch", HUNSPELL + "et_EE.dic", HUNSPELL + "et_EE.aff"], "iso-8859-15"),
    "afr": (["unmunch", HUNSPELL + "af_ZA.dic", HUNSPELL + "af_ZA.aff"], "utf-8"),
    "epo": (["unmunch", HUNSPELL + "eo.dic", HUNSPELL + "eo.aff"], "iso-8859-3"),
    "bel": (["unmunch", HUNSPELL + "be_BY.dic", HUNSPELL + "be_BY.aff"], "utf-8"),
    "cym": (["sh", "-c", "aspell -d cy dump master | aspell -l cy expand"], "utf-8"),
}
WORDS = 50000
SAMPLE = 400000
# N-grams kept per language and length: the most probable ones, which carry most of the mass.
KEEP = {1: 60, 2: 2000, 3: 15000, 4: 40000}
WORD = re.compile(r"^[^\W\d_]+$")

here = os.path.dirname(os.path.abspath(__file__))
out_path = os.path.join(here, "..", "src", "data", "lang", "ngrams.tsv")

floors = {}
table = defaultdict(list)
# Per wordfreq language, (length, relative frequency) of its words, most frequent first.
ranked_words = []


def add_model(ours, weighted_words):
    counts = {n: defaultdict(float) for n in KEEP}
    for word, weight in weighted_words:
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


for ours, theirs in sorted(CODES.items()):
    words = [w for w in wordfreq.top_n_list(theirs, WORDS) if WORD.match(w)]
    weighted = [(w, wordfreq.word_frequency(w, theirs)) for w in words]
    add_model(ours, weighted)
    total = sum(f for _, f in weighted)
    ranked_words.append([(len(w), f / total) for w, f in weighted])


def hand_list(code):
    path = os.path.join(here, "..", "src", "data", "lang", code + ".txt")
    with open(path, encoding="utf-8") as f:
        lines = (line.strip() for line in f if not line.startswith("#"))
        return [w for w in lines if WORD.match(w)]


def dictionary_weights(code, command, encoding):
    head = list(dict.fromkeys(hand_list(code)))
    # Mean relative frequency of rank r, and mean length distribution past the head's ranks.
    rank_mass = [sum(lang[r][1] for lang in ranked_words if r < len(lang)) / len(ranked_words)
                 for r in range(len(head))]
    tail_lengths = defaultdict(float)
    for lang in ranked_words:
        for length, freq in lang[len(head):]:
            tail_lengths[length] += freq / len(ranked_words)
    tail_mass = 1.0 - sum(rank_mass)
    tail_total = sum(tail_lengths.values())
    output = subprocess.run(command, capture_output=True, check=True).stdout
    forms = set()
    for line in output.decode(encoding, errors="replace").split():
        # Capitalised entries are names; running-text statistics come from common words.
        if WORD.match(line) and line == line.lower():
            forms.add(line)
    forms -= set(head)
    forms = sorted(forms)
    sample = random.Random(0).sample(forms, min(SAMPLE, len(forms)))
    by_length = defaultdict(int)
    for w in sample:
        by_length[len(w)] += 1
    # Lengths the sample lacks lose their share; the rest is renormalised.
    covered = sum(tail_lengths[n] for n in by_length)
    weighted = list(zip(head, rank_mass))
    weighted += [(w, tail_mass * tail_lengths[len(w)] / covered / by_length[len(w)])
                 for w in sample]
    print(code, len(head), "hand words", round(sum(rank_mass), 3), "of the mass;",
          len(forms), "dictionary forms")
    return weighted


for ours, (command, encoding) in sorted(DICTIONARIES.items()):
    add_model(ours, dictionary_weights(ours, command, encoding))

with open(out_path, "w", encoding="utf-8") as f:
    f.write("# character 1-4-gram log probabilities per language, made by "
            "scripts/make_lang_ngrams.py from wordfreq 3.1.1 (data CC BY-SA 4.0) and, for "
            + ", ".join(sorted(DICTIONARIES)) + ", Debian's spelling dictionaries\n")
    for code in sorted(floors):
        f.write("@\t" + code + "\t" + " ".join(str(x) for x in floors[code]) + "\n")
    for gram in sorted(table):
        entries = " ".join(f"{c}:{v}" for c, v in sorted(table[gram]))
        f.write(f"{gram}\t{entries}\n")
