//! `OUT/report.html`: one self-contained page about an output directory, built from its
//! [`Stats`]. Charts are inline SVG and the style is inline CSS, with no scripts, fonts or
//! links to fetch, so the page opens the same offline, attached to a mail or archived in CI.

use crate::stats::{EntityCount, Stats, StatsError};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Width of every chart in CSS pixels.
const WIDTH: u32 = 760;
/// Width kept for the labels left of horizontal bars.
const LABEL_WIDTH: u32 = 190;
/// Width kept for the values right of horizontal bars.
const VALUE_WIDTH: u32 = 80;
/// Height of one horizontal bar's row.
const ROW: u32 = 22;
/// Sentence lengths (in tokens) per histogram bucket.
const BUCKET: u32 = 5;
/// Buckets before the last, open-ended one.
const BUCKETS: u32 = 20;

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;\
max-width:820px;color:#1d2733;background:#fff}h1{font-size:1.6rem;margin-bottom:.2rem}\
h2{font-size:1.15rem;margin-top:2.2rem;border-bottom:1px solid #d8dee6;padding-bottom:.3rem}\
p.note{color:#5b6776;font-size:.9rem;margin-top:.2rem}table{border-collapse:collapse;font-size:.9rem}\
td,th{padding:.2rem .8rem .2rem 0;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}\
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin-top:1rem}.card{border:1px solid #d8dee6;\
border-radius:6px;padding:.5rem .9rem;min-width:110px}.card b{display:block;font-size:1.3rem}\
.card span{color:#5b6776;font-size:.8rem}.langs{display:flex;flex-wrap:wrap;gap:1.5rem}\
svg text{font-family:inherit;font-size:12px;fill:#1d2733}";

/// Escapes text for HTML and SVG content and attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Labels longer than this many characters are cut with an ellipsis (the full text is kept
/// in the bar's tooltip).
fn short(label: &str) -> String {
    const MAX: usize = 28;
    if label.chars().count() <= MAX {
        return label.to_owned();
    }
    let mut cut: String = label.chars().take(MAX - 1).collect();
    cut.push('…');
    cut
}

/// A horizontal bar chart, one bar per entry in the given order.
fn bar_chart(entries: &[(String, u64)], color: &str, label: &str) -> String {
    if entries.is_empty() {
        return "<p class=\"note\">No rows.</p>".to_owned();
    }
    let max = entries.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let height = ROW * entries.len() as u32 + 4;
    let span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    let mut svg = format!(
        "<svg width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{}\">",
        escape(label)
    );
    for (index, (name, n)) in entries.iter().enumerate() {
        let y = index as u32 * ROW + 2;
        let width = ((*n as f64 / max as f64) * span as f64).round().max(1.0) as u32;
        let _ = write!(
            svg,
            "<g><title>{title}: {n}</title><text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{text}</text>\
<rect x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{width}\" height=\"{bh}\" rx=\"2\" fill=\"{color}\"/>\
<text x=\"{vx}\" y=\"{ty}\">{n}</text></g>",
            title = escape(name),
            lx = LABEL_WIDTH - 8,
            ty = y + ROW / 2 + 2,
            text = escape(&short(name)),
            bh = ROW - 6,
            vx = LABEL_WIDTH + width + 6,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Entries sorted by count, largest first, ties by name.
fn by_count(counts: &BTreeMap<String, u64>) -> Vec<(String, u64)> {
    let mut entries: Vec<(String, u64)> = counts.iter().map(|(k, n)| (k.clone(), *n)).collect();
    entries.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    entries
}

/// Sentences per length bucket: `[0, 5)`, `[5, 10)`, …, and an open last bucket.
fn length_buckets(lengths: &BTreeMap<u32, u64>) -> Vec<(String, u64)> {
    let mut counts = vec![0u64; BUCKETS as usize + 1];
    for (length, n) in lengths {
        counts[(length / BUCKET).min(BUCKETS) as usize] += n;
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(index, n)| {
            let start = index as u32 * BUCKET;
            let label = if index as u32 == BUCKETS {
                format!("{start}+")
            } else {
                format!("{start}–{}", start + BUCKET - 1)
            };
            (label, n)
        })
        .collect()
}

/// A vertical histogram with labelled buckets.
fn histogram(buckets: &[(String, u64)], color: &str, label: &str) -> String {
    let total: u64 = buckets.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return "<p class=\"note\">No sentences.</p>".to_owned();
    }
    let (height, top, bottom, left) = (284u32, 16u32, 68u32, 50u32);
    let plot = height - top - bottom;
    let max = buckets.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
    let step = (WIDTH - left - 10) / buckets.len().max(1) as u32;
    let mut svg = format!(
        "<svg width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{}\">",
        escape(label)
    );
    let _ = write!(
        svg,
        "<line x1=\"{left}\" y1=\"{base}\" x2=\"{right}\" y2=\"{base}\" stroke=\"#8a96a3\"/>\
<text x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\">{max}</text><text x=\"{tx}\" y=\"{base}\" text-anchor=\"end\">0</text>",
        base = top + plot,
        right = WIDTH - 10,
        tx = left - 6,
        ty = top + 4,
    );
    for (index, (name, n)) in buckets.iter().enumerate() {
        let x = left + index as u32 * step;
        let bar = ((*n as f64 / max as f64) * plot as f64).round() as u32;
        let _ = write!(
            svg,
            "<g><title>{name} tokens: {n} sentences</title><rect x=\"{bx}\" y=\"{by}\" width=\"{bw}\" height=\"{bar}\" fill=\"{color}\"/>\
<text x=\"{cx}\" y=\"{ly}\" text-anchor=\"end\" transform=\"rotate(-45 {cx} {ly})\">{name}</text></g>",
            name = escape(name),
            bx = x + 2,
            by = top + plot - bar,
            bw = step.saturating_sub(4).max(1),
            cx = x + step / 2 + 4,
            ly = top + plot + 14,
        );
    }
    let _ = write!(
        svg,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">tokens per sentence</text></svg>",
        left + (WIDTH - left) / 2,
        height - 2
    );
    svg
}

fn entity_table(entities: &[EntityCount]) -> String {
    let mut html = String::from("<table><tr><th>candidate</th><th>count</th></tr>");
    for entity in entities {
        let _ = write!(
            html,
            "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
            escape(&entity.text),
            entity.count
        );
    }
    html.push_str("</table>");
    html
}

/// The report page for `stats`; `title` names the output directory.
pub fn render(stats: &Stats, title: &str) -> String {
    let rows = |name: &str| stats.rows.get(name).copied().unwrap_or(0);
    let mut html = String::with_capacity(32 * 1024);
    let _ = write!(
        html,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>corpusmill report: {title}</title><style>{STYLE}</style></head><body>\
<h1>corpusmill report</h1><p class=\"note\">{title}</p><div class=\"cards\">",
        title = escape(title)
    );
    let processed = stats
        .documents_by_status
        .get("processed")
        .copied()
        .unwrap_or(0);
    let cards = [
        ("documents", rows("documents")),
        ("processed", processed),
        ("sentences", rows("sentences")),
        ("tokens", rows("tokens")),
        ("entity candidates", rows("entities")),
        ("removed lines", rows("removed_lines")),
    ];
    for (name, n) in cards {
        let _ = write!(
            html,
            "<div class=\"card\"><b>{n}</b><span>{name}</span></div>"
        );
    }
    let statuses: Vec<String> = by_count(&stats.documents_by_status)
        .iter()
        .map(|(status, n)| format!("{n} {}", escape(status)))
        .collect();
    let _ = write!(
        html,
        "</div><p class=\"note\">Documents by status: {}. Input: {:.2} MB.</p>",
        statuses.join(", "),
        stats.input_bytes as f64 / 1e6
    );

    let sections: [(&str, &str, &str, String); 3] = [
        (
            "documents-by-language",
            "Documents per language",
            "Processed documents by document language.",
            bar_chart(
                &by_count(&stats.documents_by_lang),
                "#3b7dd8",
                "documents per language",
            ),
        ),
        (
            "tokens-by-language",
            "Tokens per language",
            "Tokens by the language of their sentence.",
            bar_chart(
                &by_count(&stats.tokens_by_lang),
                "#2f9e77",
                "tokens per language",
            ),
        ),
        (
            "boilerplate-by-rule",
            "Boilerplate removed per rule",
            "Lines removed before analysis, by the rule that removed them (table removed_lines).",
            bar_chart(
                &by_count(&stats.removed_lines_by_rule),
                "#d9822b",
                "removed lines per rule",
            ),
        ),
    ];
    for (id, heading, note, chart) in sections {
        let _ = write!(
            html,
            "<section id=\"{id}\"><h2>{heading}</h2><p class=\"note\">{note}</p>{chart}</section>"
        );
    }
    let _ = write!(
        html,
        "<section id=\"sentence-lengths\"><h2>Sentence length</h2>\
<p class=\"note\">Sentences by number of tokens, in buckets of {BUCKET}.</p>{}</section>",
        histogram(
            &length_buckets(&stats.sentence_lengths),
            "#7a5cc4",
            "sentence-length histogram"
        )
    );
    let top: Vec<(String, u64)> = stats
        .top_entities
        .iter()
        .map(|entity| (entity.text.clone(), entity.count))
        .collect();
    let _ = write!(
        html,
        "<section id=\"top-entities\"><h2>Top entity candidates</h2>\
<p class=\"note\">The most frequent named-entity candidates overall, then per document language.</p>{}<div class=\"langs\">",
        bar_chart(&top, "#c4455d", "top entity candidates")
    );
    for (lang, entities) in &stats.top_entities_by_lang {
        let _ = write!(
            html,
            "<div><h3>{}</h3>{}</div>",
            escape(lang),
            entity_table(entities)
        );
    }
    html.push_str("</div></section></body></html>\n");
    html
}

/// Reads the tables in `dir` and writes `dir/report.html`; returns its path.
pub fn write(dir: &Path) -> Result<PathBuf, StatsError> {
    let stats = crate::stats::read(dir)?;
    let title = dir.display().to_string();
    let html = render(&stats, &title);
    let path = dir.join("report.html");
    let temp = crate::output::temp_path_for(&path);
    let write_error = |error: std::io::Error| StatsError::Read {
        path: path.clone(),
        message: error.to_string(),
    };
    std::fs::write(&temp, html).map_err(write_error)?;
    std::fs::rename(&temp, &path).map_err(write_error)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Stats {
        let mut stats = Stats::default();
        stats.documents_by_lang.insert("eng".into(), 3);
        stats.documents_by_lang.insert("por".into(), 1);
        stats.tokens_by_lang.insert("eng".into(), 1200);
        stats.removed_lines_by_rule.insert("share_bar".into(), 4);
        stats.sentence_lengths.insert(3, 2);
        stats.sentence_lengths.insert(250, 1);
        stats.top_entities.push(EntityCount {
            text: "<script>Stalingrad & Volga</script>".into(),
            count: 7,
        });
        stats
    }

    #[test]
    fn text_from_the_corpus_is_escaped() {
        let html = render(&sample(), "out");
        assert!(html.contains("&lt;script&gt;Stalingrad &amp; Volga&lt;/script&gt;"));
        assert!(!html.contains("<script"));
    }

    #[test]
    fn the_page_is_self_contained() {
        let html = render(&sample(), "out");
        for reference in ["http://", "https://", "src=", "href=", "@import", "url("] {
            assert!(!html.contains(reference), "{reference}");
        }
        for id in [
            "documents-by-language",
            "tokens-by-language",
            "boilerplate-by-rule",
            "sentence-lengths",
            "top-entities",
        ] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
        }
    }

    #[test]
    fn long_sentences_fall_in_the_open_bucket() {
        let buckets = length_buckets(&sample().sentence_lengths);
        assert_eq!(buckets[0], ("0–4".to_owned(), 2));
        assert_eq!(buckets.last().cloned(), Some(("100+".to_owned(), 1)));
    }

    #[test]
    fn empty_tables_give_a_note_not_a_chart() {
        let html = render(&Stats::default(), "empty");
        assert!(html.contains("No rows."));
        assert!(html.contains("No sentences."));
    }
}
