//! The Arrow schemas of the five tables, and the building of record batches from processed
//! documents. This file is the only place the columns are defined; docs/schema.md describes them.

use super::DocRecord;
use crate::span::Span;
use crate::token::TokenKind;
use arrow::array::{
    ArrayRef, DictionaryArray, Float32Builder, Int32Array, StringArray, StringBuilder,
    StringDictionaryBuilder, UInt32Array, UInt32Builder, UInt64Array, UInt64Builder,
};
use arrow::datatypes::{DataType, Field, Int32Type, Schema, SchemaRef};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;
use std::sync::{Arc, LazyLock};

/// Bumped whenever a column is added, removed or changes meaning.
pub const SCHEMA_VERSION: &str = "2";

/// The five tables, in the order they are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    /// One row per input document, processed or skipped.
    Documents,
    /// One row per sentence.
    Sentences,
    /// One row per token.
    Tokens,
    /// One row per entity candidate.
    Entities,
    /// One row per removed boilerplate line.
    RemovedLines,
}

impl Table {
    /// Every table.
    pub const ALL: [Table; 5] = [
        Table::Documents,
        Table::Sentences,
        Table::Tokens,
        Table::Entities,
        Table::RemovedLines,
    ];

    /// The table's name, also its file stem.
    pub fn name(self) -> &'static str {
        match self {
            Table::Documents => "documents",
            Table::Sentences => "sentences",
            Table::Tokens => "tokens",
            Table::Entities => "entities",
            Table::RemovedLines => "removed_lines",
        }
    }

    /// The table's Arrow schema.
    pub fn schema(self) -> SchemaRef {
        match self {
            Table::Documents => DOCUMENTS.clone(),
            Table::Sentences => SENTENCES.clone(),
            Table::Tokens => TOKENS.clone(),
            Table::Entities => ENTITIES.clone(),
            Table::RemovedLines => REMOVED_LINES.clone(),
        }
    }

    /// A record batch of this table's rows for `records`.
    pub fn batch(self, records: &[DocRecord]) -> Result<RecordBatch, ArrowError> {
        let columns = match self {
            Table::Documents => documents_columns(records),
            Table::Sentences => sentences_columns(records),
            Table::Tokens => tokens_columns(records),
            Table::Entities => entities_columns(records),
            Table::RemovedLines => removed_lines_columns(records),
        };
        RecordBatch::try_new(self.schema(), columns)
    }
}

/// How a column is encoded in Parquet where it does not take the default (a dictionary, falling
/// back to plain when it grows too big, and min/max statistics: right for ids and codes). The
/// defaults cost most of the writing time on the columns below, where they do not pay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ColumnEncoding {
    /// Increasing integers (ids, positions): delta encoding, no dictionary, no min/max
    /// statistics (nobody prunes row groups on an offset, and computing them cost 0.75% of a
    /// run).
    Delta,
    /// Offsets into the text: like [`ColumnEncoding::Delta`], and not compressed. Their deltas
    /// are word and sentence lengths, which zstd shrinks by at most 11% (none at all in the
    /// sentences and entities tables) for 1.5% of a run's instructions.
    Offsets,
    /// High-cardinality text (whole documents, sentences, lines): plain, no statistics.
    PlainText,
    /// Text that repeats (words, their lower-cased forms and stems, token kinds): dictionary, no
    /// statistics (every row group holds every token kind, so min/max prunes nothing).
    DictionaryText,
}

impl Table {
    /// The encoding of every column that does not take the default.
    pub(super) fn column_encodings(self) -> &'static [(&'static str, ColumnEncoding)] {
        use ColumnEncoding::*;
        const OFFSETS: [(&str, ColumnEncoding); 4] = [
            ("char_start", Offsets),
            ("char_end", Offsets),
            ("byte_start", Offsets),
            ("byte_end", Offsets),
        ];
        match self {
            Table::Documents => &[
                ("source", PlainText),
                ("url", PlainText),
                ("skip_reason", PlainText),
                ("text", PlainText),
            ],
            Table::Sentences => &[
                ("sentence_id", Delta),
                OFFSETS[0],
                OFFSETS[1],
                OFFSETS[2],
                OFFSETS[3],
                ("text", PlainText),
            ],
            Table::Tokens => &[
                ("sentence_id", Delta),
                ("token_id", Delta),
                OFFSETS[0],
                OFFSETS[1],
                OFFSETS[2],
                OFFSETS[3],
                ("text", DictionaryText),
                ("lower", DictionaryText),
                ("stem", DictionaryText),
                ("kind", DictionaryText),
            ],
            Table::Entities => &[
                ("sentence_id", Delta),
                OFFSETS[0],
                OFFSETS[1],
                OFFSETS[2],
                OFFSETS[3],
                ("token_start", Offsets),
                ("token_end", Offsets),
                ("text", DictionaryText),
            ],
            Table::RemovedLines => &[("line_no", Delta), ("text", DictionaryText)],
        }
    }
}

fn dictionary() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

fn offsets_fields() -> [Field; 4] {
    [
        Field::new("char_start", DataType::UInt32, false),
        Field::new("char_end", DataType::UInt32, false),
        Field::new("byte_start", DataType::UInt32, false),
        Field::new("byte_end", DataType::UInt32, false),
    ]
}

fn schema_of(fields: Vec<Field>) -> SchemaRef {
    Arc::new(Schema::new(fields))
}

static DOCUMENTS: LazyLock<SchemaRef> = LazyLock::new(|| {
    schema_of(vec![
        Field::new("doc_id", DataType::UInt64, false),
        Field::new("source", DataType::Utf8, false),
        Field::new("url", DataType::Utf8, true),
        Field::new("status", dictionary(), false),
        Field::new("skip_reason", DataType::Utf8, true),
        Field::new("encoding", dictionary(), true),
        Field::new("lang", dictionary(), false),
        Field::new("lang_confidence", DataType::Float32, false),
        Field::new("text", DataType::Utf8, false),
        Field::new("n_bytes", DataType::UInt64, false),
        Field::new("n_sentences", DataType::UInt32, false),
        Field::new("n_tokens", DataType::UInt32, false),
        Field::new("n_entities", DataType::UInt32, false),
        Field::new("n_removed_lines", DataType::UInt32, false),
    ])
});

static SENTENCES: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        Field::new("doc_id", DataType::UInt64, false),
        Field::new("sentence_id", DataType::UInt32, false),
    ];
    fields.extend(offsets_fields());
    fields.extend([
        Field::new("text", DataType::Utf8, false),
        Field::new("lang", dictionary(), false),
        Field::new("lang_confidence", DataType::Float32, false),
        Field::new("n_tokens", DataType::UInt32, false),
    ]);
    schema_of(fields)
});

static TOKENS: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        Field::new("doc_id", DataType::UInt64, false),
        Field::new("sentence_id", DataType::UInt32, false),
        Field::new("token_id", DataType::UInt32, false),
    ];
    fields.extend(offsets_fields());
    fields.extend([
        Field::new("text", DataType::Utf8, false),
        Field::new("lower", DataType::Utf8, false),
        Field::new("stem", DataType::Utf8, true),
        Field::new("kind", dictionary(), false),
    ]);
    schema_of(fields)
});

static ENTITIES: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        Field::new("doc_id", DataType::UInt64, false),
        Field::new("sentence_id", DataType::UInt32, false),
        Field::new("entity_id", DataType::UInt32, false),
    ];
    fields.extend(offsets_fields());
    fields.extend([
        Field::new("token_start", DataType::UInt32, false),
        Field::new("token_end", DataType::UInt32, false),
        Field::new("text", DataType::Utf8, false),
        Field::new("n_tokens", DataType::UInt32, false),
    ]);
    schema_of(fields)
});

static REMOVED_LINES: LazyLock<SchemaRef> = LazyLock::new(|| {
    schema_of(vec![
        Field::new("doc_id", DataType::UInt64, false),
        Field::new("line_no", DataType::UInt32, false),
        Field::new("text", DataType::Utf8, false),
        Field::new("rule", dictionary(), false),
        Field::new("doc_freq", DataType::UInt32, true),
    ])
});

/// Converts byte offsets into code-point offsets for spans visited in order of their start.
/// The cursor keeps the code-point offsets of the last span's start and end, and counts only
/// the bytes from the nearest of them that does not lie past the offset it converts, so a
/// table of sorted, non-overlapping spans costs one pass over the text (a span overlapping the
/// previous one counts from that one's start).
struct CharOffsets<'a> {
    bytes: &'a [u8],
    ascii: bool,
    /// `(byte, char)` of the last span's start.
    start: (usize, usize),
    /// `(byte, char)` of the last span's end.
    end: (usize, usize),
}

impl<'a> CharOffsets<'a> {
    fn new(text: &'a str) -> CharOffsets<'a> {
        CharOffsets {
            bytes: text.as_bytes(),
            ascii: text.is_ascii(),
            start: (0, 0),
            end: (0, 0),
        }
    }

    /// `(char_start, char_end)` of `span`.
    fn chars(&mut self, span: Span) -> (u32, u32) {
        if self.ascii {
            return (span.start, span.end);
        }
        let start = span.start as usize;
        let from = if start >= self.end.0 {
            self.end
        } else if start >= self.start.0 {
            self.start
        } else {
            (0, 0)
        };
        self.start = (start, from.1 + self.count(from.0, start));
        let end = span.end as usize;
        self.end = (end, self.start.1 + self.count(start, end));
        (self.start.1 as u32, self.end.1 as u32)
    }

    /// Code points in `bytes[from..to]` of valid UTF-8 cut at character boundaries: the bytes
    /// that are not continuation bytes (a loop the compiler vectorises).
    fn count(&self, from: usize, to: usize) -> usize {
        self.bytes
            .get(from..to)
            .unwrap_or_default()
            .iter()
            .filter(|&&byte| (byte as i8) >= -0x40)
            .count()
    }
}

/// Offset columns as plain vectors: they are never null, and a builder's per-value validity
/// bookkeeping cost more than the values here.
#[derive(Default)]
struct OffsetColumns {
    char_start: Vec<u32>,
    char_end: Vec<u32>,
    byte_start: Vec<u32>,
    byte_end: Vec<u32>,
}

impl OffsetColumns {
    fn with_capacity(rows: usize) -> OffsetColumns {
        OffsetColumns {
            char_start: Vec::with_capacity(rows),
            char_end: Vec::with_capacity(rows),
            byte_start: Vec::with_capacity(rows),
            byte_end: Vec::with_capacity(rows),
        }
    }

    fn push(&mut self, cursor: &mut CharOffsets<'_>, span: Span) {
        let (start, end) = cursor.chars(span);
        self.char_start.push(start);
        self.char_end.push(end);
        self.byte_start.push(span.start);
        self.byte_end.push(span.end);
    }

    fn finish(self) -> [ArrayRef; 4] {
        [
            Arc::new(UInt32Array::from(self.char_start)),
            Arc::new(UInt32Array::from(self.char_end)),
            Arc::new(UInt32Array::from(self.byte_start)),
            Arc::new(UInt32Array::from(self.byte_end)),
        ]
    }
}

type Dictionary = StringDictionaryBuilder<Int32Type>;

fn documents_columns(records: &[DocRecord]) -> Vec<ArrayRef> {
    let mut doc_id = UInt64Builder::with_capacity(records.len());
    let mut source = StringBuilder::new();
    let mut url = StringBuilder::new();
    let mut status = Dictionary::new();
    let mut skip_reason = StringBuilder::new();
    let mut encoding = Dictionary::new();
    let mut lang = Dictionary::new();
    let mut lang_confidence = Float32Builder::with_capacity(records.len());
    let mut text = StringBuilder::new();
    let mut n_bytes = UInt64Builder::with_capacity(records.len());
    let mut n_sentences = UInt32Builder::with_capacity(records.len());
    let mut n_tokens = UInt32Builder::with_capacity(records.len());
    let mut n_entities = UInt32Builder::with_capacity(records.len());
    let mut n_removed = UInt32Builder::with_capacity(records.len());
    for record in records {
        doc_id.append_value(record.doc_id);
        source.append_value(&record.source);
        url.append_option(record.url.as_deref());
        status.append_value(record.status());
        skip_reason.append_option(record.skip_reason.as_deref());
        encoding.append_option(record.encoding);
        n_bytes.append_value(record.n_bytes);
        match &record.document {
            Some(document) => {
                lang.append_value(document.lang.lang.code());
                lang_confidence.append_value(document.lang.confidence);
                text.append_value(&document.text);
                n_sentences.append_value(document.sentences.len() as u32);
                n_tokens.append_value(document.tokens.len() as u32);
                n_entities.append_value(document.entities.len() as u32);
                n_removed.append_value(document.removed_lines.len() as u32);
            }
            None => {
                lang.append_value("und");
                lang_confidence.append_value(0.0);
                text.append_value("");
                n_sentences.append_value(0);
                n_tokens.append_value(0);
                n_entities.append_value(0);
                n_removed.append_value(0);
            }
        }
    }
    vec![
        Arc::new(doc_id.finish()),
        Arc::new(source.finish()),
        Arc::new(url.finish()),
        Arc::new(status.finish()),
        Arc::new(skip_reason.finish()),
        Arc::new(encoding.finish()),
        Arc::new(lang.finish()),
        Arc::new(lang_confidence.finish()),
        Arc::new(text.finish()),
        Arc::new(n_bytes.finish()),
        Arc::new(n_sentences.finish()),
        Arc::new(n_tokens.finish()),
        Arc::new(n_entities.finish()),
        Arc::new(n_removed.finish()),
    ]
}

fn sentences_columns(records: &[DocRecord]) -> Vec<ArrayRef> {
    let documents = || records.iter().filter_map(|record| record.document.as_ref());
    let rows = documents().map(|document| document.sentences.len()).sum();
    let text_bytes = documents().map(|document| document.text.len()).sum();
    let mut doc_id = UInt64Builder::with_capacity(rows);
    let mut sentence_id = UInt32Builder::with_capacity(rows);
    let mut offsets = OffsetColumns::with_capacity(rows);
    let mut text = StringBuilder::with_capacity(rows, text_bytes);
    let mut lang = Dictionary::new();
    let mut lang_confidence = Float32Builder::with_capacity(rows);
    let mut n_tokens = UInt32Builder::with_capacity(rows);
    for record in records {
        let Some(document) = &record.document else {
            continue;
        };
        let mut cursor = CharOffsets::new(&document.text);
        for (index, sentence) in document.sentences.iter().enumerate() {
            doc_id.append_value(record.doc_id);
            sentence_id.append_value(index as u32);
            offsets.push(&mut cursor, sentence.span);
            text.append_value(&document.text[sentence.span.range()]);
            lang.append_value(sentence.lang.lang.code());
            lang_confidence.append_value(sentence.lang.confidence);
            n_tokens.append_value(sentence.tokens.end - sentence.tokens.start);
        }
    }
    let mut columns: Vec<ArrayRef> =
        vec![Arc::new(doc_id.finish()), Arc::new(sentence_id.finish())];
    columns.extend(offsets.finish());
    columns.extend([
        Arc::new(text.finish()) as ArrayRef,
        Arc::new(lang.finish()),
        Arc::new(lang_confidence.finish()),
        Arc::new(n_tokens.finish()),
    ]);
    columns
}

/// Every token kind, in the order of their keys in the `kind` column's Arrow dictionary (the
/// Parquet dictionary is built from the values as they occur, so it does not depend on this).
const KINDS: [TokenKind; 6] = [
    TokenKind::Word,
    TokenKind::Number,
    TokenKind::Punct,
    TokenKind::Symbol,
    TokenKind::Url,
    TokenKind::Email,
];

/// The key of `kind` in [`KINDS`]: a key per token instead of a dictionary builder's hash.
fn kind_key(kind: TokenKind) -> i32 {
    match kind {
        TokenKind::Word => 0,
        TokenKind::Number => 1,
        TokenKind::Punct => 2,
        TokenKind::Symbol => 3,
        TokenKind::Url => 4,
        TokenKind::Email => 5,
    }
}

fn kinds(keys: Int32Array) -> DictionaryArray<Int32Type> {
    let values = StringArray::from_iter_values(KINDS.map(TokenKind::as_str));
    // Every key comes from `kind_key`, so it indexes `values`.
    DictionaryArray::new(keys, Arc::new(values))
}

fn tokens_columns(records: &[DocRecord]) -> Vec<ArrayRef> {
    // Sized up front: the columns of a chunk hold millions of values, and growing them by
    // doubling copies each one several times.
    let documents = || records.iter().filter_map(|record| record.document.as_ref());
    let rows = documents().map(|document| document.tokens.len()).sum();
    let text_bytes = documents()
        .flat_map(|document| &document.tokens)
        .map(|token| token.span.len())
        .sum();
    // The never-null integer columns are plain vectors, like [`OffsetColumns`].
    let mut doc_id = Vec::with_capacity(rows);
    let mut sentence_id = Vec::with_capacity(rows);
    let mut token_id = Vec::with_capacity(rows);
    let mut offsets = OffsetColumns::with_capacity(rows);
    let mut text = StringBuilder::with_capacity(rows, text_bytes);
    let mut lower = StringBuilder::with_capacity(rows, text_bytes);
    let mut stem = StringBuilder::with_capacity(rows, text_bytes);
    let mut kind = Vec::with_capacity(rows);
    for record in records {
        let Some(document) = &record.document else {
            continue;
        };
        let mut cursor = CharOffsets::new(&document.text);
        for (sentence_index, sentence) in document.sentences.iter().enumerate() {
            for index in sentence.tokens.start as usize..sentence.tokens.end as usize {
                let token = document.tokens[index];
                doc_id.push(record.doc_id);
                sentence_id.push(sentence_index as u32);
                token_id.push(index as u32);
                offsets.push(&mut cursor, token.span);
                text.append_value(&document.text[token.span.range()]);
                lower.append_value(document.forms.lower(index));
                stem.append_option(document.forms.stem(index));
                kind.push(kind_key(token.kind));
            }
        }
    }
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(UInt64Array::from(doc_id)),
        Arc::new(UInt32Array::from(sentence_id)),
        Arc::new(UInt32Array::from(token_id)),
    ];
    columns.extend(offsets.finish());
    columns.extend([
        Arc::new(text.finish()) as ArrayRef,
        Arc::new(lower.finish()),
        Arc::new(stem.finish()),
        Arc::new(kinds(Int32Array::from(kind))),
    ]);
    columns
}

fn entities_columns(records: &[DocRecord]) -> Vec<ArrayRef> {
    let mut doc_id = UInt64Builder::new();
    let mut sentence_id = UInt32Builder::new();
    let mut entity_id = UInt32Builder::new();
    let mut offsets = OffsetColumns::default();
    let mut token_start = UInt32Builder::new();
    let mut token_end = UInt32Builder::new();
    let mut text = StringBuilder::new();
    let mut n_tokens = UInt32Builder::new();
    for record in records {
        let Some(document) = &record.document else {
            continue;
        };
        let mut cursor = CharOffsets::new(&document.text);
        for (index, (sentence, entity)) in document.entities.iter().enumerate() {
            doc_id.append_value(record.doc_id);
            sentence_id.append_value(*sentence);
            entity_id.append_value(index as u32);
            offsets.push(&mut cursor, entity.span);
            token_start.append_value(entity.tokens.start);
            token_end.append_value(entity.tokens.end);
            text.append_value(&document.text[entity.span.range()]);
            n_tokens.append_value(entity.tokens.end - entity.tokens.start);
        }
    }
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(doc_id.finish()),
        Arc::new(sentence_id.finish()),
        Arc::new(entity_id.finish()),
    ];
    columns.extend(offsets.finish());
    columns.extend([
        Arc::new(token_start.finish()) as ArrayRef,
        Arc::new(token_end.finish()),
        Arc::new(text.finish()),
        Arc::new(n_tokens.finish()),
    ]);
    columns
}

fn removed_lines_columns(records: &[DocRecord]) -> Vec<ArrayRef> {
    let mut doc_id = UInt64Builder::new();
    let mut line_no = UInt32Builder::new();
    let mut text = StringBuilder::new();
    let mut rule = Dictionary::new();
    let mut doc_freq = UInt32Builder::new();
    for record in records {
        let Some(document) = &record.document else {
            continue;
        };
        for line in &document.removed_lines {
            doc_id.append_value(record.doc_id);
            line_no.append_value(line.line_no);
            text.append_value(&line.text);
            rule.append_value(line.rule);
            doc_freq.append_option(line.doc_freq);
        }
    }
    vec![
        Arc::new(doc_id.finish()),
        Arc::new(line_no.finish()),
        Arc::new(text.finish()),
        Arc::new(rule.finish()),
        Arc::new(doc_freq.finish()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_offsets_match_code_points_in_non_ascii_text() {
        let text = "Exército Vermelho — União Soviética";
        let mut cursor = CharOffsets::new(text);
        let spans = [
            Span::new(0, 9),
            Span::new(10, 18),
            Span::new(23, 29),
            Span::new(30, text.len()),
            // Overlapping the previous span, then starting before it: counted afresh.
            Span::new(30, 34),
            Span::new(10, 29),
            Span::new(0, 0),
        ];
        for span in spans {
            let (start, end) = cursor.chars(span);
            let by_chars: String = text
                .chars()
                .skip(start as usize)
                .take((end - start) as usize)
                .collect();
            assert_eq!(by_chars, &text[span]);
        }
    }
}
