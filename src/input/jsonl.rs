//! JSON Lines: one document per record, its text in `--text-field`.

use super::{
    InputFile, Line, RawDocument, ReadOptions, Unread, read_line_capped, record_site, too_large,
};
use serde_json::Value;
use std::io::BufRead;

/// The documents of one JSON Lines stream, one per non-blank line.
pub(super) struct JsonlDocuments<'a> {
    reader: Box<dyn BufRead + Send>,
    file_source: &'a str,
    options: &'a ReadOptions,
    line: Vec<u8>,
    line_no: u64,
    done: bool,
}

impl<'a> JsonlDocuments<'a> {
    pub(super) fn new(
        reader: Box<dyn BufRead + Send>,
        input: &'a InputFile,
        options: &'a ReadOptions,
    ) -> Self {
        JsonlDocuments {
            reader,
            file_source: &input.source,
            options,
            line: Vec::new(),
            line_no: 0,
            done: false,
        }
    }

    /// A document that stands for record `id` of this file.
    fn document(
        &self,
        id: &str,
        url: Option<String>,
        n_bytes: u64,
        bytes: Result<Vec<u8>, Unread>,
    ) -> RawDocument {
        RawDocument {
            source: format!("{}#{id}", self.file_source),
            site: record_site(url.as_deref(), self.file_source),
            url,
            n_bytes,
            bytes,
        }
    }

    fn record(&mut self) -> RawDocument {
        let line_id = self.line_no.to_string();
        let mut record = match serde_json::from_slice::<Value>(&self.line) {
            Ok(Value::Object(record)) => record,
            Ok(other) => {
                let reason = format!(
                    "invalid_record: a JSON {} where an object was expected",
                    kind(&other)
                );
                return self.document(
                    &line_id,
                    None,
                    self.line.len() as u64,
                    Err(Unread::Failed(reason)),
                );
            }
            Err(error) => {
                let reason = format!("invalid_json: {error}");
                return self.document(
                    &line_id,
                    None,
                    self.line.len() as u64,
                    Err(Unread::Failed(reason)),
                );
            }
        };
        let id = match record.get(&self.options.id_field) {
            Some(Value::String(id)) if !id.is_empty() => id.clone(),
            Some(Value::Number(id)) => id.to_string(),
            _ => line_id,
        };
        let url = match record.get(&self.options.url_field) {
            Some(Value::String(url)) if !url.is_empty() => Some(url.clone()),
            _ => None,
        };
        let field = &self.options.text_field;
        let (n_bytes, bytes) = match record.remove(field) {
            Some(Value::String(text)) => (text.len() as u64, Ok(text.into_bytes())),
            Some(other) => {
                let reason = format!(
                    "no_text: field \"{field}\" is a JSON {}, not a string",
                    kind(&other)
                );
                (0, Err(Unread::Skipped(reason)))
            }
            None => (
                0,
                Err(Unread::Skipped(format!("no_text: no field \"{field}\""))),
            ),
        };
        self.document(&id, url, n_bytes, bytes)
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl Iterator for JsonlDocuments<'_> {
    type Item = RawDocument;

    fn next(&mut self) -> Option<RawDocument> {
        while !self.done {
            self.line_no += 1;
            let cap = self.options.max_doc_bytes;
            match read_line_capped(&mut *self.reader, cap, &mut self.line) {
                Ok(Line::End) => self.done = true,
                Ok(Line::Read) if self.line.iter().all(u8::is_ascii_whitespace) => {}
                Ok(Line::Read) => return Some(self.record()),
                Ok(Line::TooLong(size)) => {
                    let id = self.line_no.to_string();
                    return Some(self.document(&id, None, size, Err(too_large(size, cap))));
                }
                Err(error) => {
                    // A corrupt or truncated stream ends the file; the failure is recorded on
                    // the line where reading stopped, and the records before it stand.
                    self.done = true;
                    let id = self.line_no.to_string();
                    let reason = format!("unreadable: {error}");
                    return Some(self.document(&id, None, 0, Err(Unread::Failed(reason))));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, max_doc_bytes: u64) -> Vec<RawDocument> {
        let input = InputFile {
            path: "d.jsonl".into(),
            source: "d.jsonl".to_owned(),
            walk_error: None,
            stdin: false,
        };
        let options = ReadOptions {
            max_doc_bytes,
            ..ReadOptions::default()
        };
        let reader: Box<dyn BufRead + Send> =
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec()));
        JsonlDocuments::new(reader, &input, &options).collect()
    }

    #[test]
    fn records_become_documents_with_ids_urls_and_sites() {
        let docs = read(
            concat!(
                r#"{"id": "a1", "text": "Olá mundo.", "url": "https://www.publico.pt/x"}"#,
                "\n",
                "\n",
                r#"{"text": "No id here.", "lang": "en"}"#,
                "\r\n",
                r#"{"id": 7, "text": "Numeric id."}"#,
            ),
            1000,
        );
        let sources: Vec<&str> = docs.iter().map(|d| d.source.as_str()).collect();
        assert_eq!(sources, ["d.jsonl#a1", "d.jsonl#3", "d.jsonl#7"]);
        assert_eq!(docs[0].url.as_deref(), Some("https://www.publico.pt/x"));
        assert_eq!(docs[0].site, "publico.pt");
        assert_eq!(docs[1].site, "d.jsonl");
        assert_eq!(docs[0].bytes.as_deref().unwrap(), "Olá mundo.".as_bytes());
        assert_eq!(docs[0].n_bytes, "Olá mundo.".len() as u64);
    }

    #[test]
    fn bad_records_are_recorded_not_lost() {
        let long = format!(r#"{{"text": "{}"}}"#, "x".repeat(200));
        let text = format!(
            "{{\"id\": \"n\", \"text\": null}}\n{{\"body\": \"x\"}}\nnot json\n[1]\n{long}\n{{\"text\": \"ok\"}}\n"
        );
        let docs = read(&text, 100);
        let reasons: Vec<String> = docs
            .iter()
            .map(|d| match &d.bytes {
                Ok(_) => "ok".to_owned(),
                Err(Unread::Skipped(r)) => format!("skipped {}", r.split(':').next().unwrap()),
                Err(Unread::Failed(r)) => format!("failed {}", r.split(':').next().unwrap()),
            })
            .collect();
        assert_eq!(
            reasons,
            [
                "skipped no_text",
                "skipped no_text",
                "failed invalid_json",
                "failed invalid_record",
                "skipped too_large",
                "ok"
            ]
        );
        assert_eq!(docs[0].source, "d.jsonl#n");
        assert_eq!(docs[4].source, "d.jsonl#5");
        assert_eq!(docs[4].n_bytes, long.len() as u64);
    }
}
