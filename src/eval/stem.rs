//! `eval stem`: agreement with the official Snowball test vocabularies.
//!
//! `DIR/<language>/voc.txt` holds words and `output.txt` their stems under the current Snowball
//! algorithms, line by line. Each word is lower-cased the way the pipeline lower-cases tokens and
//! stemmed with [`crate::stem::Stemmers`] in the language the folder names.

use super::{file_name, ratio, read_input, round4};
use crate::lang::Lang;
use crate::stem::Stemmers;
use anyhow::bail;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

/// The ISO 639-3 code of a Snowball language folder name.
pub fn folder_lang(name: &str) -> Option<&'static str> {
    Some(match name {
        "arabic" => "ara",
        "danish" => "dan",
        "dutch" => "nld",
        "english" => "eng",
        "finnish" => "fin",
        "french" => "fra",
        "german" => "deu",
        "greek" => "ell",
        "hungarian" => "hun",
        "italian" => "ita",
        "norwegian" => "nob",
        "portuguese" => "por",
        "romanian" => "ron",
        "russian" => "rus",
        "spanish" => "spa",
        "swedish" => "swe",
        "tamil" => "tam",
        "turkish" => "tur",
        _ => return None,
    })
}

/// One language's agreement.
#[derive(Clone, Debug, Default)]
pub struct LanguageAgreement {
    /// Words whose stem equals the reference.
    pub agree: u64,
    /// Words compared.
    pub total: u64,
    /// The first disagreements: word, reference stem, our stem.
    pub examples: Vec<(String, String, String)>,
}

impl LanguageAgreement {
    /// agree / total.
    pub fn rate(&self) -> f64 {
        ratio(self.agree, self.total)
    }
}

/// Lower-cases as the pipeline does before stemming.
fn lower(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
}

/// Compares one vocabulary with its reference stems.
pub fn agreement(
    lang: Lang,
    voc: &str,
    output: &str,
    examples: usize,
) -> anyhow::Result<LanguageAgreement> {
    let mut stemmers = Stemmers::default();
    let mut result = LanguageAgreement::default();
    let mut word = String::new();
    let (mut words, mut stems) = (voc.lines(), output.lines());
    loop {
        match (words.next(), stems.next()) {
            (Some(raw), Some(expected)) => {
                lower(raw.trim(), &mut word);
                let expected = expected.trim();
                let Some(ours) = stemmers.stem(lang, &word) else {
                    bail!("no stemmer for {}", lang.code());
                };
                result.total += 1;
                if ours == expected {
                    result.agree += 1;
                } else if result.examples.len() < examples {
                    result
                        .examples
                        .push((raw.to_owned(), expected.to_owned(), ours.into_owned()));
                }
            }
            (None, None) => break,
            _ => bail!("voc.txt and output.txt differ in length"),
        }
    }
    Ok(result)
}

/// Scores every language folder of `dir` with a known language and both files, in name order.
/// Folders that are not languages are skipped; unreadable or mismatched files are errors.
pub fn score_dir(
    dir: &Path,
    examples: usize,
) -> anyhow::Result<BTreeMap<String, anyhow::Result<LanguageAgreement>>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("read {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().join("voc.txt").is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut results = BTreeMap::new();
    for name in names {
        let Some(code) = folder_lang(&name) else {
            continue;
        };
        let folder = dir.join(&name);
        let result = read_input(&folder.join("voc.txt")).and_then(|voc| {
            let output = read_input(&folder.join("output.txt"))?;
            agreement(Lang::from_code(code), &voc, &output, examples)
        });
        results.insert(name, result);
    }
    Ok(results)
}

/// `eval stem` on a folder.
pub fn run(dir: &Path, examples: usize, json: bool) -> anyhow::Result<ExitCode> {
    let results = match score_dir(dir, examples) {
        Ok(results) => results,
        Err(error) => {
            errln!("corpusmill: eval stem: {error:#}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut failed = false;
    let mut per_language = serde_json::Map::new();
    let mut words = serde_json::Map::new();
    if !json {
        outln!("{:<12} {:>8} {:>9}", "language", "words", "agreement");
    }
    for (name, result) in &results {
        match result {
            Ok(agreement) => {
                per_language.insert(name.clone(), round4(agreement.rate()).into());
                words.insert(name.clone(), agreement.total.into());
                if !json {
                    outln!(
                        "{:<12} {:>8} {:>9.4}",
                        name,
                        agreement.total,
                        agreement.rate()
                    );
                    for (word, expected, ours) in &agreement.examples {
                        outln!("    {word:<24} snowball {expected:<20} ours {ours}");
                    }
                }
            }
            Err(error) => {
                failed = true;
                errln!("corpusmill: eval stem: {name}: {error:#}");
            }
        }
    }
    if json {
        let object = serde_json::json!({
            "file": file_name(dir),
            "per_language": per_language,
            "words": words,
        });
        outln!("{object}");
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agreement_counts_matching_stems_of_lowercased_words() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval/snowball");
        let results = score_dir(&dir, 5).expect("fixture folder");
        // "notalanguage" is skipped; english has 4 words, one reference stem deliberately wrong.
        assert_eq!(results.len(), 1);
        let english = results["english"].as_ref().expect("english scores");
        assert_eq!((english.agree, english.total), (3, 4));
        assert_eq!(
            english.examples,
            vec![("running".into(), "running".into(), "run".into())]
        );
    }

    #[test]
    fn mismatched_files_are_errors() {
        let eng = Lang::from_code("eng");
        assert!(agreement(eng, "a\nb\n", "a\n", 0).is_err());
        assert!(agreement(Lang::from_code("pol"), "a\n", "a\n", 0).is_err());
        assert_eq!(folder_lang("norwegian"), Some("nob"));
    }
}
