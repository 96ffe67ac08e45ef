//! Parquet inputs: one document per row, its text in the `--text-field` column, read a batch
//! at a time (the arrow reader decodes one row group's pages as they are needed).

use super::{InputFile, RawDocument, ReadOptions, Unread, record_site, too_large};
use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::datatypes::DataType;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};

/// Rows per batch: documents can be large, so batches stay small.
const BATCH_ROWS: usize = 256;

/// The documents of one Parquet file.
pub(super) struct ParquetDocuments<'a> {
    reader: ParquetRecordBatchReader,
    batch: Option<RecordBatch>,
    row: usize,
    row_no: u64,
    file_source: &'a str,
    options: &'a ReadOptions,
    done: bool,
}

impl<'a> ParquetDocuments<'a> {
    /// Opens `input`; the reason when it cannot be read or has no text column.
    pub(super) fn open(input: &'a InputFile, options: &'a ReadOptions) -> Result<Self, String> {
        let file =
            std::fs::File::open(&input.path).map_err(|error| format!("unreadable: {error}"))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|error| format!("invalid_parquet: {error}"))?;
        let fields = builder.schema().fields();
        let index_of = |name: &str| fields.iter().position(|field| field.name() == name);
        let text = index_of(&options.text_field)
            .ok_or_else(|| format!("no_text: no column \"{}\"", options.text_field))?;
        let mut roots = vec![text];
        roots.extend(index_of(&options.id_field));
        roots.extend(index_of(&options.url_field));
        roots.sort_unstable();
        roots.dedup();
        let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
        let reader = builder
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(|error| format!("invalid_parquet: {error}"))?;
        Ok(ParquetDocuments {
            reader,
            batch: None,
            row: 0,
            row_no: 0,
            file_source: &input.source,
            options,
            done: false,
        })
    }

    fn document(&self, batch: &RecordBatch, row: usize) -> RawDocument {
        let column = |name: &str| batch.column_by_name(name);
        let id = column(&self.options.id_field)
            .and_then(|ids| cell_string(ids, row))
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| self.row_no.to_string());
        let url = column(&self.options.url_field)
            .and_then(|urls| cell_string(urls, row))
            .filter(|url| !url.is_empty());
        let field = &self.options.text_field;
        let max = self.options.max_doc_bytes;
        let (n_bytes, bytes) = match column(field).map(|texts| cell_bytes(texts, row)) {
            Some(Cell::Bytes(bytes)) if bytes.len() as u64 > max => {
                (bytes.len() as u64, Err(too_large(bytes.len() as u64, max)))
            }
            Some(Cell::Bytes(bytes)) => (bytes.len() as u64, Ok(bytes.to_vec())),
            Some(Cell::Null) => (
                0,
                Err(Unread::Skipped(format!("no_text: \"{field}\" is null"))),
            ),
            Some(Cell::NotText(kind)) => (
                0,
                Err(Unread::Skipped(format!(
                    "no_text: column \"{field}\" is {kind}, not a string"
                ))),
            ),
            None => (
                0,
                Err(Unread::Skipped(format!("no_text: no column \"{field}\""))),
            ),
        };
        RawDocument {
            source: format!("{}#{id}", self.file_source),
            site: record_site(url.as_deref(), self.file_source),
            url,
            n_bytes,
            bytes,
        }
    }
}

enum Cell<'b> {
    Bytes(&'b [u8]),
    Null,
    NotText(DataType),
}

/// The bytes of a string or binary cell.
fn cell_bytes(array: &ArrayRef, row: usize) -> Cell<'_> {
    if array.is_null(row) {
        return Cell::Null;
    }
    match array.data_type() {
        DataType::Utf8 => Cell::Bytes(array.as_string::<i32>().value(row).as_bytes()),
        DataType::LargeUtf8 => Cell::Bytes(array.as_string::<i64>().value(row).as_bytes()),
        DataType::Utf8View => Cell::Bytes(array.as_string_view().value(row).as_bytes()),
        DataType::Binary => Cell::Bytes(array.as_binary::<i32>().value(row)),
        DataType::LargeBinary => Cell::Bytes(array.as_binary::<i64>().value(row)),
        DataType::BinaryView => Cell::Bytes(array.as_binary_view().value(row)),
        other => Cell::NotText(other.clone()),
    }
}

/// A cell as a string: text as is, numbers and other scalars formatted; `None` when null.
fn cell_string(array: &ArrayRef, row: usize) -> Option<String> {
    match cell_bytes(array, row) {
        Cell::Bytes(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
        Cell::Null => None,
        Cell::NotText(_) => arrow::util::display::array_value_to_string(array, row).ok(),
    }
}

impl Iterator for ParquetDocuments<'_> {
    type Item = RawDocument;

    fn next(&mut self) -> Option<RawDocument> {
        while !self.done {
            if let Some(batch) = &self.batch
                && self.row < batch.num_rows()
            {
                let document = self.document(batch, self.row);
                self.row += 1;
                self.row_no += 1;
                return Some(document);
            }
            match self.reader.next() {
                Some(Ok(batch)) => {
                    self.batch = Some(batch);
                    self.row = 0;
                }
                Some(Err(error)) => {
                    self.done = true;
                    let source = format!("{}#{}", self.file_source, self.row_no);
                    let reason = Unread::Failed(format!("invalid_parquet: {error}"));
                    return Some(RawDocument::unread(
                        source,
                        self.file_source.to_owned(),
                        reason,
                    ));
                }
                None => self.done = true,
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Int64Array, StringArray};
    use arrow::datatypes::{Field, Schema};
    use std::sync::Arc;

    #[test]
    fn rows_become_documents_across_row_groups() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, true),
            Field::new("text", DataType::Utf8, true),
            Field::new("url", DataType::Utf8, true),
        ]));
        let props = parquet::file::properties::WriterProperties::builder()
            .set_max_row_group_row_count(Some(2))
            .build();
        let mut writer = parquet::arrow::ArrowWriter::try_new(
            std::fs::File::create(&path).unwrap(),
            schema.clone(),
            Some(props),
        )
        .unwrap();
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from(vec![Some(10), None, Some(12)])),
                Arc::new(StringArray::from(vec![Some("Um."), Some("Dois."), None])),
                Arc::new(StringArray::from(vec![Some("https://a.pt/1"), None, None])),
            ],
        )
        .unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        let input = InputFile {
            path: path.clone(),
            source: "t.parquet".to_owned(),
            walk_error: None,
            stdin: false,
        };
        let options = ReadOptions::default();
        let docs: Vec<RawDocument> = ParquetDocuments::open(&input, &options).unwrap().collect();
        let sources: Vec<&str> = docs.iter().map(|d| d.source.as_str()).collect();
        assert_eq!(sources, ["t.parquet#10", "t.parquet#1", "t.parquet#12"]);
        assert_eq!(docs[0].site, "a.pt");
        assert_eq!(docs[1].bytes.as_deref().unwrap(), b"Dois.");
        assert!(matches!(&docs[2].bytes, Err(Unread::Skipped(r)) if r.starts_with("no_text")));
        let other = ReadOptions {
            text_field: "body".to_owned(),
            ..ReadOptions::default()
        };
        assert!(ParquetDocuments::open(&input, &other).is_err_and(|r| r.starts_with("no_text")));
    }
}
