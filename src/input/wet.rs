//! Common Crawl WET files: WARC records whose `conversion` records hold the extracted text of
//! one page each. A small reader rather than a WARC crate: the one on crates.io pulls a second
//! deflate implementation, a parser-combinator library and date/uuid crates for what is a
//! header block, a length and a body.

use super::{
    InputFile, Line, RawDocument, ReadOptions, Unread, read_line_capped, record_site, too_large,
};
use std::io::{BufRead, Read};

/// Longest header line kept; WARC header lines are short.
const MAX_HEADER_LINE: u64 = 64 * 1024;
/// Most header lines in one record.
const MAX_HEADER_LINES: usize = 256;

/// The documents of one WET stream, one per `conversion` record.
pub(super) struct WetDocuments<'a> {
    reader: Box<dyn BufRead + Send>,
    file_source: &'a str,
    options: &'a ReadOptions,
    line: Vec<u8>,
    record_no: u64,
    done: bool,
}

/// The header fields a document needs.
#[derive(Default)]
struct Header {
    kind: String,
    target_uri: Option<String>,
    record_id: Option<String>,
    content_length: Option<u64>,
}

impl<'a> WetDocuments<'a> {
    pub(super) fn new(
        reader: Box<dyn BufRead + Send>,
        input: &'a InputFile,
        options: &'a ReadOptions,
    ) -> Self {
        WetDocuments {
            reader,
            file_source: &input.source,
            options,
            line: Vec::new(),
            record_no: 0,
            done: false,
        }
    }

    /// The next record's header, `None` at the end of the file.
    fn header(&mut self) -> Result<Option<Header>, String> {
        // Records are separated by blank lines (`\r\n\r\n` after each block).
        loop {
            match read_line_capped(&mut *self.reader, MAX_HEADER_LINE, &mut self.line) {
                Ok(Line::End) => return Ok(None),
                Ok(Line::Read) if self.line.iter().all(u8::is_ascii_whitespace) => {}
                Ok(Line::Read) if self.line.starts_with(b"WARC/") => break,
                Ok(_) => return Err("invalid_warc: expected a WARC/1.x version line".to_owned()),
                Err(error) => return Err(format!("unreadable: {error}")),
            }
        }
        let mut header = Header::default();
        for _ in 0..MAX_HEADER_LINES {
            match read_line_capped(&mut *self.reader, MAX_HEADER_LINE, &mut self.line) {
                Ok(Line::Read) if self.line.is_empty() => return Ok(Some(header)),
                Ok(Line::Read) => {
                    let line = String::from_utf8_lossy(&self.line);
                    let Some((name, value)) = line.split_once(':') else {
                        continue;
                    };
                    let value = value.trim();
                    match name.trim().to_ascii_lowercase().as_str() {
                        "warc-type" => header.kind = value.to_ascii_lowercase(),
                        "warc-target-uri" => header.target_uri = Some(value.to_owned()),
                        "warc-record-id" => {
                            header.record_id = Some(
                                value
                                    .trim_start_matches('<')
                                    .trim_end_matches('>')
                                    .to_owned(),
                            );
                        }
                        "content-length" => header.content_length = value.parse().ok(),
                        _ => {}
                    }
                }
                Ok(Line::End) => {
                    return Err("truncated_warc: the file ends inside a header".to_owned());
                }
                Ok(Line::TooLong(_)) => return Err("invalid_warc: header line too long".to_owned()),
                Err(error) => return Err(format!("unreadable: {error}")),
            }
        }
        Err("invalid_warc: header too long".to_owned())
    }

    /// The next document, or a failure that ends the file.
    fn record(&mut self) -> Result<Option<RawDocument>, String> {
        loop {
            // Counted before reading, so a failure inside the header names this record too.
            self.record_no += 1;
            let Some(header) = self.header()? else {
                return Ok(None);
            };
            let length = header
                .content_length
                .ok_or_else(|| "invalid_warc: a record without Content-Length".to_owned())?;
            let max = self.options.max_doc_bytes;
            if header.kind != "conversion" || length > max {
                let skipped =
                    std::io::copy(&mut (&mut self.reader).take(length), &mut std::io::sink())
                        .map_err(|error| format!("unreadable: {error}"))?;
                if skipped < length {
                    return Err("truncated_warc: the file ends inside a record".to_owned());
                }
                if header.kind != "conversion" {
                    continue; // warcinfo and the like describe the crawl, not a page
                }
            }
            let id = header
                .record_id
                .unwrap_or_else(|| self.record_no.to_string());
            let url = header.target_uri.filter(|uri| !uri.is_empty());
            let bytes = if length > max {
                Err(too_large(length, max))
            } else {
                let mut body = Vec::with_capacity(length as usize);
                (&mut self.reader)
                    .take(length)
                    .read_to_end(&mut body)
                    .map_err(|error| format!("unreadable: {error}"))?;
                if (body.len() as u64) < length {
                    return Err("truncated_warc: the file ends inside a record".to_owned());
                }
                Ok(body)
            };
            return Ok(Some(RawDocument {
                source: format!("{}#{id}", self.file_source),
                site: record_site(url.as_deref(), self.file_source),
                url,
                n_bytes: length,
                bytes,
            }));
        }
    }
}

impl Iterator for WetDocuments<'_> {
    type Item = RawDocument;

    fn next(&mut self) -> Option<RawDocument> {
        if self.done {
            return None;
        }
        match self.record() {
            Ok(Some(document)) => Some(document),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(reason) => {
                // The records before the damage stand; the failure is recorded once, on the
                // record where reading stopped.
                self.done = true;
                let source = format!("{}#record-{}", self.file_source, self.record_no);
                Some(RawDocument::unread(
                    source,
                    self.file_source.to_owned(),
                    Unread::Failed(reason),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: &str, uri: &str, id: &str, body: &str) -> String {
        format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Record-ID: <{id}>\r\n\
             Content-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}\r\n\r\n",
            body.len()
        )
    }

    fn read(text: &str, max_doc_bytes: u64) -> Vec<RawDocument> {
        let input = InputFile {
            path: "c.warc.wet".into(),
            source: "c.warc.wet".to_owned(),
            walk_error: None,
            stdin: false,
        };
        let options = ReadOptions {
            max_doc_bytes,
            ..ReadOptions::default()
        };
        let reader: Box<dyn BufRead + Send> =
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec()));
        WetDocuments::new(reader, &input, &options).collect()
    }

    #[test]
    fn conversion_records_are_documents_with_their_urls() {
        let text = [
            record("warcinfo", "", "urn:uuid:0", "isPartOf: CC-MAIN-2024-22"),
            record(
                "conversion",
                "https://pt.wikipedia.org/wiki/Lisboa",
                "urn:uuid:1",
                "Lisboa é a capital.\nDe Portugal.",
            ),
            record("conversion", "http://example.com/", "urn:uuid:2", "Hello."),
        ]
        .concat();
        let docs = read(&text, 1000);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].source, "c.warc.wet#urn:uuid:1");
        assert_eq!(
            docs[0].url.as_deref(),
            Some("https://pt.wikipedia.org/wiki/Lisboa")
        );
        assert_eq!(docs[0].site, "pt.wikipedia.org");
        assert_eq!(
            docs[0].bytes.as_deref().unwrap(),
            "Lisboa é a capital.\nDe Portugal.".as_bytes()
        );
        assert_eq!(docs[1].bytes.as_deref().unwrap(), b"Hello.");
    }

    #[test]
    fn oversized_and_truncated_records_are_recorded() {
        let mut text = [
            record("conversion", "http://a.com/", "urn:uuid:1", &"x".repeat(50)),
            record("conversion", "http://b.com/", "urn:uuid:2", "fine"),
        ]
        .concat();
        text.push_str("WARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: 100\r\n\r\nshort");
        let docs = read(&text, 10);
        assert_eq!(docs.len(), 3);
        assert!(matches!(&docs[0].bytes, Err(Unread::Skipped(r)) if r.starts_with("too_large")));
        assert_eq!(docs[1].bytes.as_deref().unwrap(), b"fine");
        assert_eq!(docs[2].source, "c.warc.wet#record-3");
        assert!(
            matches!(&docs[2].bytes, Err(Unread::Failed(r)) if r.starts_with("truncated_warc"))
        );
    }

    #[test]
    fn the_common_crawl_sample_reads_whole() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/corpus/common-crawl/whirlwind.warc.wet");
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("skipping: {} not found", path.display());
            return;
        };
        let docs = read(&text, 1 << 20);
        assert!(!docs.is_empty());
        for doc in &docs {
            assert!(doc.bytes.is_ok(), "{}: {:?}", doc.source, doc.bytes);
            assert!(doc.url.as_deref().is_some_and(|u| u.starts_with("http")));
        }
    }
}
