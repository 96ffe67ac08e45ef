//! The Arrow schemas of the five tables, and the building of record batches from processed
//! documents. This file is the only place the columns are defined; docs/schema.md describes them.

use super::DocRecord;
use crate::span::Span;
use crate::token::TokenKind;
use arrow::array::{
    ArrayRef, BooleanBufferBuilder, DictionaryArray, Float32Array, Float32Builder, Int32Array,
    StringArray, StringBuilder, StringDictionaryBuilder, UInt32Array, UInt32Builder, UInt64Array,
    UInt64Builder,
};
use arrow::buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
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
            Table::Documents => Ok(documents_columns(records)),
            Table::Sentences => sentences_columns(records),
            Table::Tokens => tokens_columns(records),
            Table::Entities => entities_columns(records),
            Table::RemovedLines => removed_lines_columns(records),
        }?;
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

/// Converts byte offsets into code-point offsets in one text. Non-ASCII text gets a table of
/// the code points before every eighth byte, built in one pass of eight bytes a step; an
/// offset then costs a look-up and the count of the at most seven bytes after its table
/// entry. (A cursor counting the bytes from the previous span's end, byte by byte, cost
/// three times as much: spans are a few bytes long, and most documents hold some non-ASCII.)
struct CharOffsets<'a> {
    bytes: &'a [u8],
    ascii: bool,
    /// `blocks[k]`: code points in `bytes[..8 * k]`, for every `k <= bytes.len() / 8`.
    blocks: Vec<u32>,
}

impl<'a> CharOffsets<'a> {
    fn new(text: &'a str) -> CharOffsets<'a> {
        let bytes = text.as_bytes();
        let ascii = text.is_ascii();
        let mut blocks = Vec::new();
        if !ascii {
            let (chunks, _) = bytes.as_chunks::<8>();
            blocks.reserve(chunks.len() + 1);
            let mut chars = 0u32;
            blocks.push(chars);
            for &chunk in chunks {
                chars += 8 - continuation_bytes(u64::from_le_bytes(chunk));
                blocks.push(chars);
            }
        }
        CharOffsets {
            bytes,
            ascii,
            blocks,
        }
    }

    /// `(char_start, char_end)` of `span`.
    fn chars(&self, span: Span) -> (u32, u32) {
        if self.ascii {
            return (span.start, span.end);
        }
        (self.char_at(span.start), self.char_at(span.end))
    }

    /// Code points in `bytes[..offset]` (past the end, as if the text went on in ASCII: no
    /// span reaches there).
    fn char_at(&self, offset: u32) -> u32 {
        let offset = offset as usize;
        let block = offset / 8;
        let within = offset % 8;
        let Some(&before) = self.blocks.get(block) else {
            return offset as u32;
        };
        if within == 0 {
            return before;
        }
        let start = block * 8;
        let continuation = match self
            .bytes
            .get(start..start + 8)
            .and_then(|window| <[u8; 8]>::try_from(window).ok())
        {
            // Little-endian: the `within` bytes before `offset` are the window's low ones.
            Some(window) => {
                continuation_bytes(u64::from_le_bytes(window) & (u64::MAX >> (8 * (8 - within))))
            }
            // The last, partial block.
            None => self.bytes[start..]
                .iter()
                .take(within)
                .filter(|&&byte| (byte as i8) < -0x40)
                .count() as u32,
        };
        before + within as u32 - continuation
    }
}

/// UTF-8 continuation bytes (`0b10xx_xxxx`: top bit set, the next one clear) among the eight
/// bytes of `word`. Each such byte leaves one bit, its top one; shifted down, the bytes hold
/// 0 or 1, and the multiplication adds them all into the top byte (without a `popcnt`
/// instruction in the baseline x86-64 target, `count_ones` is a dozen instructions).
fn continuation_bytes(word: u64) -> u32 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let flags = (word & !(word << 1)) >> 7 & ONES;
    (flags.wrapping_mul(ONES) >> 56) as u32
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

    fn push(&mut self, cursor: &CharOffsets<'_>, span: Span) {
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

/// A string column built as Arrow's buffers directly, the values and their end offsets: a
/// `StringBuilder` spent more on its per-value bookkeeping than on copying the bytes.
struct StringColumn {
    /// Starts with the first value's start, 0.
    offsets: Vec<i32>,
    values: Vec<u8>,
    /// Rows of the null values, in order: most columns have none, and then no row pays for
    /// a validity bit.
    nulls: Vec<usize>,
}

impl StringColumn {
    fn with_capacity(rows: usize, bytes: usize) -> StringColumn {
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        StringColumn {
            offsets,
            values: Vec::with_capacity(bytes),
            nulls: Vec::new(),
        }
    }

    fn push(&mut self, value: &str) {
        self.values.extend_from_slice(value.as_bytes());
        self.end_value();
    }

    fn push_option(&mut self, value: Option<&str>) {
        match value {
            Some(value) => self.push(value),
            None => {
                self.nulls.push(self.offsets.len() - 1);
                self.end_value();
            }
        }
    }

    /// Rows so far.
    fn rows(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Back to the first `rows` rows.
    fn truncate(&mut self, rows: usize) {
        if rows < self.rows() {
            self.offsets.truncate(rows + 1);
            self.values.truncate(self.offsets[rows] as usize);
            while self.nulls.last().is_some_and(|&row| row >= rows) {
                self.nulls.pop();
            }
        }
    }

    /// Appends the values `values` holds one after another, ending at `ends` (each starting
    /// where the previous ends), and null where `valid` says not: one copy of the bytes. False,
    /// appending nothing or part, where `ends` are not the ends of whole characters of
    /// `values` in order, the last at its end (with no `ends`, `values` must be empty), or
    /// `valid` is not as long as `ends`.
    fn push_all(&mut self, values: &str, ends: &[u32], valid: Option<&[bool]>) -> bool {
        let mut previous = 0;
        for &end in ends {
            if end < previous || !values.is_char_boundary(end as usize) {
                return false;
            }
            previous = end;
        }
        if previous as usize != values.len() || valid.is_some_and(|v| v.len() != ends.len()) {
            return false;
        }
        let first_row = self.rows();
        let base = self.values.len();
        self.values.extend_from_slice(values.as_bytes());
        // Wrap as `end_value`'s do.
        self.offsets
            .extend(ends.iter().map(|&end| (base + end as usize) as i32));
        if let Some(valid) = valid {
            self.nulls.extend(
                valid
                    .iter()
                    .enumerate()
                    .filter(|&(_, &valid)| !valid)
                    .map(|(row, _)| first_row + row),
            );
        }
        true
    }

    fn end_value(&mut self) {
        // Wraps past `i32::MAX` bytes, which `finish` refuses before using any offset.
        self.offsets.push(self.values.len() as i32);
    }

    fn finish(self) -> Result<ArrayRef, ArrowError> {
        if i32::try_from(self.values.len()).is_err() {
            return Err(ArrowError::OffsetOverflowError(self.values.len()));
        }
        let rows = self.offsets.len() - 1;
        let nulls = (!self.nulls.is_empty()).then(|| {
            let mut valid = BooleanBufferBuilder::new(rows);
            valid.append_n(rows, true);
            for &row in &self.nulls {
                valid.set_bit(row, false);
            }
            NullBuffer::new(valid.finish())
        });
        let offsets = OffsetBuffer::new(ScalarBuffer::from(self.offsets));
        // SAFETY: `values` is a concatenation of `&str`s, so valid UTF-8, and every offset is
        // where one of them ends, or (`push_all`) at a character boundary within one checked
        // as such, so at a character boundary within `values`; the offsets
        // start at 0, never decrease (checked above not to have wrapped) and number one more
        // than the rows `nulls` covers, which is all `StringArray::try_new` would check. Its
        // UTF-8 validation of every byte cost a tenth of building the tokens table. The tests
        // validate arrays built here in full.
        let array =
            unsafe { StringArray::new_unchecked(offsets, Buffer::from_vec(self.values), nulls) };
        Ok(Arc::new(array))
    }
}

/// A dictionary column of a few distinct `&'static str` values (language codes, rule names):
/// a value's key is found by looking through the values seen so far, by address first, which
/// costs less than a dictionary builder's hash of the string. The Parquet writer builds its
/// own dictionary from the values row by row, so the order of this one does not reach the
/// file.
#[derive(Default)]
struct FewValues {
    keys: Vec<i32>,
    seen: Vec<&'static str>,
}

impl FewValues {
    fn with_capacity(rows: usize) -> FewValues {
        FewValues {
            keys: Vec::with_capacity(rows),
            seen: Vec::new(),
        }
    }

    fn push(&mut self, value: &'static str) {
        let key = match self.seen.iter().position(|&seen| std::ptr::eq(seen, value)) {
            Some(key) => key,
            None => match self.seen.iter().position(|&seen| seen == value) {
                Some(key) => key,
                None => {
                    self.seen.push(value);
                    self.seen.len() - 1
                }
            },
        };
        self.keys.push(key as i32);
    }

    fn finish(self) -> Result<ArrayRef, ArrowError> {
        let values = StringArray::from_iter_values(self.seen);
        let array = DictionaryArray::try_new(Int32Array::from(self.keys), Arc::new(values))?;
        Ok(Arc::new(array))
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

fn sentences_columns(records: &[DocRecord]) -> Result<Vec<ArrayRef>, ArrowError> {
    let documents = || records.iter().filter_map(|record| record.document.as_ref());
    let rows = documents().map(|document| document.sentences.len()).sum();
    let text_bytes = documents().map(|document| document.text.len()).sum();
    let mut doc_id = Vec::with_capacity(rows);
    let mut sentence_id = Vec::with_capacity(rows);
    let mut offsets = OffsetColumns::with_capacity(rows);
    let mut text = StringColumn::with_capacity(rows, text_bytes);
    let mut lang = FewValues::with_capacity(rows);
    let mut lang_confidence = Vec::with_capacity(rows);
    let mut n_tokens = Vec::with_capacity(rows);
    for record in records {
        let Some(document) = &record.document else {
            continue;
        };
        let cursor = CharOffsets::new(&document.text);
        for (index, sentence) in document.sentences.iter().enumerate() {
            doc_id.push(record.doc_id);
            sentence_id.push(index as u32);
            offsets.push(&cursor, sentence.span);
            text.push(&document.text[sentence.span.range()]);
            lang.push(sentence.lang.lang.code());
            lang_confidence.push(sentence.lang.confidence);
            n_tokens.push(sentence.tokens.end - sentence.tokens.start);
        }
    }
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(UInt64Array::from(doc_id)),
        Arc::new(UInt32Array::from(sentence_id)),
    ];
    columns.extend(offsets.finish());
    columns.extend([
        text.finish()?,
        lang.finish()?,
        Arc::new(Float32Array::from(lang_confidence)),
        Arc::new(UInt32Array::from(n_tokens)),
    ]);
    Ok(columns)
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

/// Whether the tokens table's rows of `document`, sentence by sentence, are its tokens in
/// order, every one once: the order of the forms' buffers.
fn rows_in_token_order(document: &crate::pipeline::Document) -> bool {
    let mut next = 0;
    for sentence in &document.sentences {
        if sentence.tokens.start != next || sentence.tokens.end < next {
            return false;
        }
        next = sentence.tokens.end;
    }
    next as usize == document.tokens.len()
}

fn tokens_columns(records: &[DocRecord]) -> Result<Vec<ArrayRef>, ArrowError> {
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
    let mut text = StringColumn::with_capacity(rows, text_bytes);
    let mut lower = StringColumn::with_capacity(rows, text_bytes);
    let mut stem = StringColumn::with_capacity(rows, text_bytes);
    let mut kind = Vec::with_capacity(rows);
    for record in records {
        let Some(document) = &record.document else {
            continue;
        };
        let cursor = CharOffsets::new(&document.text);
        let doc_start = lower.rows();
        for (sentence_index, sentence) in document.sentences.iter().enumerate() {
            for index in sentence.tokens.start as usize..sentence.tokens.end as usize {
                let token = document.tokens[index];
                doc_id.push(record.doc_id);
                sentence_id.push(sentence_index as u32);
                token_id.push(index as u32);
                offsets.push(&cursor, token.span);
                text.push(&document.text[token.span.range()]);
                kind.push(kind_key(token.kind));
            }
        }
        let (lower_forms, lower_ends) = document.forms.lower_column();
        let (stems, stem_ends, stemmed) = document.forms.stem_column();
        if rows_in_token_order(document)
            && lower.push_all(lower_forms, lower_ends, None)
            && stem.push_all(stems, stem_ends, Some(stemmed))
        {
            continue;
        }
        // Rows in another order than the forms (no pipeline makes such a document), or forms
        // that do not fit the tokens: one row at a time, after what the failed attempt left.
        lower.truncate(doc_start);
        stem.truncate(doc_start);
        for sentence in &document.sentences {
            for index in sentence.tokens.start as usize..sentence.tokens.end as usize {
                lower.push(document.forms.lower(index));
                stem.push_option(document.forms.stem(index));
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
        text.finish()?,
        lower.finish()?,
        stem.finish()?,
        Arc::new(kinds(Int32Array::from(kind))),
    ]);
    Ok(columns)
}

fn entities_columns(records: &[DocRecord]) -> Result<Vec<ArrayRef>, ArrowError> {
    let documents = || records.iter().filter_map(|record| record.document.as_ref());
    let rows = documents().map(|document| document.entities.len()).sum();
    let text_bytes = documents()
        .flat_map(|document| &document.entities)
        .map(|(_, entity)| entity.span.len())
        .sum();
    let mut doc_id = Vec::with_capacity(rows);
    let mut sentence_id = Vec::with_capacity(rows);
    let mut entity_id = Vec::with_capacity(rows);
    let mut offsets = OffsetColumns::with_capacity(rows);
    let mut token_start = Vec::with_capacity(rows);
    let mut token_end = Vec::with_capacity(rows);
    let mut text = StringColumn::with_capacity(rows, text_bytes);
    let mut n_tokens = Vec::with_capacity(rows);
    for record in records {
        let Some(document) = &record.document else {
            continue;
        };
        let cursor = CharOffsets::new(&document.text);
        for (index, (sentence, entity)) in document.entities.iter().enumerate() {
            doc_id.push(record.doc_id);
            sentence_id.push(*sentence);
            entity_id.push(index as u32);
            offsets.push(&cursor, entity.span);
            token_start.push(entity.tokens.start);
            token_end.push(entity.tokens.end);
            text.push(&document.text[entity.span.range()]);
            n_tokens.push(entity.tokens.end - entity.tokens.start);
        }
    }
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(UInt64Array::from(doc_id)),
        Arc::new(UInt32Array::from(sentence_id)),
        Arc::new(UInt32Array::from(entity_id)),
    ];
    columns.extend(offsets.finish());
    columns.extend([
        Arc::new(UInt32Array::from(token_start)) as ArrayRef,
        Arc::new(UInt32Array::from(token_end)),
        text.finish()?,
        Arc::new(UInt32Array::from(n_tokens)),
    ]);
    Ok(columns)
}

fn removed_lines_columns(records: &[DocRecord]) -> Result<Vec<ArrayRef>, ArrowError> {
    let documents = || records.iter().filter_map(|record| record.document.as_ref());
    let rows = documents()
        .map(|document| document.removed_lines.len())
        .sum();
    let text_bytes = documents()
        .flat_map(|document| &document.removed_lines)
        .map(|line| line.text.len())
        .sum();
    let mut doc_id = Vec::with_capacity(rows);
    let mut line_no = Vec::with_capacity(rows);
    let mut text = StringColumn::with_capacity(rows, text_bytes);
    let mut rule = FewValues::with_capacity(rows);
    let mut doc_freq = UInt32Builder::with_capacity(rows);
    for record in records {
        let Some(document) = &record.document else {
            continue;
        };
        for line in &document.removed_lines {
            doc_id.push(record.doc_id);
            line_no.push(line.line_no);
            text.push(&line.text);
            rule.push(line.rule);
            doc_freq.append_option(line.doc_freq);
        }
    }
    Ok(vec![
        Arc::new(UInt64Array::from(doc_id)),
        Arc::new(UInt32Array::from(line_no)),
        text.finish()?,
        rule.finish()?,
        Arc::new(doc_freq.finish()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Array;

    #[test]
    fn char_offsets_match_code_points_in_non_ascii_text() {
        let text = "Exército Vermelho — União Soviética";
        let cursor = CharOffsets::new(text);
        let spans = [
            Span::new(0, 9),
            Span::new(10, 18),
            Span::new(23, 29),
            Span::new(30, text.len()),
            // Overlapping the previous span, then starting before it.
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

    #[test]
    fn char_offsets_count_like_a_byte_loop_at_every_offset() {
        let texts = [
            "",
            "abc",
            "Exército Vermelho — União Soviética, 1943",
            "Москва́ 😀 東京 ĳ x",
            "\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff} end",
            "ééééééééééééééééé",
        ];
        for text in texts {
            let cursor = CharOffsets::new(text);
            // Every offset, at a character boundary or not.
            for offset in 0..=text.len() {
                let by_bytes = text.as_bytes()[..offset]
                    .iter()
                    .filter(|&&byte| (byte as i8) >= -0x40)
                    .count();
                assert_eq!(
                    cursor.char_at(offset as u32) as usize,
                    by_bytes,
                    "{text:?}[..{offset}]"
                );
            }
        }
    }

    #[test]
    fn string_column_builds_the_array_a_builder_does() {
        let values = [Some("Stalin"), None, Some(""), Some("Exército"), None];
        let mut column = StringColumn::with_capacity(2, 3);
        let mut builder = StringBuilder::new();
        for value in values {
            column.push_option(value);
            builder.append_option(value);
        }
        let built = column.finish().unwrap();
        built.to_data().validate_full().unwrap();
        assert_eq!(built.to_data(), builder.finish().to_data());

        let mut all_valid = StringColumn::with_capacity(0, 0);
        all_valid.push("a");
        assert_eq!(all_valid.finish().unwrap().nulls(), None);
    }

    #[test]
    fn few_values_keep_each_row_value() {
        let owned = String::from("comment_form");
        // A value equal to one seen before but at another address.
        let leaked: &'static str = Box::leak(owned.into_boxed_str());
        let rows = ["en", "pt", "en", "comment_form", leaked, "und"];
        let mut column = FewValues::default();
        for row in rows {
            column.push(row);
        }
        let array = column.finish().unwrap();
        let array = array
            .as_any()
            .downcast_ref::<DictionaryArray<Int32Type>>()
            .unwrap();
        let values = array
            .values()
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        let read: Vec<&str> = array
            .keys()
            .iter()
            .map(|key| values.value(key.unwrap() as usize))
            .collect();
        assert_eq!(read, rows);
        assert_eq!(values.len(), 4);
    }

    #[test]
    fn every_table_of_processed_documents_validates_in_full() {
        let pipeline = crate::pipeline::Pipeline::new(crate::pipeline::Config::default());
        let pages = [
            "Em 2 de fevereiro de 1943, o Exército Vermelho derrotou o nazismo.\n\n\
             Mr. J.V. Stalin spoke on November 6. The Red Army held the Volga River.",
            "Москва́ — столица России. 東京は日本の首都です。 Ĳsselmeer 😀!",
            "",
        ];
        let records: Vec<DocRecord> = pages
            .iter()
            .enumerate()
            .map(|(index, page)| DocRecord {
                doc_id: index as u64,
                source: format!("page{index}.txt"),
                url: None,
                encoding: Some("UTF-8"),
                n_bytes: page.len() as u64,
                skip_reason: None,
                failed: false,
                document: Some(pipeline.process(page)),
            })
            .collect();
        for table in Table::ALL {
            let batch = table.batch(&records).unwrap();
            for column in batch.columns() {
                column.to_data().validate_full().unwrap();
            }
        }
    }

    #[test]
    fn string_column_takes_whole_buffers_only_where_they_split_into_values() {
        let mut column = StringColumn::with_capacity(0, 0);
        column.push("x");
        // Not at a character boundary, decreasing, short of the end, validity of another length.
        assert!(!column.push_all("é", &[1, 2], None));
        assert!(!column.push_all("ab", &[2, 1], None));
        assert!(!column.push_all("abc", &[1, 2], None));
        assert!(!column.push_all("", &[0], Some(&[])));
        assert!(!column.push_all("a", &[], None));
        assert_eq!(column.rows(), 1);
        assert!(column.push_all("Stalinés", &[6, 6, 9], Some(&[true, false, true])));
        column.push_option(None);
        column.truncate(3);
        column.push("z");

        let mut by_rows = StringColumn::with_capacity(0, 0);
        for value in [Some("x"), Some("Stalin"), None, Some("z")] {
            by_rows.push_option(value);
        }
        let (built, expected) = (column.finish().unwrap(), by_rows.finish().unwrap());
        built.to_data().validate_full().unwrap();
        assert_eq!(built.to_data(), expected.to_data());
    }

    #[test]
    fn tokens_of_sentences_out_of_order_still_get_their_own_forms() {
        let pipeline = crate::pipeline::Pipeline::new(crate::pipeline::Config::default());
        let mut document = pipeline.process(
            "Mr. J.V. Stalin spoke on November 6. The Red Army held the Volga River. Es war kalt.",
        );
        assert!(document.sentences.len() >= 3);
        document.sentences.reverse();
        let record = DocRecord {
            doc_id: 7,
            source: "page.txt".into(),
            url: None,
            encoding: None,
            n_bytes: 0,
            skip_reason: None,
            failed: false,
            document: Some(document),
        };
        let batch = Table::Tokens.batch(std::slice::from_ref(&record)).unwrap();
        let document = record.document.as_ref().unwrap();
        let rows: Vec<usize> = document
            .sentences
            .iter()
            .flat_map(|sentence| sentence.tokens.start as usize..sentence.tokens.end as usize)
            .collect();
        let column = |name: &str| {
            batch
                .column_by_name(name)
                .unwrap()
                .as_any()
                .downcast_ref::<StringArray>()
                .unwrap()
                .clone()
        };
        let (lower, stem) = (column("lower"), column("stem"));
        for (row, &index) in rows.iter().enumerate() {
            assert_eq!(lower.value(row), document.forms.lower(index));
            let stem = stem.is_valid(row).then(|| stem.value(row));
            assert_eq!(stem, document.forms.stem(index));
        }
    }
}
