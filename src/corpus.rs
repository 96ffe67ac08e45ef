//! A whole run: find the inputs, process them in parallel in deterministic order, write the
//! tables and the manifest.
//!
//! Documents are processed in chunks: rayon works through chunks `i + 1` and `i + 2` while a
//! writer thread appends chunk `i` to the tables, so memory is bounded by a few chunks plus the
//! Parquet row groups being filled, whatever the corpus size. Rows keep the sorted input order.

use crate::decode::decode;
use crate::input::{InputFile, MissingInput, RawDocument, ReadOptions, Unread, list_inputs};
use crate::lang::Lang;
use crate::linestats::{LineStats, RepeatedLines};
use crate::output::{
    DocRecord, OutputError, RowCounts, SCHEMA_VERSION, Table, TableWriters, WriteOptions,
};
use crate::pipeline::{Config, Pipeline, Stage};
use rayon::prelude::*;
use std::collections::{BTreeMap, VecDeque};
use std::ops::Range;
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
    /// How documents are read out of their files (text, id and url fields; the format of
    /// standard input). Its `max_doc_bytes` is replaced by the run's.
    pub read: ReadOptions,
    /// How the table files are laid out: one file per table, or parts of a dataset per shard
    /// and/or partitioned by language.
    pub layout: crate::output::Layout,
    /// How the Parquet files are written.
    pub write: WriteOptions,
    /// Told how far the run has got; `None` reports nothing.
    pub progress: Option<std::sync::Arc<dyn Progress>>,
    /// Stop at the first input that fails instead of recording it and going on.
    pub fail_fast: bool,
    /// Continue an interrupted run into the same output directory: segments already
    /// completed are kept, the rest are processed, and the tables come out as an
    /// uninterrupted run would have written them.
    pub resume: bool,
    /// Inputs per segment at most: the unit of work a resumed run does not redo. It fixes the
    /// tables' row groups, so it is part of what makes two runs' files identical.
    pub segment_documents: usize,
    /// Repeated-line statistics computed beforehand by the `linestats` and `linestats-merge`
    /// stages (a `repeated` directory, see [`crate::scaleout`]): used instead of the first pass.
    pub repeated: Option<PathBuf>,
}

/// The two passes of a run over the inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pass {
    /// Counting repeated lines per site (decode only).
    CountLines,
    /// Running the pipeline and writing the tables.
    Process,
}

/// How far a pass has got. `documents` and `bytes` are cumulative; totals come with
/// [`ProgressEvent::Started`], so a display can show a rate and an ETA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ProgressEvent {
    /// A pass begins over `documents` inputs of `bytes` bytes in all.
    Started {
        /// The pass.
        pass: Pass,
        /// Inputs in the pass.
        documents: u64,
        /// Input bytes in the pass.
        bytes: u64,
    },
    /// Inputs finished so far in the pass.
    Advanced {
        /// The pass.
        pass: Pass,
        /// Inputs done.
        documents: u64,
        /// Input bytes done.
        bytes: u64,
    },
}

/// Receives progress events. Called from worker threads, possibly often (once per input in
/// the first pass): implementations throttle their own output. The library never renders
/// progress itself, so it stays free of terminal concerns.
pub trait Progress: Send + Sync + std::fmt::Debug {
    /// One event.
    fn event(&self, event: ProgressEvent);
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            inputs: vec![PathBuf::from("raw")],
            out: PathBuf::from("out"),
            threads: 0,
            force: false,
            max_doc_bytes: 64 * 1024 * 1024,
            read: ReadOptions::default(),
            layout: crate::output::Layout::default(),
            write: WriteOptions::default(),
            progress: None,
            fail_fast: false,
            resume: false,
            segment_documents: SEGMENT_DOCUMENTS,
            repeated: None,
        }
    }
}

/// A run that could not complete.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The output directory holds files and `--force` was not given.
    #[error("output directory {0} is not empty (use --force to overwrite, --resume to continue)")]
    OutputNotEmpty(PathBuf),
    /// An input failed and `--fail-fast` was given.
    #[error("input {input} failed: {reason} (--fail-fast)")]
    FailFast {
        /// The input's source.
        input: String,
        /// Why it failed.
        reason: String,
    },
    /// `--resume` found work from a run over other inputs or with other options.
    #[error(
        "cannot resume in {0}: the unfinished run there had other inputs or options (use --force to start over)"
    )]
    ResumeMismatch(PathBuf),
    /// An input named on the command line does not exist.
    #[error(transparent)]
    Input(#[from] MissingInput),
    /// The output could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The thread pool could not be built.
    #[error("thread pool: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
    /// The precomputed line statistics (`--repeated`) could not be loaded.
    #[error("repeated lines: {0}")]
    Repeated(#[from] crate::scaleout::StageError),
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
    /// True when the run did nothing because its shard was already done (its `_done` marker
    /// exists).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub already_done: bool,
    /// Seconds per stage. The pipeline stages and `write` are summed over worker threads (so
    /// together they can exceed `seconds`); `count_lines` (the first pass) and `assemble` (the
    /// final tables from the segments' parts) are wall-clock.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub stage_seconds: BTreeMap<&'static str, f64>,
}

impl RunSummary {
    fn already_done(mut self) -> RunSummary {
        self.already_done = true;
        self
    }

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
        url: raw.url,
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
    let decode_started = Instant::now();
    let decoded = decode(&bytes);
    pipeline
        .stage_times()
        .add(Stage::Decode, decode_started.elapsed());
    match decoded {
        // Spans are u32 byte offsets: text that normalization could grow past them is refused.
        Ok(decoded) if decoded.text.len() as u64 > MAX_TEXT_BYTES => {
            record.encoding = Some(decoded.encoding);
            record.skip_reason = Some(format!("too_large: {} bytes of text", decoded.text.len()));
        }
        Ok(decoded) => {
            record.encoding = Some(decoded.encoding);
            // A bug in a stage must cost one document, not the run: the panic becomes this
            // input's failure, recorded with its message.
            let processed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pipeline.process_in(&decoded.text, &raw.site)
            }));
            match processed {
                Ok(document) => {
                    if document.sentences.is_empty() {
                        record.skip_reason = Some("empty_after_cleaning".to_owned());
                    }
                    record.document = Some(document);
                }
                Err(panic) => {
                    record.failed = true;
                    record.skip_reason =
                        Some(format!("internal_error: {}", panic_message(&*panic)));
                }
            }
        }
        Err(not_text) => record.skip_reason = Some(not_text.as_str().to_owned()),
    }
    record
}

/// Decoded text longer than this is skipped: NFKC can grow text about elevenfold, and every
/// offset must still fit a `u32`.
const MAX_TEXT_BYTES: u64 = (u32::MAX / 12) as u64;

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_owned())
}

/// First pass: the document frequency of every line per site, over the whole input.
pub fn count_lines(inputs: &[InputFile], read: &ReadOptions) -> RepeatedLines {
    count_lines_reporting(inputs, read, None)
}

fn count_lines_reporting(
    inputs: &[InputFile],
    read: &ReadOptions,
    progress: Option<&dyn Progress>,
) -> RepeatedLines {
    count_line_stats(inputs, read, progress).finish()
}

/// The unfrozen counts of the first pass over `inputs`, for the staged statistics of a run
/// spread over machines (`crate::scaleout`), where each shard counts its own inputs.
pub fn count_line_stats(
    inputs: &[InputFile],
    read: &ReadOptions,
    progress: Option<&dyn Progress>,
) -> LineStats {
    let done = std::sync::atomic::AtomicU64::new(0);
    let done_bytes = std::sync::atomic::AtomicU64::new(0);
    let shared = std::sync::Mutex::new(LineStats::new());
    inputs
        .par_iter()
        .inspect(|input| {
            if let Some(progress) = progress {
                use std::sync::atomic::Ordering::Relaxed;
                let documents = done.fetch_add(1, Relaxed) + 1;
                let bytes = done_bytes.fetch_add(input.len(), Relaxed) + input.len();
                progress.event(ProgressEvent::Advanced {
                    pass: Pass::CountLines,
                    documents,
                    bytes,
                });
            }
        })
        .for_each_init(
            || PendingLineKeys::new(&shared),
            |pending_keys, input| {
                // Files in parallel, the records of one file in order.
                for pending in crate::input::documents(std::slice::from_ref(input), read) {
                    let raw = pending.load(read.max_doc_bytes);
                    if let Ok(bytes) = &raw.bytes
                        && let Ok(decoded) = decode(bytes)
                    {
                        // A panic here is met again, and recorded, when the document is
                        // processed.
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            pending_keys.add_document(&raw.site, &decoded.text)
                        }));
                    }
                }
            },
        );
    shared
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One worker's documents of the first pass, as line keys waiting to be counted into the
/// shared table. Workers hash lines on their own and take the lock once per batch, so the
/// counts live in one table (no per-worker copies to merge, which doubled the peak memory).
struct PendingLineKeys<'a> {
    shared: &'a std::sync::Mutex<LineStats>,
    /// Per pending document: its site hash and where its keys end in `keys`.
    documents: Vec<(u64, usize)>,
    keys: Vec<u64>,
    document_keys: Vec<u64>,
    scratch: Vec<u8>,
}

/// Keys held by a worker before it counts them (8 bytes each).
const PENDING_LINE_KEYS: usize = 1 << 16;

impl<'a> PendingLineKeys<'a> {
    fn new(shared: &'a std::sync::Mutex<LineStats>) -> Self {
        PendingLineKeys {
            shared,
            documents: Vec::new(),
            keys: Vec::new(),
            document_keys: Vec::new(),
            scratch: Vec::new(),
        }
    }

    fn add_document(&mut self, site: &str, text: &str) {
        crate::linestats::distinct_line_keys(text, &mut self.scratch, &mut self.document_keys);
        self.keys.extend_from_slice(&self.document_keys);
        self.documents
            .push((RepeatedLines::site_hash(site), self.keys.len()));
        if self.keys.len() >= PENDING_LINE_KEYS {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.documents.is_empty() {
            return;
        }
        let mut stats = self
            .shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut start = 0;
        for &(site_hash, end) in &self.documents {
            stats.add_keys(site_hash, &self.keys[start..end]);
            start = end;
        }
        drop(stats);
        self.documents.clear();
        self.keys.clear();
    }
}

impl Drop for PendingLineKeys<'_> {
    fn drop(&mut self) {
        self.flush();
    }
}

/// Default inputs per segment (`RunOptions::segment_documents`).
pub const SEGMENT_DOCUMENTS: usize = 4096;
/// Input bytes per segment at most (a segment always holds at least one input).
const SEGMENT_BYTES: u64 = 256 * 1024 * 1024;

/// The hidden directory under the output where a run keeps its segments until the tables are
/// assembled. Hidden, so Parquet dataset readers skip it; one per output, so a sharded run
/// would give each shard its own name.
pub const WORK_DIR: &str = ".corpusmill-work";

/// Runs the pipeline over `options.inputs` and writes the tables into `options.out`.
///
/// The inputs are cut into segments (deterministically, by count and size). Each segment's rows
/// go to part files in [`WORK_DIR`], completed by a `done` marker holding its manifest entries;
/// the final tables are then assembled from the parts by copying column chunks. A killed run
/// leaves complete segments that `--resume` keeps, and since the final tables are always
/// assembled the same way, a resumed run writes the same bytes as an uninterrupted one.
pub fn run(config: &Config, options: &RunOptions) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    let shard_marker = shard_marker(&options.out, &options.layout);
    if let Some(marker) = &shard_marker
        && marker.exists()
    {
        return Ok(summarize(&[], [0; 5], started.elapsed().as_secs_f64()).already_done());
    }
    // Shards share the output directory: each touches only its own files.
    prepare_output_dir(
        &options.out,
        options.force || options.resume || shard_marker.is_some(),
    )?;
    let mut all_inputs = list_inputs(&options.inputs)?;
    let spool = crate::input::spool_stdin(&mut all_inputs, &options.out).map_err(|source| {
        OutputError::Io {
            path: options.out.clone(),
            source,
        }
    })?;
    let read = ReadOptions {
        max_doc_bytes: options.max_doc_bytes,
        ..options.read.clone()
    };
    // A shard processes its share of the inputs but counts lines over all of them, so that N
    // shards together write exactly the rows of one unsharded run.
    let inputs = match options.layout.shard {
        Some((index, count)) => crate::input::shard_inputs(&all_inputs, index, count),
        None => all_inputs.clone(),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()?;
    let mut write = options.write.clone();
    write.metadata.extend(metadata(config));
    write.metadata.push((
        "corpusmill.read_options".to_owned(),
        serde_json::to_string(&read).unwrap_or_default(),
    ));

    let segments = segments(&inputs, options.segment_documents.max(1));
    let work_name = match (options.layout.shard, options.layout.part_name()) {
        (Some(_), Some(part)) => format!("{WORK_DIR}-{part}"),
        _ => WORK_DIR.to_owned(),
    };
    let work = Work::open(
        &options.out,
        &work_name,
        &plan_fingerprint(config, options, &inputs, &segments),
        options.resume,
    )?;
    let todo: Vec<usize> = (0..segments.len()).filter(|&i| !work.is_done(i)).collect();

    let mut stage_seconds = BTreeMap::new();
    if !todo.is_empty() {
        let progress = options.progress.as_deref();
        if let Some(progress) = progress {
            let bytes = all_inputs.iter().map(InputFile::len).sum();
            progress.event(ProgressEvent::Started {
                pass: Pass::CountLines,
                documents: all_inputs.len() as u64,
                bytes,
            });
        }
        let count_started = Instant::now();
        let repeated = match &options.repeated {
            Some(dir) => crate::scaleout::load_repeated(dir)?,
            // The language tables are built meanwhile, not when every worker needs them.
            None => pool.install(|| {
                let ((), counts) = rayon::join(crate::lang::warm_up, || {
                    count_lines_reporting(&all_inputs, &read, progress)
                });
                counts
            }),
        };
        stage_seconds.insert("count_lines", count_started.elapsed().as_secs_f64());
        if let Some(progress) = progress {
            let todo_inputs = todo.iter().flat_map(|&i| &inputs[segments[i].clone()]);
            let (documents, bytes) =
                todo_inputs.fold((0, 0), |(n, b), input| (n + 1, b + input.len()));
            progress.event(ProgressEvent::Started {
                pass: Pass::Process,
                documents,
                bytes,
            });
        }
        let pipeline = Pipeline::new(config.clone()).with_repeated_lines(repeated);
        process_segments(
            &pipeline, &pool, options, &read, &write, &work, &inputs, &segments, &todo,
        )?;
        stage_seconds.extend(pipeline.stage_times().seconds());
    }

    // Tables in another layout are assembled in the work directory, then published.
    let single_files = options.layout.is_single_files();
    let assemble_started = Instant::now();
    let counts = crate::output::concat_tables(
        if single_files {
            &options.out
        } else {
            &work.dir
        },
        |table| format!("{}.parquet", table.name()),
        |table| (0..segments.len()).map(|i| work.part(i, table)).collect(),
        &write,
    )?;
    let mut outcomes = Vec::with_capacity(inputs.len());
    for index in 0..segments.len() {
        outcomes.extend(work.outcomes(index)?);
    }
    let seconds = started.elapsed().as_secs_f64();
    let counts = match single_files {
        true => counts,
        false => crate::output::publish(&work.dir, &options.out, &options.layout, &write)?,
    };
    stage_seconds.insert("assemble", assemble_started.elapsed().as_secs_f64());
    let mut summary = summarize(&outcomes, counts, seconds);
    summary.stage_seconds = stage_seconds;
    match &shard_marker {
        Some(marker) => write_shard_marker(marker, config, options, &inputs, &outcomes, &summary)?,
        None => write_manifest(&options.out, config, options, &outcomes, &summary)?,
    }
    if let Some(spool) = spool {
        let _ = std::fs::remove_file(spool);
    }
    work.remove();
    Ok(summary)
}

/// Chunks processed at once (see `process_segments`). Each holds about ten times its input
/// in memory until written, so two keep the workers busy at little cost.
const CHUNKS_IN_FLIGHT: usize = 2;

/// A chunk spawned for processing: what the progress report and the writer need to know of
/// it, and where its records arrive.
struct InFlight {
    segment: usize,
    documents: u64,
    bytes: u64,
    last_of_segment: bool,
    records: std::sync::mpsc::Receiver<Vec<DocRecord>>,
}

/// One chunk of processed records on its way to the writer thread.
struct Batch {
    segment: usize,
    records: Vec<DocRecord>,
    last_of_segment: bool,
}

#[allow(clippy::too_many_arguments)]
fn process_segments(
    pipeline: &Pipeline,
    pool: &rayon::ThreadPool,
    options: &RunOptions,
    read: &ReadOptions,
    write: &WriteOptions,
    work: &Work,
    inputs: &[InputFile],
    segments: &[Range<usize>],
    todo: &[usize],
) -> Result<(), RunError> {
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Batch>(1);
    let mut fail_fast = None;
    let (mut done_documents, mut done_bytes) = (0u64, 0u64);
    let written = std::thread::scope(|scope| {
        // Rayon works through the next chunks while this thread appends chunk `i`.
        let times = pipeline.stage_times();
        let writer_thread = scope.spawn(move || -> Result<(), OutputError> {
            let mut open: Option<(TableWriters, Vec<InputOutcome>)> = None;
            for batch in receiver {
                let (writers, outcomes) = match &mut open {
                    Some(open) => open,
                    None => open.insert((work.writers(batch.segment, write)?, Vec::new())),
                };
                outcomes.extend(batch.records.iter().map(InputOutcome::of));
                // On the workers' pool, between their documents: a writer thread of its own
                // would cap the run at one core's encoding speed.
                match pool.install(|| writers.write(&batch.records)) {
                    Ok(spent) => times.add(Stage::Write, spent),
                    Err(error) => {
                        if let Some((writers, _)) = open.take() {
                            writers.abandon();
                        }
                        return Err(error);
                    }
                }
                if batch.last_of_segment
                    && let Some((writers, outcomes)) = open.take()
                {
                    pool.install(|| writers.finish())?;
                    work.mark_done(batch.segment, &outcomes)?;
                }
            }
            if let Some((writers, _)) = open.take() {
                writers.abandon();
            }
            Ok(())
        });
        // Chunks are spawned as jobs, up to `CHUNKS_IN_FLIGHT` at once, and handed on in
        // order: the workers start on the next chunk while the last documents of the previous
        // one finish, instead of idling at every chunk's end.
        pool.in_place_scope(|scope| {
            let mut in_flight: VecDeque<InFlight> = VecDeque::with_capacity(CHUNKS_IN_FLIGHT);
            // Hands the oldest chunk to the writer; false when the run must stop.
            let mut hand_on = |chunk: InFlight| -> bool {
                let Ok(records) = chunk.records.recv() else {
                    return false; // the job panicked; the scope re-raises it
                };
                if let Some(progress) = options.progress.as_deref() {
                    done_documents += chunk.documents;
                    done_bytes += chunk.bytes;
                    progress.event(ProgressEvent::Advanced {
                        pass: Pass::Process,
                        documents: done_documents,
                        bytes: done_bytes,
                    });
                }
                if options.fail_fast
                    && let Some(failed) = records.iter().find(|r| r.failed)
                {
                    fail_fast = Some(RunError::FailFast {
                        input: failed.source.clone(),
                        reason: failed.skip_reason.clone().unwrap_or_default(),
                    });
                    return false;
                }
                let batch = Batch {
                    segment: chunk.segment,
                    records,
                    last_of_segment: chunk.last_of_segment,
                };
                // A send fails only when the writer failed; its error is reported below.
                sender.send(batch).is_ok()
            };
            'segments: for &segment in todo {
                let segment_inputs = &inputs[segments[segment].clone()];
                let mut chunks = chunks(crate::input::documents(segment_inputs, read)).peekable();
                while let Some(chunk) = chunks.next() {
                    let (sent, records) = std::sync::mpsc::sync_channel(1);
                    in_flight.push_back(InFlight {
                        segment,
                        documents: chunk.len() as u64,
                        bytes: chunk.iter().map(|p| p.size_hint()).sum(),
                        last_of_segment: chunks.peek().is_none(),
                        records,
                    });
                    let max_doc_bytes = read.max_doc_bytes;
                    scope.spawn(move |_| {
                        let records: Vec<DocRecord> = chunk
                            .into_par_iter()
                            .map(|pending| process_document(pipeline, pending.load(max_doc_bytes)))
                            .collect();
                        let _ = sent.send(records);
                    });
                    if in_flight.len() >= CHUNKS_IN_FLIGHT
                        && let Some(oldest) = in_flight.pop_front()
                        && !hand_on(oldest)
                    {
                        break 'segments;
                    }
                }
            }
            while let Some(oldest) = in_flight.pop_front() {
                if !hand_on(oldest) {
                    break;
                }
            }
        });
        drop(sender);
        writer_thread
            .join()
            .expect("the writer thread does not panic")
    });
    written?;
    match fail_fast {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// Input bytes per chunk handed to the workers. A chunk's processed form (tokens, forms,
/// record batches) is about ten times its input, and up to four chunks are alive at once (two
/// being processed, one queued, one being written), so this bounds most of the run's memory; 1 MB
/// still holds about seventy pages, enough to keep the workers busy (2 MB was no faster on the
/// benchmark corpus and took 30 MB more at its peak).
const CHUNK_BYTES: u64 = 1024 * 1024;
/// Documents per chunk at most.
const CHUNK_DOCUMENTS: usize = 256;

/// Groups a document stream into chunks of at most [`CHUNK_DOCUMENTS`] documents and about
/// [`CHUNK_BYTES`] bytes, in order. The cut depends only on the inputs, so the batches the
/// tables receive, and their row groups, do not depend on the number of threads.
fn chunks(
    stream: impl Iterator<Item = crate::input::Pending>,
) -> impl Iterator<Item = Vec<crate::input::Pending>> {
    let mut stream = stream.peekable();
    std::iter::from_fn(move || {
        let mut chunk = Vec::new();
        let mut bytes = 0u64;
        while chunk.len() < CHUNK_DOCUMENTS && (chunk.is_empty() || bytes < CHUNK_BYTES) {
            let Some(pending) = stream.next() else { break };
            bytes += pending.size_hint();
            chunk.push(pending);
        }
        (!chunk.is_empty()).then_some(chunk)
    })
}

/// Consecutive ranges of `inputs`, each at most `max_documents` long and about
/// [`SEGMENT_BYTES`] big.
fn segments(inputs: &[InputFile], max_documents: usize) -> Vec<Range<usize>> {
    let mut segments = Vec::new();
    let mut start = 0;
    while start < inputs.len() {
        let mut end = start;
        let mut bytes = 0u64;
        while end < inputs.len()
            && end - start < max_documents
            && (end == start || bytes < SEGMENT_BYTES)
        {
            bytes += inputs[end].len();
            end += 1;
        }
        segments.push(start..end);
        start = end;
    }
    segments
}

/// Everything that shapes the rows and their files: a resumed run must match it exactly.
fn plan_fingerprint(
    config: &Config,
    options: &RunOptions,
    inputs: &[InputFile],
    segments: &[Range<usize>],
) -> String {
    let mut hasher = twox_hash::XxHash64::with_seed(0);
    let mut feed = |text: &str| {
        use std::hash::Hasher;
        hasher.write(text.as_bytes());
        hasher.write_u8(0);
    };
    feed(env!("CARGO_PKG_VERSION"));
    feed(SCHEMA_VERSION);
    feed(&serde_json::to_string(config).unwrap_or_default());
    feed(&serde_json::to_string(&options.read).unwrap_or_default());
    feed(&serde_json::to_string(&options.layout).unwrap_or_default());
    feed(&format!(
        "{} {} {} {}",
        options.max_doc_bytes,
        options.write.zstd_level,
        options.write.row_group_rows,
        segments.len()
    ));
    for input in inputs {
        feed(&input.source);
        feed(&input.path.to_string_lossy());
        feed(&input.len().to_string());
    }
    use std::hash::Hasher;
    format!("{:016x}", hasher.finish())
}

/// The work directory of one run: its plan, and the parts and markers of finished segments.
struct Work {
    dir: PathBuf,
}

impl Work {
    /// Opens the work directory: reuses it on `resume` when the plan matches, else starts it
    /// afresh.
    fn open(out: &Path, name: &str, fingerprint: &str, resume: bool) -> Result<Work, RunError> {
        let dir = out.join(name);
        let io_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| OutputError::Io { path, source }
        };
        let plan_path = dir.join("plan");
        if resume && dir.exists() {
            match std::fs::read_to_string(&plan_path) {
                Ok(plan) if plan.trim() == fingerprint => return Ok(Work { dir }),
                Ok(_) => return Err(RunError::ResumeMismatch(out.to_path_buf())),
                // Killed before the plan was written: nothing was done yet.
                Err(_) => {}
            }
        }
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(io_error(&dir))?;
        }
        std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
        write_atomically(&plan_path, fingerprint.as_bytes())?;
        Ok(Work { dir })
    }

    fn part(&self, segment: usize, table: Table) -> PathBuf {
        self.dir
            .join(format!("seg-{segment:06}.{}.parquet", table.name()))
    }

    fn done_path(&self, segment: usize) -> PathBuf {
        self.dir.join(format!("seg-{segment:06}.done.json"))
    }

    fn is_done(&self, segment: usize) -> bool {
        self.done_path(segment).exists()
            && Table::ALL
                .iter()
                .all(|&table| self.part(segment, table).exists())
    }

    fn writers(&self, segment: usize, write: &WriteOptions) -> Result<TableWriters, OutputError> {
        TableWriters::create(
            &self.dir,
            |table| format!("seg-{segment:06}.{}.parquet", table.name()),
            write,
        )
    }

    /// Marks a segment complete, after its parts are synced and renamed into place.
    fn mark_done(&self, segment: usize, outcomes: &[InputOutcome]) -> Result<(), OutputError> {
        let text = serde_json::to_vec(outcomes).unwrap_or_default();
        write_atomically(&self.done_path(segment), &text)
    }

    fn outcomes(&self, segment: usize) -> Result<Vec<InputOutcome>, RunError> {
        let path = self.done_path(segment);
        let text = std::fs::read(&path).map_err(|source| OutputError::Io {
            path: path.clone(),
            source,
        })?;
        serde_json::from_slice(&text).map_err(|error| {
            RunError::Output(OutputError::Io {
                path,
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, error),
            })
        })
    }

    /// Removes the work directory once the tables and manifest are in place; a leftover is
    /// harmless (hidden, and replaced by the next run).
    fn remove(self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Writes `bytes` to a temporary name, syncs and renames it to `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    use std::io::Write;
    let temp = crate::output::temp_path_for(path);
    let io_error = |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::create(&temp).map_err(io_error)?;
    file.write_all(bytes).map_err(io_error)?;
    file.sync_all().map_err(io_error)?;
    drop(file);
    std::fs::rename(&temp, path).map_err(io_error)
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
        (
            "corpusmill.version".to_owned(),
            env!("CARGO_PKG_VERSION").to_owned(),
        ),
        (
            "corpusmill.schema_version".to_owned(),
            SCHEMA_VERSION.to_owned(),
        ),
        (
            "corpusmill.options".to_owned(),
            serde_json::to_string(config).unwrap_or_default(),
        ),
    ]
}

fn summarize(outcomes: &[InputOutcome], counts: RowCounts, seconds: f64) -> RunSummary {
    let mut by_status: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut by_lang: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut input_bytes = 0;
    for outcome in outcomes {
        let status = match outcome.status.as_str() {
            "processed" => "processed",
            "skipped" => "skipped",
            _ => "failed",
        };
        *by_status.entry(status).or_default() += 1;
        input_bytes += outcome.bytes;
        if let (Some(lang), "processed") = (&outcome.lang, status) {
            *by_lang.entry(Lang::from_code(lang).code()).or_default() += 1;
        }
    }
    RunSummary {
        rows: Table::ALL.iter().map(|t| t.name()).zip(counts).collect(),
        documents_by_status: by_status,
        documents_by_lang: by_lang,
        input_bytes,
        seconds,
        mb_per_second: input_bytes as f64 / 1e6 / seconds.max(1e-9),
        already_done: false,
        stage_seconds: BTreeMap::new(),
    }
}

/// One input's entry in the manifest (and in a segment's `done` marker).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct InputOutcome {
    source: String,
    doc_id: u64,
    bytes: u64,
    status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lang: Option<String>,
}

impl InputOutcome {
    fn of(record: &DocRecord) -> InputOutcome {
        InputOutcome {
            source: record.source.clone(),
            doc_id: record.doc_id,
            bytes: record.n_bytes,
            status: record.status().to_owned(),
            reason: record.skip_reason.clone(),
            lang: record
                .document
                .as_ref()
                .filter(|_| record.status() == "processed")
                .map(|document| document.lang.lang.code().to_owned()),
        }
    }
}

/// The directory of shard completion markers, `_`-prefixed so dataset readers skip it.
pub const DONE_DIR: &str = "_done";

/// The completion marker of this run's shard, `OUT/_done/part-K-of-N.json`; `None` unsharded.
fn shard_marker(out: &Path, layout: &crate::output::Layout) -> Option<PathBuf> {
    let (index, count) = layout.shard?;
    Some(
        out.join(DONE_DIR)
            .join(format!("part-{index}-of-{count}.json")),
    )
}

/// Writes a shard's marker, last: its manifest plus its input files with sizes and hashes.
fn write_shard_marker(
    marker: &Path,
    config: &Config,
    options: &RunOptions,
    files: &[InputFile],
    outcomes: &[InputOutcome],
    summary: &RunSummary,
) -> Result<(), RunError> {
    let files: Vec<serde_json::Value> = files
        .iter()
        .map(|file| {
            let hash = crate::input::file_hash(&file.path)
                .map(|h| format!("{h:016x}"))
                .ok();
            serde_json::json!({ "source": file.source, "bytes": file.len(), "xxh64": hash })
        })
        .collect();
    let manifest = serde_json::json!({
        "corpusmill_version": env!("CARGO_PKG_VERSION"),
        "schema_version": SCHEMA_VERSION,
        "shard": options.layout.shard,
        "options": {
            "pipeline": config,
            "read": options.read,
            "partition_by_lang": options.layout.partition_by_lang,
            "inputs": options.inputs,
            "max_doc_bytes": options.max_doc_bytes,
            "zstd_level": options.write.zstd_level,
            "row_group_rows": options.write.row_group_rows,
        },
        "input_files": files,
        "inputs": outcomes,
        "summary": summary,
    });
    if let Some(dir) = marker.parent() {
        std::fs::create_dir_all(dir).map_err(|source| OutputError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    write_atomically(marker, text.as_bytes())?;
    Ok(())
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
            "read": options.read,
            "partition_by_lang": options.layout.partition_by_lang,
            "zstd_level": options.write.zstd_level,
            "row_group_rows": options.write.row_group_rows,
            "segment_documents": options.segment_documents,
        },
        "inputs": inputs,
        "summary": summary,
    });
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    write_atomically(&out.join("manifest.json"), text.as_bytes())?;
    Ok(())
}
