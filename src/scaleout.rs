//! Running beyond one machine: the corpus line statistics as explicit stages, and a check that
//! the shards of a run cover their inputs exactly once.
//!
//! A run needs, for every line, the number of distinct documents it occurs in over the whole
//! corpus (see [`crate::linestats`]). On one machine that is the first pass of
//! [`crate::corpus::run`]. Spread over machines it becomes three stages, each a set of
//! independent jobs, so that no worker holds every count at once:
//!
//! 1. `corpusmill linestats --shard K/N --buckets M --work DIR`: shard K counts its own inputs
//!    and writes its partial counts split by key hash into M bucket files,
//!    `DIR/linestats/part-K-of-N/bucket-B-of-M.bin`, then the marker
//!    `DIR/linestats/_done/part-K-of-N.json`.
//! 2. `corpusmill linestats-merge --bucket B/M --work DIR`: sums bucket B over all N shards and
//!    writes its repeated lines (count ≥ 2) to `DIR/repeated/bucket-B-of-M.bin`.
//! 3. `corpusmill run --shard K/N --repeated DIR/repeated`: loads every bucket and processes
//!    shard K with them instead of counting.
//!
//! Counts are sums, so they do not depend on how the inputs were split: N shards give the
//! statistics, and so the tables, of one run.
//!
//! # File format (version 1)
//!
//! Little-endian throughout. A 52-byte header: the magic `CMLSTAT\0`, then u32 version, u32
//! kind (1 partial, 2 repeated), u32 shard, u32 shards, u32 bucket, u32 buckets (shard is 0
//! in a repeated file; shards is how many were summed), u64 counts of the three sections. Then
//! the sections, each sorted by key with every key once: site documents `(u64 site, u32 n)`,
//! site lines `(u64 site, u64 line, u32 n)`, lines `(u64 line, u32 n)`. Last, the u64 xxHash64
//! (seed 0) of everything before it. Files are written to a temporary name and renamed.

use crate::input::{InputFile, ReadOptions, list_inputs, shard_inputs};
use crate::linestats::{LineStats, RepeatedLines};
use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hasher;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Version of the bucket file format; a reader refuses any other.
pub const FORMAT_VERSION: u32 = 1;
const MAGIC: &[u8; 8] = b"CMLSTAT\0";
const HEADER_BYTES: usize = 8 + 6 * 4 + 3 * 8;
/// Kind of a file holding one shard's counts of one bucket.
pub const KIND_PARTIAL: u32 = 1;
/// Kind of a file holding the summed, repeated counts of one bucket.
pub const KIND_REPEATED: u32 = 2;

/// The environment variable through which tests make one shard fail once (see
/// [`injected_failure`]). Test-only: never set it in production.
pub const FAIL_ENV: &str = "CORPUSMILL_FAIL_SHARD";

/// A stage that could not complete.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A bucket file is not in the expected format.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The inputs of a stage are incomplete (a missing shard or bucket).
    #[error("{0}")]
    Incomplete(String),
    /// An input named on the command line does not exist.
    #[error(transparent)]
    Input(#[from] crate::input::MissingInput),
    /// The thread pool could not be built.
    #[error("thread pool: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StageError + '_ {
    move |source| StageError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The counts of one bucket, each section sorted by key with every key once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BucketCounts {
    /// Documents per site hash.
    pub site_docs: Vec<(u64, u32)>,
    /// Documents per (site hash, line key).
    pub site_lines: Vec<((u64, u64), u32)>,
    /// Documents per line key.
    pub lines: Vec<(u64, u32)>,
}

/// The header of a bucket file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// [`KIND_PARTIAL`] or [`KIND_REPEATED`].
    pub kind: u32,
    /// The shard counted (0 in a repeated file).
    pub shard: u32,
    /// The number of shards.
    pub shards: u32,
    /// This file's bucket.
    pub bucket: u32,
    /// The number of buckets.
    pub buckets: u32,
}

/// The bucket of a key: its high bits scaled to `buckets`, uniform since keys are hashes.
pub fn bucket_of(key: u64, buckets: u32) -> u32 {
    ((u128::from(key) * u128::from(buckets.max(1))) >> 64) as u32
}

/// Splits counts into `buckets` sorted buckets: site documents by site, lines (per site and
/// overall) by line key, so a line's counts all land in one bucket.
pub fn split(stats: &LineStats, buckets: u32) -> Vec<BucketCounts> {
    let mut out = vec![BucketCounts::default(); buckets.max(1) as usize];
    for (site, n) in stats.site_doc_counts() {
        out[bucket_of(site, buckets) as usize]
            .site_docs
            .push((site, n));
    }
    for (key, n) in stats.site_line_counts() {
        out[bucket_of(key.1, buckets) as usize]
            .site_lines
            .push((key, n));
    }
    for (line, n) in stats.line_counts() {
        out[bucket_of(line, buckets) as usize].lines.push((line, n));
    }
    for bucket in &mut out {
        bucket.site_docs.sort_unstable();
        bucket.site_lines.sort_unstable();
        bucket.lines.sort_unstable();
    }
    out
}

/// Writes one bucket file atomically (temporary name, sync, rename).
pub fn write_bucket(path: &Path, header: Header, counts: &BucketCounts) -> Result<(), StageError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    }
    let temp = crate::output::temp_path_for(path);
    let write = || -> std::io::Result<()> {
        let file = std::fs::File::create(&temp)?;
        let mut out = HashingWriter {
            inner: BufWriter::new(file),
            hasher: twox_hash::XxHash64::with_seed(0),
        };
        out.write_all(MAGIC)?;
        for v in [
            FORMAT_VERSION,
            header.kind,
            header.shard,
            header.shards,
            header.bucket,
            header.buckets,
        ] {
            out.write_all(&v.to_le_bytes())?;
        }
        for n in [
            counts.site_docs.len(),
            counts.site_lines.len(),
            counts.lines.len(),
        ] {
            out.write_all(&(n as u64).to_le_bytes())?;
        }
        for &(site, n) in &counts.site_docs {
            out.write_all(&site.to_le_bytes())?;
            out.write_all(&n.to_le_bytes())?;
        }
        for &((site, line), n) in &counts.site_lines {
            out.write_all(&site.to_le_bytes())?;
            out.write_all(&line.to_le_bytes())?;
            out.write_all(&n.to_le_bytes())?;
        }
        for &(line, n) in &counts.lines {
            out.write_all(&line.to_le_bytes())?;
            out.write_all(&n.to_le_bytes())?;
        }
        let sum = out.hasher.finish();
        let mut inner = out.inner;
        inner.write_all(&sum.to_le_bytes())?;
        let file = inner.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()
    };
    if let Err(source) = write() {
        let _ = std::fs::remove_file(&temp);
        return Err(StageError::Io {
            path: path.to_path_buf(),
            source,
        });
    }
    std::fs::rename(&temp, path).map_err(io_error(path))
}

struct HashingWriter<W> {
    inner: W,
    hasher: twox_hash::XxHash64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(bytes)?;
        self.hasher.write(&bytes[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Reads and checks one bucket file: magic, version, checksum, sizes and key order.
pub fn read_bucket(path: &Path) -> Result<(Header, BucketCounts), StageError> {
    let bytes = std::fs::read(path).map_err(io_error(path))?;
    let bad = |message: String| StageError::Format {
        path: path.to_path_buf(),
        message,
    };
    if bytes.len() < HEADER_BYTES + 8 || &bytes[..8] != MAGIC {
        return Err(bad("not a corpusmill line statistics file".to_owned()));
    }
    let (body, sum) = bytes.split_at(bytes.len() - 8);
    if twox_hash::XxHash64::oneshot(0, body).to_le_bytes() != sum {
        return Err(bad("checksum mismatch (truncated or corrupt)".to_owned()));
    }
    let mut at = 8;
    let u32_at = |at: &mut usize| {
        let v = u32::from_le_bytes([body[*at], body[*at + 1], body[*at + 2], body[*at + 3]]);
        *at += 4;
        v
    };
    let version = u32_at(&mut at);
    if version != FORMAT_VERSION {
        return Err(bad(format!(
            "format version {version}, this corpusmill reads {FORMAT_VERSION}"
        )));
    }
    let header = Header {
        kind: u32_at(&mut at),
        shard: u32_at(&mut at),
        shards: u32_at(&mut at),
        bucket: u32_at(&mut at),
        buckets: u32_at(&mut at),
    };
    let u64_of = |at: usize| u64::from_le_bytes(body[at..at + 8].try_into().unwrap_or([0; 8]));
    let u32_of = |at: usize| u32::from_le_bytes(body[at..at + 4].try_into().unwrap_or([0; 4]));
    let (n_docs, n_site_lines, n_lines) = (u64_of(at), u64_of(at + 8), u64_of(at + 16));
    at += 24;
    let expected = [(n_docs, 12u64), (n_site_lines, 20), (n_lines, 12)]
        .iter()
        .try_fold(0u64, |total, &(n, size)| {
            n.checked_mul(size).and_then(|b| b.checked_add(total))
        });
    if expected != Some((body.len() - at) as u64) {
        return Err(bad("section sizes do not match the file length".to_owned()));
    }
    let mut counts = BucketCounts::default();
    for i in 0..n_docs as usize {
        let p = at + i * 12;
        counts.site_docs.push((u64_of(p), u32_of(p + 8)));
    }
    at += n_docs as usize * 12;
    for i in 0..n_site_lines as usize {
        let p = at + i * 20;
        counts
            .site_lines
            .push(((u64_of(p), u64_of(p + 8)), u32_of(p + 16)));
    }
    at += n_site_lines as usize * 20;
    for i in 0..n_lines as usize {
        let p = at + i * 12;
        counts.lines.push((u64_of(p), u32_of(p + 8)));
    }
    let sorted = counts.site_docs.windows(2).all(|w| w[0].0 < w[1].0)
        && counts.site_lines.windows(2).all(|w| w[0].0 < w[1].0)
        && counts.lines.windows(2).all(|w| w[0].0 < w[1].0);
    if !sorted {
        return Err(bad("keys are not sorted and distinct".to_owned()));
    }
    Ok((header, counts))
}

/// Sums counts of the same key in a key-sorted concatenation of several files' sections.
fn sum_sorted<K: Ord + Copy>(mut records: Vec<(K, u32)>) -> Vec<(K, u32)> {
    records.sort_unstable_by_key(|&(k, _)| k);
    let mut out: Vec<(K, u32)> = Vec::with_capacity(records.len());
    for (k, n) in records {
        match out.last_mut() {
            Some((last, total)) if *last == k => *total = total.saturating_add(n),
            _ => out.push((k, n)),
        }
    }
    out
}

fn partial_dir(work: &Path, shard: u32, shards: u32) -> PathBuf {
    work.join("linestats")
        .join(format!("part-{shard}-of-{shards}"))
}

fn partial_marker(work: &Path, shard: u32, shards: u32) -> PathBuf {
    work.join("linestats")
        .join("_done")
        .join(format!("part-{shard}-of-{shards}.json"))
}

fn bucket_name(bucket: u32, buckets: u32) -> String {
    format!("bucket-{bucket}-of-{buckets}.bin")
}

/// What a `linestats` job did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LinestatsSummary {
    /// Input files of this shard.
    pub files: u64,
    /// Documents counted.
    pub documents: u64,
    /// Count records written over all buckets.
    pub records: u64,
    /// True when the shard's marker existed and nothing was done.
    pub already_done: bool,
}

/// Stage 1: counts the lines of shard `shard` of the inputs and writes its bucket files and
/// marker under `work/linestats`. A shard whose marker exists is skipped.
pub fn linestats(
    inputs: &[PathBuf],
    read: &ReadOptions,
    shard: (u32, u32),
    buckets: u32,
    work: &Path,
    threads: usize,
) -> Result<LinestatsSummary, StageError> {
    let (index, count) = shard;
    let marker = partial_marker(work, index, count);
    if marker.exists() {
        return Ok(LinestatsSummary {
            files: 0,
            documents: 0,
            records: 0,
            already_done: true,
        });
    }
    let files = shard_inputs(&list_inputs(inputs)?, index, count);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let stats = pool.install(|| crate::corpus::count_line_stats(&files, read, None));
    let documents: u64 = stats.site_doc_counts().map(|(_, n)| u64::from(n)).sum();
    let dir = partial_dir(work, index, count);
    let mut records = 0;
    for (bucket, counts) in split(&stats, buckets).iter().enumerate() {
        let header = Header {
            kind: KIND_PARTIAL,
            shard: index,
            shards: count,
            bucket: bucket as u32,
            buckets,
        };
        records += (counts.site_docs.len() + counts.site_lines.len() + counts.lines.len()) as u64;
        write_bucket(
            &dir.join(bucket_name(bucket as u32, buckets)),
            header,
            counts,
        )?;
    }
    let summary = LinestatsSummary {
        files: files.len() as u64,
        documents,
        records,
        already_done: false,
    };
    let text = serde_json::json!({
        "shard": [index, count],
        "buckets": buckets,
        "read": read,
        "input_files": files.iter().map(|f| &f.source).collect::<Vec<_>>(),
        "summary": summary,
    });
    write_json(&marker, &text)?;
    Ok(summary)
}

fn write_json(path: &Path, value: &serde_json::Value) -> Result<(), StageError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    }
    let temp = crate::output::temp_path_for(path);
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    std::fs::write(&temp, text).map_err(io_error(&temp))?;
    std::fs::rename(&temp, path).map_err(io_error(path))
}

/// The shard counts `N` of the finished `linestats` shards in `work`, with their indices.
fn finished_shards(work: &Path) -> Result<BTreeMap<u32, BTreeSet<u32>>, StageError> {
    let dir = work.join("linestats").join("_done");
    let mut found: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(source) => return Err(StageError::Io { path: dir, source }),
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some((k, n)) = parse_part_name(name.strip_suffix(".json").unwrap_or("")) {
            found.entry(n).or_default().insert(k);
        }
    }
    Ok(found)
}

/// `part-K-of-N` → `(K, N)`.
fn parse_part_name(name: &str) -> Option<(u32, u32)> {
    let rest = name.strip_prefix("part-")?;
    let (k, n) = rest.split_once("-of-")?;
    let (k, n) = (k.parse().ok()?, n.parse().ok()?);
    (k < n).then_some((k, n))
}

/// What a `linestats-merge` job did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MergeSummary {
    /// Shards summed.
    pub shards: u32,
    /// Distinct (site, line) keys over the shards, before dropping the unique ones.
    pub site_lines: u64,
    /// Repeated (site, line) keys written.
    pub repeated_site_lines: u64,
    /// Repeated line keys written.
    pub repeated_lines: u64,
}

/// Stage 2: sums bucket `bucket` of every shard's counts and writes its repeated lines to
/// `work/repeated`. Fails naming the shards whose counts are missing.
pub fn merge(bucket: (u32, u32), work: &Path) -> Result<MergeSummary, StageError> {
    let (index, buckets) = bucket;
    let finished = finished_shards(work)?;
    let shards = match finished.len() {
        0 => {
            return Err(StageError::Incomplete(format!(
                "no finished linestats shard under {}",
                work.join("linestats").display()
            )));
        }
        1 => *finished.keys().next().unwrap_or(&0),
        _ => {
            let counts: Vec<String> = finished.keys().map(|n| format!("N={n}")).collect();
            return Err(StageError::Incomplete(format!(
                "linestats shards of several splits ({}) in {}",
                counts.join(", "),
                work.display()
            )));
        }
    };
    let done = &finished[&shards];
    let missing: Vec<String> = (0..shards)
        .filter(|k| !done.contains(k))
        .map(|k| format!("{k}/{shards}"))
        .collect();
    if !missing.is_empty() {
        return Err(StageError::Incomplete(format!(
            "linestats shards not finished: {}",
            missing.join(", ")
        )));
    }
    let mut all = BucketCounts::default();
    for shard in 0..shards {
        let path = partial_dir(work, shard, shards).join(bucket_name(index, buckets));
        let (header, counts) = read_bucket(&path)?;
        let expected = Header {
            kind: KIND_PARTIAL,
            shard,
            shards,
            bucket: index,
            buckets,
        };
        if header != expected {
            return Err(StageError::Format {
                path,
                message: format!("header {header:?}, expected {expected:?}"),
            });
        }
        all.site_docs.extend(counts.site_docs);
        all.site_lines.extend(counts.site_lines);
        all.lines.extend(counts.lines);
    }
    let site_docs = sum_sorted(all.site_docs);
    let site_lines = sum_sorted(all.site_lines);
    let distinct = site_lines.len() as u64;
    let repeated = BucketCounts {
        site_docs,
        site_lines: site_lines.into_iter().filter(|&(_, n)| n >= 2).collect(),
        lines: sum_sorted(all.lines)
            .into_iter()
            .filter(|&(_, n)| n >= 2)
            .collect(),
    };
    let header = Header {
        kind: KIND_REPEATED,
        shard: 0,
        shards,
        bucket: index,
        buckets,
    };
    write_bucket(
        &work.join("repeated").join(bucket_name(index, buckets)),
        header,
        &repeated,
    )?;
    Ok(MergeSummary {
        shards,
        site_lines: distinct,
        repeated_site_lines: repeated.site_lines.len() as u64,
        repeated_lines: repeated.lines.len() as u64,
    })
}

/// Stage 3's input: loads every bucket of a `repeated` directory. Fails naming missing
/// buckets, or files of different bucket or shard counts.
pub fn load_repeated(dir: &Path) -> Result<RepeatedLines, StageError> {
    let mut found: BTreeMap<u32, BTreeMap<u32, PathBuf>> = BTreeMap::new();
    for entry in std::fs::read_dir(dir)
        .map_err(io_error(dir))?
        .filter_map(Result::ok)
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        let parsed = name
            .strip_prefix("bucket-")
            .and_then(|rest| rest.strip_suffix(".bin"))
            .and_then(|rest| rest.split_once("-of-"))
            .and_then(|(b, m)| Some((b.parse::<u32>().ok()?, m.parse::<u32>().ok()?)));
        if let Some((b, m)) = parsed {
            found.entry(m).or_default().insert(b, entry.path());
        }
    }
    let (buckets, files) = match found.len() {
        1 => found.into_iter().next().unwrap_or_default(),
        0 => {
            return Err(StageError::Incomplete(format!(
                "no repeated-line buckets in {}",
                dir.display()
            )));
        }
        _ => {
            return Err(StageError::Incomplete(format!(
                "buckets of several splits in {}",
                dir.display()
            )));
        }
    };
    let missing: Vec<String> = (0..buckets)
        .filter(|b| !files.contains_key(b))
        .map(|b| format!("{b}/{buckets}"))
        .collect();
    if !missing.is_empty() {
        return Err(StageError::Incomplete(format!(
            "repeated-line buckets missing in {}: {}",
            dir.display(),
            missing.join(", ")
        )));
    }
    let mut all = BucketCounts::default();
    let mut shards = None;
    for (bucket, path) in files {
        let (header, counts) = read_bucket(&path)?;
        if header.kind != KIND_REPEATED || header.bucket != bucket || header.buckets != buckets {
            return Err(StageError::Format {
                path,
                message: format!("unexpected header {header:?}"),
            });
        }
        if *shards.get_or_insert(header.shards) != header.shards {
            return Err(StageError::Format {
                path,
                message: "buckets summed over different shard counts".to_owned(),
            });
        }
        all.site_docs.extend(counts.site_docs);
        all.site_lines.extend(counts.site_lines);
        all.lines.extend(counts.lines);
    }
    Ok(RepeatedLines::from_counts(
        all.site_docs,
        all.site_lines,
        all.lines,
    ))
}

/// A failure injected through [`FAIL_ENV`] (test-only): `STAGE:K:ONCE_FILE` makes shard K of
/// stage `STAGE` (`linestats` or `run`) fail when `ONCE_FILE` does not exist yet, creating it,
/// so the first attempt fails and a retry succeeds.
pub fn injected_failure(stage: &str, shard: Option<(u32, u32)>) -> Option<String> {
    let spec = std::env::var(FAIL_ENV).ok()?;
    let mut parts = spec.splitn(3, ':');
    let (want_stage, want_shard, once) = (parts.next()?, parts.next()?, parts.next()?);
    let (index, _) = shard?;
    if want_stage != stage || want_shard.parse::<u32>().ok()? != index {
        return None;
    }
    // create_new: of several attempts racing, exactly one fails.
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(once)
        .ok()?;
    Some(format!(
        "{FAIL_ENV}: injected failure of {stage} shard {index} (test only)"
    ))
}

/// The result of [`verify`].
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Verification {
    /// Shards found done, as `K/N`.
    pub shards: Vec<String>,
    /// Input files covered.
    pub inputs: u64,
    /// Rows per table over all shards.
    pub rows: BTreeMap<String, u64>,
    /// Everything wrong; empty when the output is complete.
    pub problems: Vec<String>,
}

/// Checks a sharded output directory: every shard 0..N has its `_done` marker (and no other
/// split is mixed in), every input file was covered by exactly one shard (and, where the
/// inputs are still readable, every input file was covered), and each marker's row counts
/// match its Parquet parts.
pub fn verify(out: &Path) -> Result<Verification, StageError> {
    let done_dir = out.join(crate::corpus::DONE_DIR);
    let mut report = Verification::default();
    let mut markers: BTreeMap<(u32, u32), serde_json::Value> = BTreeMap::new();
    let entries = std::fs::read_dir(&done_dir).map_err(io_error(&done_dir))?;
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((k, n)) = parse_part_name(name.strip_suffix(".json").unwrap_or("")) else {
            continue;
        };
        let path = entry.path();
        let text = std::fs::read(&path).map_err(io_error(&path))?;
        match serde_json::from_slice(&text) {
            Ok(value) => {
                markers.insert((k, n), value);
            }
            Err(error) => report
                .problems
                .push(format!("{}: unreadable marker: {error}", path.display())),
        }
    }
    let splits: BTreeSet<u32> = markers.keys().map(|&(_, n)| n).collect();
    if splits.len() > 1 {
        let names: Vec<String> = splits.iter().map(|n| format!("N={n}")).collect();
        report.problems.push(format!(
            "markers of several shard counts ({}): inputs are doubled",
            names.join(", ")
        ));
    }
    for &n in &splits {
        let missing: Vec<String> = (0..n)
            .filter(|&k| !markers.contains_key(&(k, n)))
            .map(|k| format!("{k}/{n}"))
            .collect();
        if !missing.is_empty() {
            report
                .problems
                .push(format!("missing shards: {}", missing.join(", ")));
        }
    }
    if markers.is_empty() {
        report
            .problems
            .push(format!("no shard markers in {}", done_dir.display()));
    }
    let mut covered: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut roots: BTreeSet<Vec<PathBuf>> = BTreeSet::new();
    for (&(k, n), marker) in &markers {
        let shard = format!("{k}/{n}");
        report.shards.push(shard.clone());
        for file in marker["input_files"].as_array().into_iter().flatten() {
            if let Some(source) = file["source"].as_str() {
                covered
                    .entry(source.to_owned())
                    .or_default()
                    .push(shard.clone());
            }
        }
        if let Some(inputs) = marker["options"]["inputs"].as_array() {
            roots.insert(
                inputs
                    .iter()
                    .filter_map(|p| p.as_str())
                    .map(PathBuf::from)
                    .collect(),
            );
        }
        let part = format!("part-{k:05}-of-{n:05}");
        for table in crate::output::Table::ALL {
            let name = table.name();
            let expected = marker["summary"]["rows"][name].as_u64();
            let actual = part_rows(&out.join(name), &part);
            match (expected, actual) {
                (Some(e), Ok(Some(a))) if e == a => {
                    *report.rows.entry(name.to_owned()).or_default() += a
                }
                (Some(e), Ok(Some(a))) => report.problems.push(format!(
                    "shard {shard}: {name} has {a} rows, its marker says {e}"
                )),
                (_, Ok(None)) => report
                    .problems
                    .push(format!("shard {shard}: no {name} part {part}")),
                (None, _) => report
                    .problems
                    .push(format!("shard {shard}: marker has no row count for {name}")),
                (_, Err(error)) => report
                    .problems
                    .push(format!("shard {shard}: {name}: {error}")),
            }
        }
    }
    for (source, shards) in &covered {
        if shards.len() > 1 {
            report.problems.push(format!(
                "input {source} covered {} times (shards {})",
                shards.len(),
                shards.join(", ")
            ));
        }
    }
    report.inputs = covered.len() as u64;
    // Where the jobs' inputs are readable from here, nothing may have been left out.
    if roots.len() > 1 {
        report
            .problems
            .push("shards were run over different inputs".to_owned());
    } else if let Some(roots) = roots.iter().next()
        && let Ok(files) = list_inputs(roots)
    {
        let missed: Vec<&InputFile> = files
            .iter()
            .filter(|f| !covered.contains_key(&f.source))
            .collect();
        if !missed.is_empty() {
            let names: Vec<&str> = missed.iter().take(5).map(|f| f.source.as_str()).collect();
            report.problems.push(format!(
                "{} inputs covered by no shard (e.g. {})",
                missed.len(),
                names.join(", ")
            ));
        }
    }
    Ok(report)
}

/// Rows of the Parquet files named `<part>*.parquet` under a table directory (language
/// partitions included); `None` when there are none.
fn part_rows(dir: &Path, part: &str) -> Result<Option<u64>, String> {
    use parquet::file::reader::FileReader;
    let mut total = None;
    for entry in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
    {
        let name = entry.file_name().to_string_lossy();
        if !(entry.file_type().is_file() && name.starts_with(part) && name.ends_with(".parquet")) {
            continue;
        }
        let file = std::fs::File::open(entry.path())
            .map_err(|e| format!("{}: {e}", entry.path().display()))?;
        let reader = parquet::file::reader::SerializedFileReader::new(file)
            .map_err(|e| format!("{}: {e}", entry.path().display()))?;
        let rows = u64::try_from(reader.metadata().file_metadata().num_rows()).unwrap_or(0);
        *total.get_or_insert(0) += rows;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats() -> LineStats {
        let mut stats = LineStats::new();
        stats.add_document("a.com", "Home\nShare this article\nCats sleep a lot.");
        stats.add_document("a.com", "Home\nShare this article\nDogs bark.");
        stats.add_document("b.org", "Home\nContact us");
        stats
    }

    #[test]
    fn buckets_round_trip_and_keep_a_line_together() {
        let dir = tempfile::tempdir().unwrap();
        let buckets = split(&stats(), 3);
        let total: usize = buckets.iter().map(|b| b.lines.len()).sum();
        assert_eq!(total, stats().line_counts().count());
        for (b, counts) in buckets.iter().enumerate() {
            assert!(
                counts
                    .site_lines
                    .iter()
                    .all(|&((_, line), _)| bucket_of(line, 3) == b as u32)
            );
            let header = Header {
                kind: KIND_PARTIAL,
                shard: 1,
                shards: 2,
                bucket: b as u32,
                buckets: 3,
            };
            let path = dir.path().join(bucket_name(b as u32, 3));
            write_bucket(&path, header, counts).unwrap();
            assert_eq!(read_bucket(&path).unwrap(), (header, counts.clone()));
        }
    }

    #[test]
    fn corrupt_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.bin");
        let header = Header {
            kind: KIND_PARTIAL,
            shard: 0,
            shards: 1,
            bucket: 0,
            buckets: 1,
        };
        write_bucket(&path, header, &split(&stats(), 1)[0]).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 9;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(matches!(read_bucket(&path), Err(StageError::Format { .. })));
        std::fs::write(&path, b"CMLSTAT\0").unwrap();
        assert!(read_bucket(&path).is_err());
    }

    #[test]
    fn summed_buckets_equal_the_in_memory_statistics() {
        let mut a = LineStats::new();
        a.add_document("a.com", "Home\nShare this article\nCats sleep a lot.");
        let mut b = LineStats::new();
        b.add_document("a.com", "Home\nShare this article\nDogs bark.");
        b.add_document("b.org", "Home\nContact us");
        let mut all = BucketCounts::default();
        for part in [split(&a, 2), split(&b, 2)] {
            for bucket in part {
                all.site_docs.extend(bucket.site_docs);
                all.site_lines.extend(bucket.site_lines);
                all.lines.extend(bucket.lines);
            }
        }
        let staged = RepeatedLines::from_counts(
            sum_sorted(all.site_docs),
            sum_sorted(all.site_lines),
            sum_sorted(all.lines),
        );
        let direct = stats().finish();
        let sorted = |r: &RepeatedLines| {
            let mut v: Vec<_> = r.site_line_counts().collect();
            v.sort_unstable();
            let mut l: Vec<_> = r.line_counts().collect();
            l.sort_unstable();
            (v, l)
        };
        assert_eq!(sorted(&staged), sorted(&direct));
        assert_eq!(staged.docs(), 3);
        assert_eq!(staged.doc_freq("a.com", "share this ARTICLE"), Some(2));
        assert_eq!(staged.site_docs("b.org"), 1);
    }

    #[test]
    fn part_names_parse() {
        assert_eq!(parse_part_name("part-3-of-4"), Some((3, 4)));
        assert_eq!(parse_part_name("part-4-of-4"), None);
        assert_eq!(parse_part_name("part-x-of-4"), None);
    }
}
