//! The word lists of language identification (`src/data/lang/`) and the two word tables made
//! from them: the hand-written lists' words, and the frequency-weighted words.
//!
//! This file is compiled twice: into `build.rs`, which packs both tables into the binary
//! (`src/packed.rs` layout) so no run parses the ~120,000 listed words at start, and into the
//! library, which reads the lists' letters and endings and, in tests, rebuilds the tables to
//! check the packed ones against.

// The library reads only the lists' codes and texts outside tests; build.rs the rest.
#![cfg_attr(not(test), allow(dead_code))]

use std::collections::{BTreeMap, HashSet};

use crate::packed::pack;

/// Per-language frequent-word lists. Order defines the language index of both tables.
pub const WORD_LISTS: &[(&str, &str)] = &[
    ("afr", include_str!("data/lang/afr.txt")),
    ("aka", include_str!("data/lang/aka.txt")),
    ("aze", include_str!("data/lang/aze.txt")),
    ("bel", include_str!("data/lang/bel.txt")),
    ("bul", include_str!("data/lang/bul.txt")),
    ("cat", include_str!("data/lang/cat.txt")),
    ("ces", include_str!("data/lang/ces.txt")),
    ("cym", include_str!("data/lang/cym.txt")),
    ("dan", include_str!("data/lang/dan.txt")),
    ("deu", include_str!("data/lang/deu.txt")),
    ("eng", include_str!("data/lang/eng.txt")),
    ("epo", include_str!("data/lang/epo.txt")),
    ("est", include_str!("data/lang/est.txt")),
    ("fin", include_str!("data/lang/fin.txt")),
    ("fra", include_str!("data/lang/fra.txt")),
    ("hrv", include_str!("data/lang/hrv.txt")),
    ("hun", include_str!("data/lang/hun.txt")),
    ("ind", include_str!("data/lang/ind.txt")),
    ("ita", include_str!("data/lang/ita.txt")),
    ("jav", include_str!("data/lang/jav.txt")),
    ("lat", include_str!("data/lang/lat.txt")),
    ("lav", include_str!("data/lang/lav.txt")),
    ("lit", include_str!("data/lang/lit.txt")),
    ("mkd", include_str!("data/lang/mkd.txt")),
    ("nld", include_str!("data/lang/nld.txt")),
    ("nob", include_str!("data/lang/nob.txt")),
    ("pol", include_str!("data/lang/pol.txt")),
    ("por", include_str!("data/lang/por.txt")),
    ("ron", include_str!("data/lang/ron.txt")),
    ("rus", include_str!("data/lang/rus.txt")),
    ("slk", include_str!("data/lang/slk.txt")),
    ("slv", include_str!("data/lang/slv.txt")),
    ("sna", include_str!("data/lang/sna.txt")),
    ("spa", include_str!("data/lang/spa.txt")),
    ("srp", include_str!("data/lang/srp.txt")),
    ("swe", include_str!("data/lang/swe.txt")),
    ("tgl", include_str!("data/lang/tgl.txt")),
    ("tuk", include_str!("data/lang/tuk.txt")),
    ("tur", include_str!("data/lang/tur.txt")),
    ("ukr", include_str!("data/lang/ukr.txt")),
    ("uzb", include_str!("data/lang/uzb.txt")),
    ("vie", include_str!("data/lang/vie.txt")),
    ("zul", include_str!("data/lang/zul.txt")),
];

/// Frequency lists (word, Zipf frequency) made from wordfreq by `scripts/make_lang_freq.py`.
/// Languages without one are scored on their hand-written list, ranked.
pub const FREQ_LISTS: &[(&str, &str)] = &[
    ("bul", include_str!("data/lang/freq/bul.txt")),
    ("cat", include_str!("data/lang/freq/cat.txt")),
    ("ces", include_str!("data/lang/freq/ces.txt")),
    ("dan", include_str!("data/lang/freq/dan.txt")),
    ("deu", include_str!("data/lang/freq/deu.txt")),
    ("eng", include_str!("data/lang/freq/eng.txt")),
    ("fin", include_str!("data/lang/freq/fin.txt")),
    ("fra", include_str!("data/lang/freq/fra.txt")),
    ("hrv", include_str!("data/lang/freq/hrv.txt")),
    ("hun", include_str!("data/lang/freq/hun.txt")),
    ("ind", include_str!("data/lang/freq/ind.txt")),
    ("ita", include_str!("data/lang/freq/ita.txt")),
    ("lav", include_str!("data/lang/freq/lav.txt")),
    ("lit", include_str!("data/lang/freq/lit.txt")),
    ("mkd", include_str!("data/lang/freq/mkd.txt")),
    ("nld", include_str!("data/lang/freq/nld.txt")),
    ("nob", include_str!("data/lang/freq/nob.txt")),
    ("pol", include_str!("data/lang/freq/pol.txt")),
    ("por", include_str!("data/lang/freq/por.txt")),
    ("ron", include_str!("data/lang/freq/ron.txt")),
    ("rus", include_str!("data/lang/freq/rus.txt")),
    ("slk", include_str!("data/lang/freq/slk.txt")),
    ("slv", include_str!("data/lang/freq/slv.txt")),
    ("spa", include_str!("data/lang/freq/spa.txt")),
    ("srp", include_str!("data/lang/freq/srp.txt")),
    ("swe", include_str!("data/lang/freq/swe.txt")),
    ("tgl", include_str!("data/lang/freq/tgl.txt")),
    ("tur", include_str!("data/lang/freq/tur.txt")),
    ("ukr", include_str!("data/lang/freq/ukr.txt")),
    ("vie", include_str!("data/lang/freq/vie.txt")),
];

/// A table's words (packed), each with its (language index, weight) entries, languages in
/// index order: the order in which a word's weights are added up.
pub type Entries = BTreeMap<u128, Vec<(u8, f32)>>;

/// Bytes per (language, weight) entry in a packed value.
pub const ENTRY_BYTES: usize = 5;

/// The packed form of one word's entries: per language its index byte, then the weight's
/// little-endian bytes.
pub fn entry_bytes(entries: &[(u8, f32)]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(entries.len() * ENTRY_BYTES);
    for &(index, weight) in entries {
        bytes.push(index);
        bytes.extend_from_slice(&weight.to_le_bytes());
    }
    bytes
}

/// The words of a hand-written list: lower-cased, with the typographic apostrophe made plain;
/// `#` comments, `=` letter lines and `-` ending lines left out.
fn hand_words(list: &str) -> impl Iterator<Item = String> + '_ {
    list.lines()
        .map(str::trim)
        .filter(|w| !w.is_empty() && !w.starts_with(['#', '=', '-']))
        .map(|w| w.to_lowercase().replace('’', "'"))
}

/// The hand-written lists: each word 1/k for each of the k languages listing it.
pub fn hand_entries() -> Entries {
    let mut masks: BTreeMap<String, u64> = BTreeMap::new();
    for (index, (_, list)) in WORD_LISTS.iter().enumerate() {
        for word in hand_words(list) {
            *masks.entry(word).or_default() |= 1u64 << index;
        }
    }
    // Croatian and Serbian (Latin script) share most of their words; counting them as two
    // languages would halve that evidence against Slovenian, the real competitor.
    let bit = |code: &str| {
        WORD_LISTS
            .iter()
            .position(|(c, _)| *c == code)
            .map_or(0u64, |i| 1u64 << i)
    };
    let serbo_croatian = bit("hrv") | bit("srp");
    let share = |mask: u64| {
        let mut languages = mask.count_ones();
        if mask & serbo_croatian == serbo_croatian {
            languages -= 1;
        }
        1.0 / languages.max(1) as f32
    };
    let mut table = Entries::new();
    for (word, mask) in masks {
        // Words over 16 bytes are left out (never looked up).
        let Some(key) = pack(&word) else { continue };
        let weight = share(mask);
        let entries = table.entry(key).or_default();
        entries.extend(bits(mask).map(|index| (index as u8, weight)));
    }
    table
}

/// Indices of the set bits of `mask`, lowest first.
pub fn bits(mut mask: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let index = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            index
        })
    })
}

/// Zipf frequency (log10 per billion words) below which a word counts as unseen: the floor
/// of the naive Bayes comparison, about the frequency of a language's 10,000th word.
const FREQ_FLOOR: f32 = 3.0;
/// Zipf units per word-hit unit, so frequency scores compare with the first pass's.
const FREQ_SCALE: f32 = 2.5;
/// Hand-listed words without a frequency count as a word this frequent.
const HAND_ZIPF: f32 = 3.5;

/// Pseudo Zipf frequency of the `rank`-th word (from 1) of a hand-written list, for languages
/// without a frequency list: Zipf's law, with "the" about 7.
fn rank_zipf(rank: usize) -> f32 {
    (7.0 - (rank as f32).log10()).max(HAND_ZIPF)
}

/// The frequency-weighted table (naive Bayes log-ratios against an unseen-word floor): each
/// language's frequency list, or its hand-written list by rank; hand-listed words missing from
/// a frequency list are added at `HAND_ZIPF`. Words not above the floor are left out.
pub fn frequent_entries() -> Entries {
    let mut table = Entries::new();
    let mut add = |key: u128, index: usize, zipf: f32| {
        let weight = (zipf - FREQ_FLOOR) / FREQ_SCALE;
        if weight > 0.0 {
            table.entry(key).or_default().push((index as u8, weight));
        }
    };
    let mut seen: HashSet<u128> = HashSet::new();
    for (index, (code, hand)) in WORD_LISTS.iter().enumerate() {
        seen.clear();
        if let Some((_, data)) = FREQ_LISTS.iter().find(|(c, _)| c == code) {
            for line in data.lines().filter(|l| !l.starts_with('#')) {
                if let Some((word, zipf)) = line.split_once('\t')
                    && let Some(key) = pack(word)
                    && let Ok(zipf) = zipf.trim().parse::<f32>()
                    && seen.insert(key)
                {
                    add(key, index, zipf);
                }
            }
        }
        let ranked = seen.is_empty();
        for (rank, word) in hand_words(hand).enumerate() {
            let Some(key) = pack(&word) else { continue };
            if seen.insert(key) {
                let zipf = if ranked {
                    rank_zipf(rank + 1)
                } else {
                    HAND_ZIPF
                };
                add(key, index, zipf);
            }
        }
    }
    table
}
