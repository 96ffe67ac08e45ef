//! Snowball stemming (rust-stemmers) in a token's language.

use crate::lang::Lang;
use rust_stemmers::{Algorithm, Stemmer};

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

/// Stemmers for every language seen so far, created on first use.
#[derive(Default)]
pub struct Stemmers {
    by_lang: Vec<(Lang, Option<Stemmer>)>,
}

impl Stemmers {
    /// Stems a lower-cased word in `lang`; `None` where the language has no Snowball stemmer.
    pub fn stem<'a>(&mut self, lang: Lang, lower: &'a str) -> Option<std::borrow::Cow<'a, str>> {
        let stemmer = match self.by_lang.iter().position(|(known, _)| *known == lang) {
            Some(index) => &self.by_lang[index].1,
            None => {
                self.by_lang.push((lang, algorithm(lang).map(Stemmer::create)));
                &self.by_lang[self.by_lang.len() - 1].1
            }
        };
        stemmer.as_ref().map(|stemmer| stemmer.stem(lower))
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
    fn languages_without_a_stemmer_give_none() {
        let mut stemmers = Stemmers::default();
        assert_eq!(stemmers.stem(Lang::from_code("pol"), "wojna"), None);
        assert_eq!(stemmers.stem(Lang::UND, "war"), None);
    }
}
