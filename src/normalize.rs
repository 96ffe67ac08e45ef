//! Unicode normalization and whitespace cleanup. The output of this stage is the document text
//! every offset in the tables points into.
//!
//! - NFC (or NFKC) composition, skipped when the quick check already says the text is in form;
//! - no-break and other space separators and tabs become a space, runs of spaces collapse, and
//!   spaces at the ends of lines go;
//! - control characters, zero-width spaces, soft hyphens and bidi controls go; the zero-width
//!   joiner and non-joiner stay, because they change how emoji and Persian/Indic words read;
//! - line breaks become `\n`, and blank-line runs collapse to one blank line: a paragraph break,
//!   which sentence segmentation treats as a boundary.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick, is_nfkc_quick};

/// The Unicode normalization form applied to document text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NormalForm {
    /// Canonical composition: keeps compatibility characters (ligatures, full-width forms).
    #[default]
    Nfc,
    /// Compatibility composition: folds ligatures, full-width and superscript forms.
    Nfkc,
}

impl NormalForm {
    /// The name used on the command line and in metadata.
    pub fn as_str(self) -> &'static str {
        match self {
            NormalForm::Nfc => "nfc",
            NormalForm::Nfkc => "nfkc",
        }
    }
}

/// Normalizes `text` as described in the module documentation.
pub fn normalize(text: &str, form: NormalForm) -> String {
    let composed;
    let source = match form {
        NormalForm::Nfc if is_nfc_quick(text.chars()) != IsNormalized::Yes => {
            composed = text.nfc().collect::<String>();
            composed.as_str()
        }
        NormalForm::Nfkc if is_nfkc_quick(text.chars()) != IsNormalized::Yes => {
            composed = text.nfkc().collect::<String>();
            composed.as_str()
        }
        _ => text,
    };
    clean_whitespace(source)
}

enum Class {
    Keep,
    Space,
    Newline,
    Drop,
}

fn classify(c: char) -> Class {
    match c {
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => Class::Newline,
        ' ' | '\t' => Class::Space,
        '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{AD}' | '\u{200E}' | '\u{200F}' => Class::Drop,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => Class::Drop,
        '\u{200C}' | '\u{200D}' => Class::Keep,
        c if c.is_control() => Class::Drop,
        // Unicode Zs: no-break space, the en/em/thin spaces, ideographic space, …
        '\u{A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => {
            Class::Space
        }
        _ => Class::Keep,
    }
}

/// The length of the run of printable ASCII that starts `bytes`, with the single spaces between
/// two of its characters: cleaning writes such a space before the character after it, so the
/// run comes out as it is, and a line of words is one run rather than one per word.
fn kept_ascii_run(bytes: &[u8]) -> usize {
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte.is_ascii_graphic() {
            i += 1;
        } else if byte == b' ' && i > 0 && bytes.get(i + 1).is_some_and(u8::is_ascii_graphic) {
            i += 2;
        } else {
            break;
        }
    }
    i
}

fn clean_whitespace(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut pending_newlines = 0usize;
    let mut previous_was_cr = false;
    let mut at = 0;
    while at < bytes.len() {
        // Printable ASCII is always kept: copied a run at a time, most of most texts.
        let run = kept_ascii_run(&bytes[at..]);
        let c = if run > 0 {
            None
        } else {
            match text.get(at..).and_then(|rest| rest.chars().next()) {
                Some(c) => Some(c),
                None => break,
            }
        };
        let class = c.map_or(Class::Keep, classify);
        if let Class::Keep = class {
            if !out.is_empty() {
                if pending_newlines > 0 {
                    out.push_str(if pending_newlines > 1 { "\n\n" } else { "\n" });
                } else if pending_space {
                    out.push(' ');
                }
            }
            pending_space = false;
            pending_newlines = 0;
        }
        let Some(c) = c else {
            out.push_str(&text[at..at + run]);
            previous_was_cr = false;
            at += run;
            continue;
        };
        match class {
            Class::Keep => out.push(c),
            Class::Space => pending_space = true,
            Class::Newline => {
                // "\r\n" is one line break, not two.
                if !(c == '\n' && previous_was_cr) {
                    pending_newlines += if c == '\u{2029}' { 2 } else { 1 };
                }
                pending_space = false;
            }
            Class::Drop => {}
        }
        previous_was_cr = c == '\r';
        at += c.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition `clean_whitespace` implements, one character at a time.
    fn clean_by_chars(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut pending_space = false;
        let mut pending_newlines = 0usize;
        let mut previous_was_cr = false;
        for c in text.chars() {
            let is_cr = c == '\r';
            match classify(c) {
                Class::Keep => {
                    if !out.is_empty() {
                        if pending_newlines > 0 {
                            out.push_str(if pending_newlines > 1 { "\n\n" } else { "\n" });
                        } else if pending_space {
                            out.push(' ');
                        }
                    }
                    pending_space = false;
                    pending_newlines = 0;
                    out.push(c);
                }
                Class::Space => pending_space = true,
                Class::Newline => {
                    // "\r\n" is one line break, not two.
                    if !(c == '\n' && previous_was_cr) {
                        pending_newlines += if c == '\u{2029}' { 2 } else { 1 };
                    }
                    pending_space = false;
                }
                Class::Drop => {}
            }
            previous_was_cr = is_cr;
        }
        out
    }

    #[test]
    fn copying_ascii_runs_gives_what_classifying_each_character_gives() {
        let samples = [
            "Plain words, and more.  Two  spaces\tand a tab \r\n\r\n\r\nnext",
            "\u{a0}\u{a0}lead\u{2029}para\u{2028}line\u{85}x\u{b}y\u{c}z\r\rw\n\r\n",
            "Exe\u{301}rcito Sovie\u{301}tica — “quoted” ½ 👨\u{200D}👩 zero\u{200B}width\u{7}",
            "ends with spaces   \n   ",
            "",
            "\r\n",
        ];
        for sample in samples {
            assert_eq!(
                clean_whitespace(sample),
                clean_by_chars(sample),
                "{sample:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn ascii_run_copies_match_the_definition(text in "[a-z .,\\t\\r\\n\u{a0}\u{2029}\u{200b}\u{7}é😀]{0,40}") {
            proptest::prop_assert_eq!(clean_whitespace(&text), clean_by_chars(&text));
        }
    }

    #[test]
    fn no_break_spaces_from_a_wordpress_footer_become_single_spaces() {
        let line = "You are commenting using your Twitter account.\u{a0}Log\u{a0}Out\u{a0}/\u{a0} Change\u{a0})";
        assert_eq!(
            normalize(line, NormalForm::Nfc),
            "You are commenting using your Twitter account. Log Out / Change )"
        );
    }

    #[test]
    fn paragraph_breaks_survive_and_blank_runs_collapse() {
        let page = "“The Motherland Calls” statue.\r\n\r\n\r\n  February 2, 2021 is the 78th anniversary.  \nNext line";
        assert_eq!(
            normalize(page, NormalForm::Nfc),
            "“The Motherland Calls” statue.\n\nFebruary 2, 2021 is the 78th anniversary.\nNext line"
        );
    }

    #[test]
    fn decomposed_accents_are_composed() {
        let decomposed = "Exe\u{301}rcito Vermelho e a Unia\u{303}o Sovie\u{301}tica";
        assert_eq!(
            normalize(decomposed, NormalForm::Nfc),
            "Exército Vermelho e a União Soviética"
        );
    }

    #[test]
    fn nfkc_folds_ligatures_and_nfc_keeps_them() {
        assert_eq!(normalize("ﬁnal ２０２１", NormalForm::Nfkc), "final 2021");
        assert_eq!(normalize("ﬁnal", NormalForm::Nfc), "ﬁnal");
    }

    #[test]
    fn zero_width_spaces_and_controls_go_but_emoji_joiners_stay() {
        let family = "👨\u{200D}👩\u{200D}👧";
        let text = format!("Zero\u{200B}width\u{7} and {family} soft\u{AD}hyphen");
        assert_eq!(
            normalize(&text, NormalForm::Nfc),
            format!("Zerowidth and {family} softhyphen")
        );
    }
}
