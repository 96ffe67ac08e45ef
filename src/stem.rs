//! Snowball stemming (rust-stemmers) in a token's language.

use crate::lang::Lang;
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The Snowball algorithm for a language, if rust-stemmers has one.
pub fn algorithm(lang: Lang) -> Option<Algorithm> {
    Some(match lang.code() {
        "ara" => Algorithm::Arabic,
        "dan" => Algorithm::Danish,
        "nld" => Algorithm::Dutch,
        "eng" => Algorithm::English,
        "fin" => Algorithm::Finnish,
        "fra" => Algorithm::French,
        "deu" => Algorithm::German,
        "ell" => Algorithm::Greek,
        "hun" => Algorithm::Hungarian,
        "ita" => Algorithm::Italian,
        "nob" | "nno" => Algorithm::Norwegian,
        "por" => Algorithm::Portuguese,
        "ron" => Algorithm::Romanian,
        "rus" => Algorithm::Russian,
        "spa" => Algorithm::Spanish,
        "swe" => Algorithm::Swedish,
        "tam" => Algorithm::Tamil,
        "tur" => Algorithm::Turkish,
        _ => return None,
    })
}

/// Stemmers for every language seen so far, created on first use, with a cache of the words
/// they have stemmed: word frequencies are Zipfian, so most tokens are words seen before, and a
/// hash lookup costs a fraction of a Snowball run.
#[derive(Default)]
pub struct Stemmers {
    by_lang: Vec<LangStemmer>,
}

struct LangStemmer {
    lang: Lang,
    stemmer: Option<Stemmer>,
    /// Word → index of its stem in `spans`; the stems themselves are one buffer.
    cache: HashMap<Box<str>, u32, BuildHasherDefault<FxHasher>>,
    stems: String,
    spans: Vec<(u32, u32)>,
}

/// Cached words per language at most; the cache starts afresh when full, which keeps a
/// worker's memory bounded whatever the corpus size.
const CACHE_WORDS: usize = 1 << 15;

impl Stemmers {
    fn index(&mut self, lang: Lang) -> usize {
        match self.by_lang.iter().position(|known| known.lang == lang) {
            Some(index) => index,
            None => {
                self.by_lang.push(LangStemmer {
                    lang,
                    stemmer: algorithm(lang).map(Stemmer::create),
                    cache: HashMap::default(),
                    stems: String::new(),
                    spans: Vec::new(),
                });
                self.by_lang.len() - 1
            }
        }
    }

    /// Stems a lower-cased word in `lang`; `None` where the language has no Snowball stemmer.
    pub fn stem<'a>(&mut self, lang: Lang, lower: &'a str) -> Option<std::borrow::Cow<'a, str>> {
        let index = self.index(lang);
        self.by_lang[index]
            .stemmer
            .as_ref()
            .map(|stemmer| stemmer.stem(lower))
    }

    /// [`Stemmers::stem`] through the cache: the same result, borrowed from the cache.
    pub fn stem_cached(&mut self, lang: Lang, lower: &str) -> Option<&str> {
        let index = self.index(lang);
        let entry = &mut self.by_lang[index];
        let stemmer = entry.stemmer.as_ref()?;
        let index = match entry.cache.get(lower) {
            Some(&index) => index,
            None => {
                if entry.cache.len() >= CACHE_WORDS {
                    entry.cache.clear();
                    entry.stems.clear();
                    entry.spans.clear();
                }
                let start = entry.stems.len() as u32;
                entry.stems.push_str(&stemmer.stem(lower));
                entry.spans.push((start, entry.stems.len() as u32));
                let index = entry.spans.len() as u32 - 1;
                entry.cache.insert(lower.into(), index);
                index
            }
        };
        let (start, end) = entry.spans[index as usize];
        Some(&entry.stems[start as usize..end as usize])
    }
}

/// The Fx hash (rustc's): a multiply per word of input, ample for short keys in a table that
/// no adversary fills, and several times cheaper than SipHash on words.
#[derive(Clone, Copy, Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, mut bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut mix = |word: u64| self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        while let Some((chunk, rest)) = bytes.split_first_chunk::<8>() {
            mix(u64::from_le_bytes(*chunk));
            bytes = rest;
        }
        if !bytes.is_empty() {
            let mut last = [0u8; 8];
            last[..bytes.len()].copy_from_slice(bytes);
            mix(u64::from_le_bytes(last) ^ ((bytes.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.write(&[byte]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_and_portuguese_stems() {
        let mut stemmers = Stemmers::default();
        let eng = Lang::from_code("eng");
        let por = Lang::from_code("por");
        assert_eq!(stemmers.stem(eng, "celebrating").as_deref(), Some("celebr"));
        assert_eq!(stemmers.stem(eng, "armies").as_deref(), Some("armi"));
        assert_eq!(stemmers.stem(por, "soviéticos").as_deref(), Some("soviét"));
    }

    #[test]
    fn cached_stems_equal_direct_stems_also_after_the_cache_fills() {
        let mut cached = Stemmers::default();
        let mut direct = Stemmers::default();
        let eng = Lang::from_code("eng");
        let words = ["celebrating", "armies", "nationalities", "running"];
        for i in 0..(CACHE_WORDS + 10) {
            let word = format!("{}{}s", words[i % words.len()], i);
            let expected = direct.stem(eng, &word).map(|s| s.into_owned());
            assert_eq!(cached.stem_cached(eng, &word).map(str::to_owned), expected);
        }
        assert_eq!(cached.stem_cached(eng, "armies"), Some("armi"));
        assert_eq!(cached.stem_cached(Lang::from_code("pol"), "wojna"), None);
    }

    #[test]
    fn languages_without_a_stemmer_give_none() {
        let mut stemmers = Stemmers::default();
        assert_eq!(stemmers.stem(Lang::from_code("pol"), "wojna"), None);
        assert_eq!(stemmers.stem(Lang::UND, "war"), None);
    }
}
