//! Turns the language n-gram model (`src/data/lang/ngrams.tsv`, text for review and diffs)
//! into a table included in the binary (`src/packed.rs`), so no run pays for parsing it; so
//! too the word tables of the language word lists (`src/lang_lists.rs`).

use std::fmt::Write as _;
use std::path::Path;

#[path = "src/lang_lists.rs"]
mod lang_lists;
#[path = "src/packed.rs"]
mod packed;

const NGRAMS: &str = "src/data/lang/ngrams.tsv";

fn main() {
    println!("cargo:rerun-if-changed={NGRAMS}");
    println!("cargo:rerun-if-changed=src/packed.rs");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let text = std::fs::read_to_string(NGRAMS).unwrap_or_else(|e| panic!("{NGRAMS}: {e}"));
    let (floors, table) = compile_ngrams(&text).unwrap_or_else(|e| panic!("{NGRAMS}: {e}"));
    let out = Path::new(&out_dir);
    std::fs::write(out.join("ngram_floors.tsv"), floors).expect("write ngram_floors.tsv");
    std::fs::write(out.join("ngrams.bin"), table).expect("write ngrams.bin");

    println!("cargo:rerun-if-changed=src/lang_lists.rs");
    println!("cargo:rerun-if-changed=src/data/lang");
    let pack_entries = |entries: lang_lists::Entries| {
        packed::build(
            entries
                .into_iter()
                .map(|(key, entries)| (key, lang_lists::entry_bytes(&entries)))
                .collect(),
        )
    };
    std::fs::write(
        out.join("lang_words.bin"),
        pack_entries(lang_lists::hand_entries()),
    )
    .expect("write lang_words.bin");
    std::fs::write(
        out.join("lang_frequent.bin"),
        pack_entries(lang_lists::frequent_entries()),
    )
    .expect("write lang_frequent.bin");
}

/// The `@` lines (language code and floors, in order) as text, and the n-grams as a packed
/// table whose values are (index of the code among the `@` lines, -10 log10 p) byte pairs.
fn compile_ngrams(text: &str) -> Result<(String, Vec<u8>), String> {
    let mut codes: Vec<&str> = Vec::new();
    let mut floors = String::new();
    let mut items = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let at = |what: &str| format!("line {}: {what}", number + 1);
        if line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("@\t") {
            let (code, _) = rest.split_once('\t').ok_or_else(|| at("no floors"))?;
            codes.push(code);
            writeln!(floors, "{rest}").map_err(|e| at(&e.to_string()))?;
            continue;
        }
        let (gram, entries) = line.split_once('\t').ok_or_else(|| at("no tab"))?;
        let key = packed::pack(gram).ok_or_else(|| at("n-gram over 16 bytes"))?;
        let mut value = Vec::new();
        for entry in entries.split(' ') {
            let (code, log) = entry
                .split_once(':')
                .ok_or_else(|| at("entry without ':'"))?;
            let index = codes
                .iter()
                .position(|c| *c == code)
                .ok_or_else(|| at(&format!("language {code} has no @ line before it")))?;
            let log: u8 = log
                .parse()
                .map_err(|_| at(&format!("{log} is not a byte")))?;
            value.extend([index as u8, log]);
        }
        items.push((key, value));
    }
    let count = items.len();
    items.sort_unstable_by_key(|(key, _)| *key);
    items.dedup_by_key(|(key, _)| *key);
    if items.len() != count {
        return Err("an n-gram is listed twice".into());
    }
    Ok((floors, packed::build(items)))
}
