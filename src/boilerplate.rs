//! Boilerplate line removal: comment forms, share bars, footers. Every removed line is reported
//! with the rule that removed it.

/// Why a line was removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Removal {
    /// 0-based line index in the input text (lines split on `\n`).
    pub line_index: u32,
    /// The rule's name, as written to `removed_lines.rule`.
    pub rule: &'static str,
}

/// The rule set, built once and shared by all workers.
#[derive(Debug, Default)]
pub struct Rules {}

impl Rules {
    /// The built-in rules for every language with a data file.
    pub fn builtin() -> Rules {
        Rules {}
    }

    /// Classifies the lines of `text` (split on `\n`), returning the removed ones in order.
    pub fn removals(&self, text: &str) -> Vec<Removal> {
        let _ = text;
        Vec::new()
    }
}
