//! `corpusmill inspect FILE`: a page line by line, each line marked kept or removed with the rule
//! that removed it, so a person can audit the boilerplate stage.
//!
//! A plain-text file is one page. A JSON Lines file is a small corpus: each record (its `text`,
//! or the `lines` of a line-labelled eval page) is a page, the repeated-line statistics are
//! gathered over all of them first, as `run` does, and every page is printed in turn.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::boilerplate::{Config, Removal, Rules};
use crate::decode::decode;
use crate::input::url_host;
use crate::linestats::{LineStats, RepeatedLines};

/// One page to show.
struct Page {
    title: String,
    site: String,
    text: String,
}

const RED: &str = "\x1b[31m";
const DIM: &str = "\x1b[2m";
const GREEN: &str = "\x1b[32m";
const RESET: &str = "\x1b[0m";

/// Prints every page of `path` line by line with its verdict; `color` adds ANSI colours.
pub fn inspect(
    path: &Path,
    config: Config,
    color: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("read {}", path.display()))?;
    let source = path.display().to_string();
    let pages = pages_of(&bytes, &source)
        .with_context(|| format!("read the pages of {}", path.display()))?;
    let repeated = (pages.len() > 1).then(|| {
        let mut stats = LineStats::new();
        for page in &pages {
            stats.add_document(&page.site, &page.text);
        }
        stats.finish()
    });
    let rules = Rules::with_config(config);
    for page in &pages {
        if pages.len() > 1 {
            writeln!(out, "=== {}", page.title)?;
        }
        let removals = rules.removals_in(&page.text, &page.site, repeated.as_ref());
        render(&page.text, &removals, color, out)?;
    }
    Ok(())
}

/// Removals of `text` as a page of its own (no corpus statistics), rendered as [`render`] does.
pub fn render_page(text: &str, rules: &Rules, repeated: Option<&RepeatedLines>) -> String {
    let removals = rules.removals_in(text, "", repeated);
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = render(text, &removals, false, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes `text` line by line: line number, `keep` or `DROP` with the rule (and the number of
/// documents of the site sharing the line, when it repeats), then the line.
pub fn render(
    text: &str,
    removals: &[Removal],
    color: bool,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let mut next = removals.iter().peekable();
    let rule_width = removals.iter().map(|r| r.rule.len()).max().unwrap_or(0);
    for (index, line) in text.split('\n').enumerate() {
        let removal = next
            .next_if(|r| r.line_index as usize == index)
            .map(|r| (r.rule, r.doc_freq));
        let number = index + 1;
        match removal {
            Some((rule, doc_freq)) => {
                let freq = doc_freq.map(|f| format!(" ×{f}")).unwrap_or_default();
                let tag = format!("{rule}{freq}");
                if color {
                    writeln!(
                        out,
                        "{DIM}{number:>5}{RESET} {RED}DROP {tag:<rule_width$}{RESET} {DIM}{line}{RESET}"
                    )?;
                } else {
                    writeln!(out, "{number:>5} DROP {tag:<rule_width$} {line}")?;
                }
            }
            None if line.trim().is_empty() => writeln!(out, "{number:>5}")?,
            None => {
                let tag = "";
                if color {
                    writeln!(
                        out,
                        "{DIM}{number:>5}{RESET} {GREEN}keep{RESET} {tag:<rule_width$} {line}"
                    )?;
                } else {
                    writeln!(out, "{number:>5} keep {tag:<rule_width$} {line}")?;
                }
            }
        }
    }
    Ok(())
}

fn pages_of(bytes: &[u8], source: &str) -> anyhow::Result<Vec<Page>> {
    let is_jsonl = source.ends_with(".jsonl") || source.ends_with(".ndjson");
    let text = decode(bytes)
        .map(|d| d.text.into_owned())
        .unwrap_or_default();
    if !is_jsonl {
        return Ok(vec![Page {
            title: source.to_owned(),
            site: source.to_owned(),
            text,
        }]);
    }
    let mut pages = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("line {} is not JSON", number + 1))?;
        let url = record.get("url").and_then(|u| u.as_str());
        let id = record
            .get("id")
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .unwrap_or_else(|| (number + 1).to_string());
        let text = if let Some(text) = record.get("text").and_then(|t| t.as_str()) {
            text.to_owned()
        } else if let Some(lines) = record.get("lines").and_then(|l| l.as_array()) {
            let lines: Vec<&str> = lines
                .iter()
                .map(|l| l.get(0).and_then(|t| t.as_str()).unwrap_or(""))
                .collect();
            lines.join("\n")
        } else {
            continue;
        };
        pages.push(Page {
            title: url.map_or_else(|| id.clone(), |u| format!("{id} {u}")),
            site: url.and_then(url_host).unwrap_or_else(|| source.to_owned()),
            text,
        });
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_each_line_with_its_verdict() {
        let text = "The station opened in 1932 and was rebuilt after the war with a new steel roof over the platforms.\n\
            \n\
            Leave a Reply";
        let shown = render_page(text, &Rules::builtin(), None);
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), 3, "{shown}");
        assert!(lines[0].starts_with("    1 keep"), "{shown}");
        assert!(lines[0].ends_with("steel roof over the platforms."));
        assert_eq!(lines[1], "    2");
        assert!(lines[2].starts_with("    3 DROP wp_leave_reply"), "{shown}");
        assert!(!shown.contains('\x1b'), "plain output has no colour codes");
    }

    #[test]
    fn colour_only_when_asked() {
        let mut out = Vec::new();
        let removals = [Removal {
            line_index: 1,
            rule: "share_bar",
            doc_freq: Some(4),
        }];
        render("Kept text.\nShare 0", &removals, true, &mut out).expect("write");
        let shown = String::from_utf8(out).expect("utf-8");
        assert!(
            shown.contains(RED) && shown.contains("share_bar ×4"),
            "{shown}"
        );
    }

    #[test]
    fn jsonl_pages_from_text_or_lines() {
        let data = br#"{"id":"a","url":"https://example.org/x","text":"One\nTwo"}
{"id":"b","lines":[["Alpha",true],["Beta",false]]}
"#;
        let pages = pages_of(data, "pages.jsonl").expect("parses");
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].site, "example.org");
        assert_eq!(pages[1].text, "Alpha\nBeta");
        assert_eq!(pages[1].site, "pages.jsonl");
    }
}
