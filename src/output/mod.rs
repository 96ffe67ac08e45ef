//! Parquet output: the five tables, written under temporary names and renamed into place only
//! when complete, so a killed run never leaves a truncated table at its final name.

mod dataset;
mod schema;

pub use dataset::{Layout, PARTITION_KEY, publish};
use schema::ColumnEncoding;
pub use schema::{SCHEMA_VERSION, Table};

use crate::pipeline::Document;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One input document as it goes to the tables: identity, outcome and, when processed, the
/// processed document.
#[derive(Debug)]
pub struct DocRecord {
    /// Stable id: a hash of `source`.
    pub doc_id: u64,
    /// Where the document came from, relative to its input root.
    pub source: String,
    /// The document's URL, where its input records one (JSON Lines, Parquet, WET).
    pub url: Option<String>,
    /// The encoding the bytes were decoded from; `None` when they could not be decoded.
    pub encoding: Option<&'static str>,
    /// Size of the input in bytes.
    pub n_bytes: u64,
    /// Why the document was skipped or failed; `None` when processed.
    pub skip_reason: Option<String>,
    /// Whether the document failed (an error) rather than being skipped (a judgement).
    pub failed: bool,
    /// The processed document; `None` when skipped or failed.
    pub document: Option<Document>,
}

impl DocRecord {
    /// `processed`, `skipped` or `failed`. A skipped document may still carry its processed
    /// form (an empty text and the boilerplate lines that emptied it).
    pub fn status(&self) -> &'static str {
        match (self.failed, &self.skip_reason) {
            (true, _) => "failed",
            (false, Some(_)) => "skipped",
            (false, None) => "processed",
        }
    }
}

/// How the Parquet files are written.
#[derive(Clone, Debug)]
pub struct WriteOptions {
    /// zstd compression level (1–22).
    pub zstd_level: i32,
    /// Rows per row group; row groups are flushed as they fill, which bounds memory.
    pub row_group_rows: usize,
    /// Key-value metadata stored in every file (version, options that shape the rows).
    pub metadata: Vec<(String, String)>,
}

impl Default for WriteOptions {
    fn default() -> WriteOptions {
        WriteOptions {
            zstd_level: 1,
            row_group_rows: 128 * 1024,
            metadata: Vec::new(),
        }
    }
}

/// An output error, naming the file it concerns.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file could not be created, renamed or removed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Parquet or Arrow failed while writing a table.
    #[error("{path}: {source}")]
    Parquet {
        /// The file being written.
        path: PathBuf,
        /// The cause.
        source: parquet::errors::ParquetError,
    },
}

struct TableWriter {
    table: Table,
    writer: ArrowWriter<File>,
    temp_path: PathBuf,
    final_path: PathBuf,
    rows: u64,
}

/// A row group is flushed early once its buffered pages take this much memory: the
/// documents table holds whole texts, so a row-count limit alone would let memory grow with
/// the documents' size.
const ROW_GROUP_MEMORY: usize = 32 * 1024 * 1024;

impl TableWriter {
    fn write(&mut self, records: &[DocRecord]) -> Result<(), OutputError> {
        let parquet_error = |source| OutputError::Parquet {
            path: self.temp_path.clone(),
            source,
        };
        let batch = self
            .table
            .batch(records)
            .map_err(|error| parquet_error(error.into()))?;
        if batch.num_rows() == 0 {
            return Ok(());
        }
        self.rows += batch.num_rows() as u64;
        self.writer.write(&batch).map_err(parquet_error)?;
        if self.writer.memory_size() >= ROW_GROUP_MEMORY {
            self.writer.flush().map_err(parquet_error)?;
        }
        Ok(())
    }
}

/// Writers for all five tables of one output.
pub struct TableWriters {
    writers: Vec<TableWriter>,
}

/// Row counts per table, in `Table::ALL` order.
pub type RowCounts = [u64; 5];

impl TableWriters {
    /// Opens temporary files for every table in `dir`; `file_name(table)` gives each final name.
    pub fn create(
        dir: &Path,
        file_name: impl Fn(Table) -> String,
        options: &WriteOptions,
    ) -> Result<TableWriters, OutputError> {
        let mut writers = Vec::with_capacity(Table::ALL.len());
        for table in Table::ALL {
            let properties = writer_properties(table, options);
            let final_path = dir.join(file_name(table));
            let temp_path = temp_path_for(&final_path);
            let file = File::create(&temp_path).map_err(|source| OutputError::Io {
                path: temp_path.clone(),
                source,
            })?;
            let writer =
                ArrowWriter::try_new(file, table.schema(), Some(properties)).map_err(|source| {
                    OutputError::Parquet {
                        path: temp_path.clone(),
                        source,
                    }
                })?;
            writers.push(TableWriter {
                table,
                writer,
                temp_path,
                final_path,
                rows: 0,
            });
        }
        Ok(TableWriters { writers })
    }

    /// Appends the rows of `records` to every table. The tables are encoded in parallel on the
    /// current rayon pool (each table's file depends only on its own rows, so the bytes do not
    /// depend on the number of threads); returns the time spent, summed over the tables.
    pub fn write(&mut self, records: &[DocRecord]) -> Result<Duration, OutputError> {
        use rayon::prelude::*;
        let times: Vec<Result<Duration, OutputError>> = self
            .writers
            .par_iter_mut()
            .map(|writer| {
                let started = Instant::now();
                writer.write(records)?;
                Ok(started.elapsed())
            })
            .collect();
        let mut total = Duration::ZERO;
        for time in times {
            total += time?;
        }
        Ok(total)
    }

    /// Closes every table and renames it into place; returns the row counts. The tables are
    /// closed in parallel on the current rayon pool: closing flushes each table's last row
    /// group, whose encoding is most of the cost.
    pub fn finish(self) -> Result<RowCounts, OutputError> {
        use rayon::prelude::*;
        let closed: Vec<Result<(u64, PathBuf, PathBuf), OutputError>> = self
            .writers
            .into_par_iter()
            .map(|writer| {
                let file = writer
                    .writer
                    .into_inner()
                    .map_err(|source| OutputError::Parquet {
                        path: writer.temp_path.clone(),
                        source,
                    })?;
                file.sync_all().map_err(|source| OutputError::Io {
                    path: writer.temp_path.clone(),
                    source,
                })?;
                Ok((writer.rows, writer.temp_path, writer.final_path))
            })
            .collect();
        let mut counts = [0; 5];
        let mut renames = Vec::with_capacity(closed.len());
        for (index, result) in closed.into_iter().enumerate() {
            let (rows, temp_path, final_path) = result?;
            counts[index] = rows;
            renames.push((temp_path, final_path));
        }
        // Renames only after every table closed cleanly, so the tables appear together.
        for (temp_path, final_path) in renames {
            std::fs::rename(&temp_path, &final_path).map_err(|source| OutputError::Io {
                path: final_path.clone(),
                source,
            })?;
        }
        Ok(counts)
    }

    /// Removes the temporary files of an output that will not be completed.
    pub fn abandon(self) {
        for writer in self.writers {
            drop(writer.writer);
            let _ = std::fs::remove_file(&writer.temp_path);
        }
    }
}

fn writer_properties(table: Table, options: &WriteOptions) -> WriterProperties {
    let level = ZstdLevel::try_new(options.zstd_level).unwrap_or_default();
    let metadata = options
        .metadata
        .iter()
        .map(|(key, value)| KeyValue::new(key.clone(), value.clone()))
        .collect();
    let mut builder = WriterProperties::builder()
        .set_compression(Compression::ZSTD(level))
        .set_max_row_group_row_count(Some(options.row_group_rows))
        .set_created_by(format!("corpusmill {}", env!("CARGO_PKG_VERSION")))
        .set_key_value_metadata(Some(metadata));
    for &(column, encoding) in table.column_encodings() {
        let path = ColumnPath::from(column);
        builder = match encoding {
            ColumnEncoding::Delta => builder
                .set_column_dictionary_enabled(path.clone(), false)
                .set_column_statistics_enabled(path.clone(), EnabledStatistics::None)
                .set_column_encoding(path, Encoding::DELTA_BINARY_PACKED),
            ColumnEncoding::Offsets => builder
                .set_column_dictionary_enabled(path.clone(), false)
                .set_column_statistics_enabled(path.clone(), EnabledStatistics::None)
                .set_column_compression(path.clone(), Compression::UNCOMPRESSED)
                .set_column_encoding(path, Encoding::DELTA_BINARY_PACKED),
            ColumnEncoding::PlainText => builder
                .set_column_dictionary_enabled(path.clone(), false)
                .set_column_statistics_enabled(path, EnabledStatistics::None),
            ColumnEncoding::DictionaryText => {
                builder.set_column_statistics_enabled(path, EnabledStatistics::None)
            }
        };
    }
    builder.build()
}

/// Builds every table in `dir` from part files written by [`TableWriters`] with the same
/// `options`: `parts(table)` lists a table's parts in row order. Column chunks are copied as
/// they are, without decoding, so the result depends only on the parts (a run resumed from
/// parts gives the same bytes as one that wrote them all at once) and costs little more than
/// a file copy. Tables are written under temporary names and renamed together at the end.
pub fn concat_tables(
    dir: &Path,
    file_name: impl Fn(Table) -> String,
    parts: impl Fn(Table) -> Vec<PathBuf>,
    options: &WriteOptions,
) -> Result<RowCounts, OutputError> {
    let mut counts = [0; 5];
    let mut closed = Vec::with_capacity(Table::ALL.len());
    for (index, table) in Table::ALL.into_iter().enumerate() {
        let final_path = dir.join(file_name(table));
        let temp_path = temp_path_for(&final_path);
        match concat_table(table, &parts(table), &temp_path, options) {
            Ok(rows) => counts[index] = rows,
            Err(error) => {
                let _ = std::fs::remove_file(&temp_path);
                for (temp, _) in closed {
                    let _ = std::fs::remove_file(temp);
                }
                return Err(error);
            }
        }
        closed.push((temp_path, final_path));
    }
    for (temp_path, final_path) in closed {
        std::fs::rename(&temp_path, &final_path).map_err(|source| OutputError::Io {
            path: final_path.clone(),
            source,
        })?;
    }
    Ok(counts)
}

fn concat_table(
    table: Table,
    parts: &[PathBuf],
    temp_path: &Path,
    options: &WriteOptions,
) -> Result<u64, OutputError> {
    use parquet::column::writer::ColumnCloseResult;
    use parquet::file::metadata::{PageIndexPolicy, ParquetMetaData, ParquetMetaDataReader};
    use parquet::file::writer::SerializedFileWriter;
    let parquet_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| OutputError::Parquet { path, source }
    };
    let mut properties = writer_properties(table, options);
    let schema = table.schema();
    parquet::arrow::add_encoded_arrow_schema_to_metadata(&schema, &mut properties);
    let descriptor = parquet::arrow::ArrowSchemaConverter::new()
        .convert(&schema)
        .map_err(parquet_error(temp_path))?;
    let read_part = |part: &PathBuf| -> Result<(File, ParquetMetaData), OutputError> {
        let input = File::open(part).map_err(|source| OutputError::Io {
            path: part.clone(),
            source,
        })?;
        let metadata = ParquetMetaDataReader::new()
            .with_page_index_policy(PageIndexPolicy::Optional)
            .parse_and_finish(&input)
            .map_err(parquet_error(part))?;
        if metadata.file_metadata().schema_descr().root_schema() != descriptor.root_schema() {
            return Err(OutputError::Parquet {
                path: part.clone(),
                source: parquet::errors::ParquetError::General(format!(
                    "not a {} part",
                    table.name()
                )),
            });
        }
        Ok((input, metadata))
    };
    // One part (every run under `SEGMENT_BYTES`) already is the table, written with the same
    // options: a hard link saves copying it, and the part stays for a resumed run.
    if let [part] = parts {
        let (_, metadata) = read_part(part)?;
        // Where the temporary name is taken (a leftover, a link elsewhere), the copy below
        // overwrites it as before.
        if std::fs::hard_link(part, temp_path).is_ok() {
            return Ok(metadata.file_metadata().num_rows() as u64);
        }
    }
    let file = File::create(temp_path).map_err(|source| OutputError::Io {
        path: temp_path.to_path_buf(),
        source,
    })?;
    let mut writer = SerializedFileWriter::new(
        file,
        descriptor.root_schema_ptr(),
        std::sync::Arc::new(properties),
    )
    .map_err(parquet_error(temp_path))?;
    let mut rows = 0u64;
    for part in parts {
        let (input, metadata) = read_part(part)?;
        let page_index = metadata.page_index();
        for (group_index, group) in metadata.row_groups().iter().enumerate() {
            let mut group_writer = writer.next_row_group().map_err(parquet_error(temp_path))?;
            for (column_index, column) in group.columns().iter().enumerate() {
                let close = ColumnCloseResult {
                    bytes_written: column.compressed_size() as u64,
                    rows_written: group.num_rows() as u64,
                    metadata: column.clone(),
                    bloom_filter: None,
                    column_index: page_index
                        .and_then(|pi| pi.column_index(group_index, column_index))
                        .cloned(),
                    offset_index: page_index
                        .and_then(|pi| pi.offset_index(group_index, column_index))
                        .cloned(),
                };
                group_writer
                    .append_column(&input, close)
                    .map_err(parquet_error(temp_path))?;
            }
            group_writer.close().map_err(parquet_error(temp_path))?;
            rows += group.num_rows() as u64;
        }
    }
    let file = writer.into_inner().map_err(parquet_error(temp_path))?;
    file.sync_all().map_err(|source| OutputError::Io {
        path: temp_path.to_path_buf(),
        source,
    })?;
    Ok(rows)
}

/// The temporary name a table is written under: hidden, and ignored by Parquet dataset readers
/// (pyarrow, DuckDB and polars skip files starting with `.` or `_`).
pub fn temp_path_for(final_path: &Path) -> PathBuf {
    let name = final_path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    final_path.with_file_name(format!(".{name}.partial"))
}
