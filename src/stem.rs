//! Snowball stemming (rust-stemmers) in a token's language.

use crate::lang::Lang;
use rust_stemmers::{Algorithm, Stemmer};
use std::borrow::Cow;
use std::hash::Hasher;

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
    /// Words cached since `previous` filled up.
    current: Generation,
    /// The generation before: a word found there moves to `current`, so the words in use
    /// survive a generation's end and only words unseen for a whole generation are dropped.
    previous: Generation,
    /// The stem of the last word too long to cache.
    uncached: String,
}

/// One generation of the cache. Each word is found by its full hash, which the table entry
/// holds, so a lookup touches the entry and then one place in `arena`: the word with its stem
/// right after it.
#[derive(Default)]
struct Generation {
    cache: hashbrown::HashTable<CachedStem>,
    arena: String,
}

impl Generation {
    fn find(&self, hash: u64, word: &str) -> Option<CachedStem> {
        let arena = self.arena.as_bytes();
        self.cache
            .find(hash, |cached| {
                cached.hash == hash
                    && arena.get(cached.start as usize..cached.stem_start())
                        == Some(word.as_bytes())
            })
            .copied()
    }

    fn insert(&mut self, hash: u64, word: &str, stem: &str) -> CachedStem {
        let cached = CachedStem {
            hash,
            start: self.arena.len() as u32,
            word_len: word.len() as u16,
            stem_len: stem.len() as u16,
        };
        self.arena.push_str(word);
        self.arena.push_str(stem);
        self.cache.insert_unique(hash, cached, |cached| cached.hash);
        cached
    }

    fn stem(&self, cached: CachedStem) -> Option<&str> {
        let start = cached.stem_start();
        self.arena.get(start..start + cached.stem_len as usize)
    }

    fn clear(&mut self) {
        self.cache.clear();
        self.arena.clear();
    }
}

#[derive(Clone, Copy)]
struct CachedStem {
    hash: u64,
    start: u32,
    word_len: u16,
    stem_len: u16,
}

impl CachedStem {
    fn stem_start(self) -> usize {
        self.start as usize + self.word_len as usize
    }
}

/// Cached words per language and generation at most: two generations keep a worker's memory
/// bounded (a few MB per language) whatever the corpus size.
const CACHE_WORDS: usize = 1 << 16;
/// Longer words are stemmed every time: they are rare, and the cache's lengths are `u16`.
const CACHE_WORD_BYTES: usize = 64;

impl Stemmers {
    fn index(&mut self, lang: Lang) -> usize {
        match self.by_lang.iter().position(|known| known.lang == lang) {
            Some(index) => index,
            None => {
                self.by_lang.push(LangStemmer {
                    lang,
                    stemmer: algorithm(lang).map(Stemmer::create),
                    current: Generation::default(),
                    previous: Generation::default(),
                    uncached: String::new(),
                });
                self.by_lang.len() - 1
            }
        }
    }

    /// Stems a lower-cased word in `lang`; `None` where the language has no Snowball stemmer.
    pub fn stem<'a>(&mut self, lang: Lang, lower: &'a str) -> Option<Cow<'a, str>> {
        let index = self.index(lang);
        self.by_lang[index]
            .stemmer
            .as_ref()
            .map(|stemmer| snowball_stem(stemmer, lang, lower))
    }

    /// [`Stemmers::stem`] through the cache: the same result, borrowed from the cache.
    pub fn stem_cached(&mut self, lang: Lang, lower: &str) -> Option<&str> {
        let index = match self.by_lang.first() {
            Some(first) if first.lang == lang => 0,
            _ => self.index(lang),
        };
        let LangStemmer {
            lang: _,
            stemmer,
            current,
            previous,
            uncached,
        } = &mut self.by_lang[index];
        let stemmer = stemmer.as_ref()?;
        if lower.len() > CACHE_WORD_BYTES {
            uncached.clear();
            uncached.push_str(&snowball_stem(stemmer, lang, lower));
            return Some(uncached);
        }
        let hash = fx_hash(lower.as_bytes());
        if let Some(cached) = current.find(hash, lower) {
            return current.stem(cached);
        }
        if current.cache.len() >= CACHE_WORDS {
            std::mem::swap(current, previous);
            current.clear();
        }
        let cached = match previous
            .find(hash, lower)
            .and_then(|old| previous.stem(old))
        {
            Some(stem) => current.insert(hash, lower, stem),
            None => current.insert(hash, lower, &snowball_stem(stemmer, lang, lower)),
        };
        current.stem(cached)
    }
}

/// Runs rust-stemmers on a word adapted to what its (older) Snowball algorithms expect, so that
/// stems follow current Snowball where the difference lies in the input, not the algorithm:
/// - Russian: current Snowball folds `ё` into `е` first; the old algorithm has no rules for `ё`.
/// - Turkish: current Snowball drops an apostrophe and what follows it ("Ankara'nın"), the
///   suffix of a proper noun; the old algorithm reads the apostrophe as a letter.
/// - Romanian: the old algorithm knows only the cedilla letters `ş`/`ţ`, while text (and current
///   Snowball) writes the comma-below `ș`/`ț`; the word is stemmed in the cedilla spelling and
///   its stem given back with comma-below letters, so both spellings share one stem.
fn snowball_stem<'a>(stemmer: &Stemmer, lang: Lang, lower: &'a str) -> Cow<'a, str> {
    if lower.is_ascii() && lang.code() != "tur" {
        return stemmer.stem(lower);
    }
    match lang.code() {
        "rus" if lower.contains('ё') => {
            Cow::Owned(stemmer.stem(&lower.replace('ё', "е")).into_owned())
        }
        "tur" => match lower.find(['\'', '’']) {
            Some(0) | None => stemmer.stem(lower),
            Some(apostrophe) => Cow::Owned(stemmer.stem(&lower[..apostrophe]).into_owned()),
        },
        "ron" if lower.contains(['ș', 'ț', 'ş', 'ţ']) => {
            let cedilla: String = lower
                .chars()
                .map(|c| match c {
                    'ș' => 'ş',
                    'ț' => 'ţ',
                    other => other,
                })
                .collect();
            let stem = stemmer.stem(&cedilla);
            Cow::Owned(
                stem.chars()
                    .map(|c| match c {
                        'ş' => 'ș',
                        'ţ' => 'ț',
                        other => other,
                    })
                    .collect(),
            )
        }
        _ => stemmer.stem(lower),
    }
}

/// The Fx hash of `bytes`, its high half folded into its low half. The table picks a word's
/// slot by the hash's low bits, and a product's low bits depend only on the low bits of what
/// was multiplied: for a word of up to eight bytes, its first letters. Unfolded, words that
/// begin alike crowded the same slots.
fn fx_hash(bytes: &[u8]) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write(bytes);
    let hash = hasher.finish();
    hash ^ (hash >> 32)
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
    fn russian_yo_turkish_apostrophes_and_romanian_commas_stem_as_current_snowball() {
        let mut stemmers = Stemmers::default();
        let rus = Lang::from_code("rus");
        let tur = Lang::from_code("tur");
        let ron = Lang::from_code("ron");
        assert_eq!(stemmers.stem(rus, "актёр").as_deref(), Some("актер"));
        assert_eq!(stemmers.stem(rus, "берёза").as_deref(), Some("берез"));
        assert_eq!(stemmers.stem(tur, "beyoğlu'na").as_deref(), Some("beyoğlu"));
        assert_eq!(stemmers.stem(tur, "deresi’nin").as_deref(), Some("deres"));
        // Both Romanian spellings of "abandonați" lose the suffix and share a comma-below stem.
        assert_eq!(stemmers.stem(ron, "abandonați").as_deref(), Some("abandon"));
        assert_eq!(stemmers.stem(ron, "abandonaţi").as_deref(), Some("abandon"));
        assert_eq!(
            stemmers.stem(ron, "regăsește"),
            stemmers.stem(ron, "regăseşte")
        );
        assert_eq!(
            stemmers.stem(ron, "meşteşugari").as_deref(),
            Some("meșteșugar")
        );
        assert_eq!(stemmers.stem_cached(ron, "abandonați"), Some("abandon"));
    }

    #[test]
    fn cached_stems_equal_direct_stems_also_after_the_cache_fills() {
        let mut cached = Stemmers::default();
        let mut direct = Stemmers::default();
        let eng = Lang::from_code("eng");
        let words = ["celebrating", "armies", "nationalities", "running"];
        for i in 0..(2 * CACHE_WORDS + 10) {
            let word = format!("{}{}s", words[i % words.len()], i);
            let expected = direct.stem(eng, &word).map(|s| s.into_owned());
            assert_eq!(cached.stem_cached(eng, &word).map(str::to_owned), expected);
            // A word in use moves on to each new generation with its stem.
            if i % 1000 == 0 {
                assert_eq!(cached.stem_cached(eng, "nationalities"), Some("nation"));
            }
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
