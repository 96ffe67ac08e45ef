//! A whole run: find the inputs, process them in parallel in deterministic order, write the
//! tables and the manifest.
//!
//! Documents are processed in chunks: rayon works through chunk `i + 1` while a writer thread
//! appends chunk `i` to the tables, so memory is bounded by two chunks plus the Parquet row
//! groups being filled, whatever the corpus size. Rows keep the sorted input order.

use crate::decode::decode;
use crate::input::{InputFile, MissingInput, RawDocument, Unread, list_inputs, read_file};
use crate::linestats::{LineStats, RepeatedLines};
use crate::output::{DocRecord, OutputError, RowCounts, SCHEMA_VERSION, Table, TableWriters, WriteOptions};
use crate::pipeline::{Config, Pipeline};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use std::time::Instant;

/// Everything a run needs besides the pipeline configuration.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Files or directories (walked recursively, in sorted order).
    pub inputs: Vec<PathBuf>,
    /// The output directory.
    pub out: PathBuf,
    /// Worker threads; 0 for one per core.
    pub threads: usize,
    /// Overwrite a non-empty output directory.
    pub force: bool,
    /// Documents larger than this are skipped with the reason `too_large`.
    pub max_doc_bytes: u64,
    /// How the Parquet files are written.
    pub write: WriteOptions,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            inputs: vec![PathBuf::from("raw")],
            out: PathBuf::from("out"),
            threads: 0,
            force: false,
            max_doc_bytes: 64 * 1024 * 1024,
            write: WriteOptions::default(),
        }
    }
}

/// A run that could not complete.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The output directory holds files and `--force` was not given.
    #[error("output directory {0} is not empty (use --force to overwrite)")]
    OutputNotEmpty(PathBuf),
    /// An input named on the command line does not exist.
    #[error(transparent)]
    Input(#[from] MissingInput),
    /// The output could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The thread pool could not be built.
    #[error("thread pool: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
}

/// What a run did: the numbers for the summary and the manifest.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunSummary {
    /// Rows per table.
    pub rows: BTreeMap<&'static str, u64>,
    /// Documents per status (`processed`, `skipped`, `failed`).
    pub documents_by_status: BTreeMap<&'static str, u64>,
    /// Processed documents per language.
    pub documents_by_lang: BTreeMap<&'static str, u64>,
    /// Input bytes read.
    pub input_bytes: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Input megabytes (10^6 bytes) per second.
    pub mb_per_second: f64,
}

impl RunSummary {
    /// True when any input failed (as opposed to being skipped).
    pub fn any_failed(&self) -> bool {
        self.documents_by_status.get("failed").copied().unwrap_or(0) > 0
    }
}

/// The stable id of a document: the 64-bit xxHash of its source.
pub fn doc_id(source: &str) -> u64 {
    twox_hash::XxHash64::oneshot(0, source.as_bytes())
}

/// Decodes and processes one raw document. Never fails: problems become a skip or failure
/// recorded in the returned record.
pub fn process_document(pipeline: &Pipeline, raw: RawDocument) -> DocRecord {
    let mut record = DocRecord {
        doc_id: doc_id(&raw.source),
        source: raw.source,
        encoding: None,
        n_bytes: raw.n_bytes,
        skip_reason: None,
        failed: false,
        document: None,
    };
    let bytes = match raw.bytes {
        Ok(bytes) => bytes,
        Err(Unread::Skipped(reason)) => {
            record.skip_reason = Some(reason);
            return record;
        }
        Err(Unread::Failed(reason)) => {
            record.failed = true;
            record.skip_reason = Some(reason);
            return record;
        }
    };
    match decode(&bytes) {
        Ok(decoded) => {
            record.encoding = Some(decoded.encoding);
            let document = pipeline.process_in(&decoded.text, &raw.site);
            if document.sentences.is_empty() {
                record.skip_reason = Some("empty_after_cleaning".to_owned());
            }
            record.document = Some(document);
        }
        Err(not_text) => record.skip_reason = Some(not_text.as_str().to_owned()),
    }
    record
}

/// First pass: the document frequency of every line per site, over the whole input.
pub fn count_lines(inputs: &[InputFile], max_doc_bytes: u64) -> RepeatedLines {
    inputs
        .par_iter()
        .fold(LineStats::new, |mut stats, input| {
            let raw = read_file(input, max_doc_bytes);
            if let Ok(bytes) = &raw.bytes
                && let Ok(decoded) = decode(bytes)
            {
                stats.add_document(&raw.site, &decoded.text);
            }
            stats
        })
        .reduce(LineStats::new, |mut a, b| {
            a.merge(b);
            a
        })
        .finish()
}

/// Input bytes per chunk handed to rayon: enough to keep every thread busy, small enough that
/// two chunks in memory stay well inside the memory budget.
const CHUNK_BYTES: u64 = 8 * 1024 * 1024;
/// Documents per chunk at most.
const CHUNK_DOCUMENTS: usize = 1024;

/// Runs the pipeline over `options.inputs` and writes the tables into `options.out`.
pub fn run(config: &Config, options: &RunOptions) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    prepare_output_dir(&options.out, options.force)?;
    let inputs = list_inputs(&options.inputs)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()?;
    let repeated = pool.install(|| count_lines(&inputs, options.max_doc_bytes));
    let pipeline = Pipeline::new(config.clone()).with_repeated_lines(repeated);

    let mut write = options.write.clone();
    write.metadata.extend(metadata(config));
    let writers = TableWriters::create(&options.out, |table| format!("{}.parquet", table.name()), &write)?;

    let mut tally = Tally::default();
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<DocRecord>>(1);
    let written = std::thread::scope(|scope| {
        let writer_thread = scope.spawn(move || -> Result<(TableWriters, Vec<InputOutcome>), (TableWriters, OutputError)> {
            let mut writers = writers;
            let mut outcomes = Vec::new();
            for chunk in receiver {
                outcomes.extend(chunk.iter().map(InputOutcome::of));
                if let Err(error) = writers.write(&chunk) {
                    return Err((writers, error));
                }
            }
            Ok((writers, outcomes))
        });
        for chunk in chunks(&inputs) {
            let records: Vec<DocRecord> = pool.install(|| {
                chunk
                    .par_iter()
                    .map(|input| process_document(&pipeline, read_file(input, options.max_doc_bytes)))
                    .collect()
            });
            tally.add(&records);
            if sender.send(records).is_err() {
                break; // the writer failed; its error is reported below
            }
        }
        drop(sender);
        writer_thread.join().expect("the writer thread does not panic")
    });
    let (writers, outcomes) = match written {
        Ok(done) => done,
        Err((writers, error)) => {
            writers.abandon();
            return Err(error.into());
        }
    };
    let counts = writers.finish()?;
    let seconds = started.elapsed().as_secs_f64();
    let summary = tally.summary(counts, seconds);
    write_manifest(&options.out, config, options, &outcomes, &summary)?;
    Ok(summary)
}

fn chunks(inputs: &[InputFile]) -> impl Iterator<Item = &[InputFile]> {
    let mut rest = inputs;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut bytes = 0u64;
        let mut count = 0usize;
        while count < rest.len() && count < CHUNK_DOCUMENTS && (count == 0 || bytes < CHUNK_BYTES) {
            bytes += rest[count].len();
            count += 1;
        }
        let (chunk, after) = rest.split_at(count);
        rest = after;
        Some(chunk)
    })
}

fn prepare_output_dir(out: &Path, force: bool) -> Result<(), RunError> {
    let io_error = |source| OutputError::Io {
        path: out.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(out).map_err(io_error)?;
    let occupied = std::fs::read_dir(out)
        .map_err(io_error)?
        .filter_map(Result::ok)
        .any(|entry| entry.file_name() != ".keep");
    if occupied && !force {
        return Err(RunError::OutputNotEmpty(out.to_path_buf()));
    }
    Ok(())
}

/// Key-value metadata written into every Parquet file.
fn metadata(config: &Config) -> Vec<(String, String)> {
    vec![
        ("corpusmill.version".to_owned(), env!("CARGO_PKG_VERSION").to_owned()),
        ("corpusmill.schema_version".to_owned(), SCHEMA_VERSION.to_owned()),
        (
            "corpusmill.options".to_owned(),
            serde_json::to_string(config).unwrap_or_default(),
        ),
    ]
}

#[derive(Default)]
struct Tally {
    by_status: BTreeMap<&'static str, u64>,
    by_lang: BTreeMap<&'static str, u64>,
    input_bytes: u64,
}

impl Tally {
    fn add(&mut self, records: &[DocRecord]) {
        for record in records {
            *self.by_status.entry(record.status()).or_default() += 1;
            self.input_bytes += record.n_bytes;
            if let (Some(document), "processed") = (&record.document, record.status()) {
                *self.by_lang.entry(document.lang.lang.code()).or_default() += 1;
            }
        }
    }

    fn summary(self, counts: RowCounts, seconds: f64) -> RunSummary {
        RunSummary {
            rows: Table::ALL.iter().map(|t| t.name()).zip(counts).collect(),
            documents_by_status: self.by_status,
            documents_by_lang: self.by_lang,
            input_bytes: self.input_bytes,
            seconds,
            mb_per_second: self.input_bytes as f64 / 1e6 / seconds.max(1e-9),
        }
    }
}

/// One input's entry in the manifest.
#[derive(Debug, serde::Serialize)]
struct InputOutcome {
    source: String,
    doc_id: u64,
    bytes: u64,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl InputOutcome {
    fn of(record: &DocRecord) -> InputOutcome {
        InputOutcome {
            source: record.source.clone(),
            doc_id: record.doc_id,
            bytes: record.n_bytes,
            status: record.status(),
            reason: record.skip_reason.clone(),
        }
    }
}

fn write_manifest(
    out: &Path,
    config: &Config,
    options: &RunOptions,
    inputs: &[InputOutcome],
    summary: &RunSummary,
) -> Result<(), RunError> {
    let manifest = serde_json::json!({
        "corpusmill_version": env!("CARGO_PKG_VERSION"),
        "schema_version": SCHEMA_VERSION,
        "options": {
            "pipeline": config,
            "inputs": options.inputs,
            "threads": options.threads,
            "max_doc_bytes": options.max_doc_bytes,
            "zstd_level": options.write.zstd_level,
            "row_group_rows": options.write.row_group_rows,
        },
        "inputs": inputs,
        "summary": summary,
    });
    let path = out.join("manifest.json");
    let temp = crate::output::temp_path_for(&path);
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    let io_error = |source| OutputError::Io { path: path.clone(), source };
    std::fs::write(&temp, text).map_err(io_error)?;
    std::fs::rename(&temp, &path).map_err(io_error)?;
    Ok(())
}
