//! Where the tables' files go. By default each table is one file, `OUT/<table>.parquet`. With
//! shards each table is a directory of parts, `OUT/<table>/part-K-of-N.parquet`, one per job;
//! partitioned by language each table is a Hive-partitioned directory,
//! `OUT/<table>/lang=por/part-00000.parquet` (or `part-K-of-N`), that pandas, polars, pyarrow
//! and DuckDB read as one table with a `lang` column taken from the directory names.
//!
//! The run first assembles each table as one file in its work directory; [`publish`] then moves
//! (or splits) them into the layout. Every file is written under a hidden temporary name and
//! renamed into place only when all of them are complete, and a job only ever touches files
//! carrying its own part name, so N shard jobs can share one output directory.

use super::{OutputError, RowCounts, Table, WriteOptions, temp_path_for, writer_properties};
use arrow::array::{AsArray, RecordBatch, UInt32Array};
use arrow::datatypes::{Int32Type, SchemaRef, UInt64Type};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::properties::WriterProperties;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};

/// The Hive partition key: directories are named `lang=<code>`.
pub const PARTITION_KEY: &str = "lang";

/// How a run's table files are laid out.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Layout {
    /// Shard `index` of `count`: each table becomes a directory holding this job's part.
    pub shard: Option<(u32, u32)>,
    /// Partition every table by language (`lang=<code>` directories).
    pub partition_by_lang: bool,
}

impl Layout {
    /// True for one file per table, `OUT/<table>.parquet`.
    pub fn is_single_files(&self) -> bool {
        self.shard.is_none() && !self.partition_by_lang
    }

    /// The stem of this job's part files: `part-00000` when partitioned without shards,
    /// `part-0000K-of-0000N` for a shard; `None` for one file per table.
    pub fn part_name(&self) -> Option<String> {
        match (self.shard, self.partition_by_lang) {
            (Some((index, count)), _) => Some(format!("part-{index:05}-of-{count:05}")),
            (None, true) => Some("part-00000".to_owned()),
            (None, false) => None,
        }
    }

    /// The final path of `table`'s file for partition value `key` under `out`.
    fn path(&self, out: &Path, table: Table, key: &str) -> PathBuf {
        match self.part_name() {
            None => out.join(format!("{}.parquet", table.name())),
            Some(part) if self.partition_by_lang => out
                .join(table.name())
                .join(format!("{PARTITION_KEY}={key}"))
                .join(format!("{part}.parquet")),
            Some(part) => out.join(table.name()).join(format!("{part}.parquet")),
        }
    }
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn parquet_error(path: &Path) -> impl FnOnce(parquet::errors::ParquetError) -> OutputError + '_ {
    move |source| OutputError::Parquet {
        path: path.to_path_buf(),
        source,
    }
}

/// Moves the tables assembled in `assembled` (`<table>.parquet` each) into `out` in `layout`,
/// splitting them by language when it is partitioned. Returns the rows per table.
pub fn publish(
    assembled: &Path,
    out: &Path,
    layout: &Layout,
    options: &WriteOptions,
) -> Result<RowCounts, OutputError> {
    let mut counts = [0; 5];
    let mut ready: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut doc_langs: HashMap<u64, String> = HashMap::new();
    for (index, table) in Table::ALL.into_iter().enumerate() {
        let properties = writer_properties(table, options);
        let source = assembled.join(format!("{}.parquet", table.name()));
        if !layout.partition_by_lang {
            let target = layout.path(out, table, "");
            counts[index] = row_count(&source)?;
            ready.push((source, target));
            continue;
        }
        let mut split = Split::new(table, out, layout, &properties)?;
        let file = File::open(&source).map_err(io_error(&source))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|builder| builder.build())
            .map_err(parquet_error(&source))?;
        for batch in reader {
            let batch = batch.map_err(|error| parquet_error(&source)(error.into()))?;
            let keys = match table {
                Table::Documents | Table::Sentences => strings(&batch, PARTITION_KEY),
                _ => u64s(&batch, "doc_id")
                    .into_iter()
                    .map(|id| {
                        doc_langs
                            .get(&id)
                            .cloned()
                            .unwrap_or_else(|| "und".to_owned())
                    })
                    .collect(),
            };
            if table == Table::Documents {
                for (id, lang) in u64s(&batch, "doc_id").into_iter().zip(&keys) {
                    // A source given twice has one doc_id; its rows follow the first's language.
                    doc_langs.entry(id).or_insert_with(|| lang.clone());
                }
            }
            counts[index] += batch.num_rows() as u64;
            split.write(&batch, &keys)?;
        }
        ready.extend(split.finish()?);
        let _ = std::fs::remove_file(&source);
    }
    if let Some(part) = layout.part_name() {
        remove_stale_parts(out, &part, &ready)?;
    }
    // Renames only after every file is complete, so the tables appear together.
    for (from, to) in &ready {
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        }
        std::fs::rename(from, to).map_err(io_error(to))?;
    }
    Ok(counts)
}

fn row_count(path: &Path) -> Result<u64, OutputError> {
    let file = File::open(path).map_err(io_error(path))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(parquet_error(path))?;
    Ok(builder.metadata().file_metadata().num_rows().max(0) as u64)
}

fn u64s(batch: &RecordBatch, name: &str) -> Vec<u64> {
    batch
        .column_by_name(name)
        .and_then(|column| column.as_primitive_opt::<UInt64Type>())
        .map(|column| column.values().to_vec())
        .unwrap_or_default()
}

/// A dictionary-encoded string column as strings (`und` for nulls).
fn strings(batch: &RecordBatch, name: &str) -> Vec<String> {
    let Some(column) = batch.column_by_name(name) else {
        return vec!["und".to_owned(); batch.num_rows()];
    };
    if let Some(dictionary) = column.as_dictionary_opt::<Int32Type>() {
        let values = dictionary.values().as_string::<i32>();
        return dictionary
            .keys()
            .iter()
            .map(|key| key.map_or("und", |k| values.value(k as usize)).to_owned())
            .collect();
    }
    match column.as_string_opt::<i32>() {
        Some(column) => column
            .iter()
            .map(|v| v.unwrap_or("und").to_owned())
            .collect(),
        None => vec!["und".to_owned(); batch.num_rows()],
    }
}

struct OpenFile {
    writer: ArrowWriter<File>,
    temp_path: PathBuf,
    final_path: PathBuf,
}

/// One table being split into partition files.
struct Split<'a> {
    table: Table,
    out: &'a Path,
    layout: &'a Layout,
    properties: &'a WriterProperties,
    /// The columns stored in the files: the table's, less `lang` (readers rebuild it from the
    /// directory names, and a second `lang` inside the files would clash with it).
    schema: SchemaRef,
    projection: Vec<usize>,
    files: BTreeMap<String, OpenFile>,
}

impl<'a> Split<'a> {
    fn new(
        table: Table,
        out: &'a Path,
        layout: &'a Layout,
        properties: &'a WriterProperties,
    ) -> Result<Self, OutputError> {
        let full = table.schema();
        let projection: Vec<usize> = (0..full.fields().len())
            .filter(|&i| full.field(i).name() != PARTITION_KEY)
            .collect();
        let schema = full
            .project(&projection)
            .map_err(|error| parquet_error(out)(error.into()))?;
        Ok(Split {
            table,
            out,
            layout,
            properties,
            schema: std::sync::Arc::new(schema),
            projection,
            files: BTreeMap::new(),
        })
    }

    fn file(&mut self, key: &str) -> Result<&mut OpenFile, OutputError> {
        if !self.files.contains_key(key) {
            let final_path = self.layout.path(self.out, self.table, key);
            if let Some(dir) = final_path.parent() {
                std::fs::create_dir_all(dir).map_err(io_error(dir))?;
            }
            let temp_path = temp_path_for(&final_path);
            let file = File::create(&temp_path).map_err(io_error(&temp_path))?;
            let writer =
                ArrowWriter::try_new(file, self.schema.clone(), Some(self.properties.clone()))
                    .map_err(parquet_error(&temp_path))?;
            self.files.insert(
                key.to_owned(),
                OpenFile {
                    writer,
                    temp_path,
                    final_path,
                },
            );
        }
        self.files
            .get_mut(key)
            .ok_or_else(|| io_error(self.out)(std::io::Error::other("partition file vanished")))
    }

    /// Writes `batch`'s rows to the files of their `keys`, in order.
    fn write(&mut self, batch: &RecordBatch, keys: &[String]) -> Result<(), OutputError> {
        let batch = batch
            .project(&self.projection)
            .map_err(|error| parquet_error(self.out)(error.into()))?;
        let mut rows_by_key: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for (row, key) in keys.iter().enumerate() {
            rows_by_key
                .entry(key.as_str())
                .or_default()
                .push(row as u32);
        }
        for (key, rows) in rows_by_key {
            // A partition value becomes a directory name: anything but a plain code is `und`.
            let key = if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                key
            } else {
                "und"
            };
            let part = if rows.len() == batch.num_rows() {
                batch.clone()
            } else {
                arrow::compute::take_record_batch(&batch, &UInt32Array::from(rows))
                    .map_err(|error| parquet_error(self.out)(error.into()))?
            };
            let file = self.file(key)?;
            file.writer
                .write(&part)
                .map_err(parquet_error(&file.temp_path))?;
        }
        Ok(())
    }

    /// Closes every file (one empty `lang=und` file for a table without rows, so the table's
    /// directory exists and reads as an empty table); returns (temporary, final) paths.
    fn finish(mut self) -> Result<Vec<(PathBuf, PathBuf)>, OutputError> {
        if self.files.is_empty() {
            self.file("und")?;
        }
        let mut closed = Vec::new();
        for file in self.files.into_values() {
            let handle = file
                .writer
                .into_inner()
                .map_err(parquet_error(&file.temp_path))?;
            handle.sync_all().map_err(io_error(&file.temp_path))?;
            closed.push((file.temp_path, file.final_path));
        }
        Ok(closed)
    }
}

/// Removes this job's part files left in partitions it did not write this time (from an
/// earlier run with other options), so the dataset holds only this run's rows. Other jobs'
/// parts are never touched.
fn remove_stale_parts(
    out: &Path,
    part: &str,
    written: &[(PathBuf, PathBuf)],
) -> Result<(), OutputError> {
    let name = format!("{part}.parquet");
    let prefix = format!("{PARTITION_KEY}=");
    for table in Table::ALL {
        let dir = out.join(table.name());
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let candidate = entry.path().join(&name);
            let is_partition = entry.file_name().to_string_lossy().starts_with(&prefix);
            if is_partition
                && candidate.is_file()
                && !written.iter().any(|(_, path)| *path == candidate)
            {
                std::fs::remove_file(&candidate).map_err(io_error(&candidate))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_names_follow_the_layout() {
        let out = Path::new("out");
        let single = Layout::default();
        assert_eq!(
            single.path(out, Table::Tokens, ""),
            Path::new("out/tokens.parquet")
        );
        let shard = Layout {
            shard: Some((2, 4)),
            partition_by_lang: false,
        };
        assert_eq!(
            shard.path(out, Table::Tokens, ""),
            Path::new("out/tokens/part-00002-of-00004.parquet")
        );
        let both = Layout {
            shard: Some((0, 3)),
            partition_by_lang: true,
        };
        assert_eq!(
            both.path(out, Table::Sentences, "por"),
            Path::new("out/sentences/lang=por/part-00000-of-00003.parquet")
        );
        let partitioned = Layout {
            shard: None,
            partition_by_lang: true,
        };
        assert_eq!(
            partitioned.path(out, Table::Documents, "eng"),
            Path::new("out/documents/lang=eng/part-00000.parquet")
        );
    }
}
