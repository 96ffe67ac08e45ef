//! Input discovery and reading: files and directories become a stream of raw documents in a
//! deterministic order, each with the facts the tables need (source, site, url) and its bytes,
//! or the reason it could not be read.
//!
//! A file is one of several formats, told by its name: plain text (one document per file),
//! JSON Lines (`.jsonl`, `.jsonl.gz`, `.jsonl.zst`; one document per record), Parquet
//! (`.parquet`; one document per row) and Common Crawl WET (`.warc.wet`, `.warc.wet.gz`; one
//! document per conversion record). Standard input (`-`) is one document, or JSON Lines with
//! `--stdin-format jsonl`. Every format streams: memory holds one record (capped by
//! `--max-doc-bytes`) or one Parquet batch, never a whole file.
//!
//! [`documents`] can be called any number of times over the same inputs and yields the same
//! documents in the same order, which is what the run's two passes rely on.

mod compressed;
mod jsonl;
mod parquet_rows;
mod wet;

use std::io::BufRead;
use std::path::{Path, PathBuf};

/// One input file found by walking the inputs, or a path that could not be walked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    /// Path to read.
    pub path: PathBuf,
    /// Path relative to the input root (the file's path as given for file inputs; `stdin` for
    /// standard input).
    pub source: String,
    /// Set when the walk itself failed here (a symlink loop, an unreadable directory).
    pub walk_error: Option<String>,
    /// True for standard input (`-`), whose format is `--stdin-format` rather than its name's.
    pub stdin: bool,
}

impl InputFile {
    /// The file's size in bytes, 0 when it cannot be read.
    pub fn len(&self) -> u64 {
        std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0)
    }

    /// True when the file is empty or unreadable.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The file's format: from `--stdin-format` for standard input, else from its name.
    pub fn format(&self, options: &ReadOptions) -> Format {
        if self.stdin {
            return match options.stdin_format {
                StdinFormat::Text => Format::Text,
                StdinFormat::Jsonl => Format::Jsonl(Compression::None),
            };
        }
        Format::of_name(&self.source)
    }
}

/// How a file's bytes are compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// Not compressed.
    None,
    /// gzip, possibly several members back to back (as Common Crawl writes them).
    Gzip,
    /// Zstandard.
    Zstd,
}

/// The format of an input file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One document per file.
    Text,
    /// JSON Lines: one document per record.
    Jsonl(Compression),
    /// Parquet: one document per row.
    Parquet,
    /// Common Crawl WET: one document per `conversion` record.
    Wet(Compression),
}

impl Format {
    /// The format a file name announces; plain text unless a known suffix says otherwise.
    pub fn of_name(name: &str) -> Format {
        let lower = name.to_ascii_lowercase();
        let ends = |suffix: &str| lower.ends_with(suffix);
        if ends(".jsonl") || ends(".ndjson") {
            Format::Jsonl(Compression::None)
        } else if ends(".jsonl.gz") || ends(".ndjson.gz") {
            Format::Jsonl(Compression::Gzip)
        } else if ends(".jsonl.zst") || ends(".ndjson.zst") {
            Format::Jsonl(Compression::Zstd)
        } else if ends(".parquet") {
            Format::Parquet
        } else if ends(".warc.wet") {
            Format::Wet(Compression::None)
        } else if ends(".warc.wet.gz") {
            Format::Wet(Compression::Gzip)
        } else {
            Format::Text
        }
    }
}

/// The format of standard input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StdinFormat {
    /// The whole of standard input is one document.
    #[default]
    Text,
    /// Standard input is JSON Lines.
    Jsonl,
}

/// How documents are read out of their files. Part of the options that shape the rows.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReadOptions {
    /// Documents (and JSON Lines records) larger than this are skipped as `too_large`.
    pub max_doc_bytes: u64,
    /// The field (JSON Lines) or column (Parquet) holding the text.
    pub text_field: String,
    /// The field or column holding the document id; the record number where it is absent.
    pub id_field: String,
    /// The field or column holding the document's URL, if any.
    pub url_field: String,
    /// The format of standard input.
    pub stdin_format: StdinFormat,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            max_doc_bytes: 64 * 1024 * 1024,
            text_field: "text".to_owned(),
            id_field: "id".to_owned(),
            url_field: "url".to_owned(),
            stdin_format: StdinFormat::Text,
        }
    }
}

/// Why a document has no bytes to process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unread {
    /// A judgement about the input (too large, no text field): recorded as `skipped`.
    Skipped(String),
    /// An error reading it (permissions, a symlink loop, a corrupt file): recorded as `failed`.
    Failed(String),
}

/// A document as read from its input, before decoding.
#[derive(Clone, Debug)]
pub struct RawDocument {
    /// Where it came from: the file's path relative to its input root, followed by `#<id>` for
    /// a record of a multi-document file. `doc_id` is its hash.
    pub source: String,
    /// The site it belongs to, for cross-document line statistics: the URL's host where the
    /// document has a URL, else the source's directory (plain files) or the source file
    /// (records of a multi-document file).
    pub site: String,
    /// The document's URL, where its input records one.
    pub url: Option<String>,
    /// Size of the document in bytes (as far as known when it was not read).
    pub n_bytes: u64,
    /// The bytes, or why there are none.
    pub bytes: Result<Vec<u8>, Unread>,
}

impl RawDocument {
    /// A document of `source` that could not be read, with the reason.
    pub fn unread(source: String, site: String, unread: Unread) -> RawDocument {
        RawDocument {
            source,
            site,
            url: None,
            n_bytes: 0,
            bytes: Err(unread),
        }
    }
}

/// An input named on the command line that does not exist or cannot be opened.
#[derive(Debug, thiserror::Error)]
#[error("input {path}: {source}")]
pub struct MissingInput {
    /// The input.
    pub path: PathBuf,
    /// The cause.
    pub source: std::io::Error,
}

/// The name that stands for standard input among the inputs.
pub const STDIN: &str = "-";

/// Lists the files under `inputs`, each directory walked recursively in sorted order. Hidden
/// files and directories (names starting with `.`) are left out; symbolic links are followed and
/// loops reported as entries with a `walk_error`. `-` stands for standard input.
pub fn list_inputs(inputs: &[PathBuf]) -> Result<Vec<InputFile>, MissingInput> {
    let mut files = Vec::new();
    for input in inputs {
        if input.as_os_str() == STDIN {
            files.push(InputFile {
                path: input.clone(),
                source: "stdin".to_owned(),
                walk_error: None,
                stdin: true,
            });
            continue;
        }
        let metadata = std::fs::metadata(input).map_err(|source| MissingInput {
            path: input.clone(),
            source,
        })?;
        if !metadata.is_dir() {
            files.push(InputFile {
                path: input.clone(),
                source: input.to_string_lossy().into_owned(),
                walk_error: None,
                stdin: false,
            });
            continue;
        }
        let walker = walkdir::WalkDir::new(input)
            .follow_links(true)
            .sort_by_file_name();
        for entry in walker {
            match entry {
                Ok(entry) if entry.file_type().is_dir() => {}
                Ok(entry) => {
                    let relative = entry.path().strip_prefix(input).unwrap_or(entry.path());
                    if is_hidden(relative) {
                        continue;
                    }
                    // Opening a FIFO found in a directory would block the run forever, and a
                    // device is no document: such entries fail without being opened. A FIFO
                    // named on the command line is still read (`<(zcat …)`).
                    let walk_error = (!entry.file_type().is_file())
                        .then(|| "not a regular file (a FIFO, socket or device)".to_owned());
                    files.push(InputFile {
                        path: entry.path().to_path_buf(),
                        source: relative.to_string_lossy().into_owned(),
                        walk_error,
                        stdin: false,
                    });
                }
                Err(error) => {
                    let path = error.path().unwrap_or(input).to_path_buf();
                    let relative = path.strip_prefix(input).unwrap_or(&path).to_path_buf();
                    files.push(InputFile {
                        source: relative.to_string_lossy().into_owned(),
                        path,
                        walk_error: Some(error.to_string()),
                        stdin: false,
                    });
                }
            }
        }
    }
    Ok(files)
}

/// Reads an input list (`--inputs-from`): one path per line; blank lines and lines starting
/// with `#` are ignored. Each path is taken as if given on the command line.
pub fn read_input_list(list: &Path) -> Result<Vec<PathBuf>, MissingInput> {
    let text = std::fs::read_to_string(list).map_err(|source| MissingInput {
        path: list.to_path_buf(),
        source,
    })?;
    Ok(text
        .lines()
        .map(|line| line.trim_end_matches('\r'))
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(PathBuf::from)
        .collect())
}

/// The inputs of shard `index` of `count`: every `count`-th input, counting from `index`, of
/// the inputs sorted by source. The selection depends only on the sources, so N jobs given the
/// same inputs split them without overlap or gap.
pub fn shard_inputs(inputs: &[InputFile], index: u32, count: u32) -> Vec<InputFile> {
    let mut sorted: Vec<&InputFile> = inputs.iter().collect();
    sorted.sort_by(|a, b| a.source.cmp(&b.source));
    sorted
        .into_iter()
        .skip(index as usize)
        .step_by(count.max(1) as usize)
        .cloned()
        .collect()
}

/// Copies standard input to a file under `dir` so that it can be read by both passes, and
/// points the standard-input entry at it. Returns the spool file to remove after the run.
pub fn spool_stdin(inputs: &mut [InputFile], dir: &Path) -> std::io::Result<Option<PathBuf>> {
    let Some(input) = inputs.iter_mut().find(|input| input.stdin) else {
        return Ok(None);
    };
    let spool = dir.join(".stdin.spool");
    let mut file = std::fs::File::create(&spool)?;
    std::io::copy(&mut std::io::stdin().lock(), &mut file)?;
    input.path = spool.clone();
    Ok(Some(spool))
}

/// The 64-bit xxHash (seed 0) of a file's bytes, read in blocks.
pub fn file_hash(path: &Path) -> std::io::Result<u64> {
    use std::hash::Hasher;
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = twox_hash::XxHash64::with_seed(0);
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            return Ok(hasher.finish());
        }
        hasher.write(&buffer[..n]);
    }
}

fn is_hidden(relative: &Path) -> bool {
    relative
        .components()
        .any(|part| part.as_os_str().to_string_lossy().starts_with('.'))
}

/// The site of a plain file: its directory relative to the input root (`""` at the root).
pub fn site_of_source(source: &str) -> String {
    Path::new(source)
        .parent()
        .map(|parent| parent.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The host of a URL, lower-cased, without user, port and a leading `www.`; `None` when the
/// URL has no host. Used as the site of documents that have a URL.
pub fn url_host(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = if host_port.starts_with('[') {
        // An IPv6 literal keeps its colons.
        host_port
            .split_once(']')
            .map_or(host_port, |(host, _)| host)
            .trim_start_matches('[')
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host = host.strip_prefix("www.").map(str::to_owned).unwrap_or(host);
    (!host.is_empty()).then_some(host)
}

/// The site of a record of a multi-document file: its URL's host, else the file.
fn record_site(url: Option<&str>, file_source: &str) -> String {
    url.and_then(url_host)
        .unwrap_or_else(|| file_source.to_owned())
}

/// Reads one plain input file, capped at `max_bytes`.
pub fn read_file(input: &InputFile, max_bytes: u64) -> RawDocument {
    let mut document = RawDocument::unread(
        input.source.clone(),
        site_of_source(&input.source),
        Unread::Failed(String::new()),
    );
    if let Some(error) = &input.walk_error {
        document.bytes = Err(Unread::Failed(format!("unreadable: {error}")));
        return document;
    }
    document.bytes = match read_capped(&input.path, max_bytes) {
        Ok(Ok(bytes)) => {
            document.n_bytes = bytes.len() as u64;
            Ok(bytes)
        }
        Ok(Err(size)) => {
            document.n_bytes = size;
            Err(too_large(size, max_bytes))
        }
        Err(error) => Err(Unread::Failed(format!("unreadable: {error}"))),
    };
    document
}

fn too_large(size: u64, max_bytes: u64) -> Unread {
    Unread::Skipped(format!(
        "too_large: {size} bytes > --max-doc-bytes {max_bytes}"
    ))
}

/// The file's bytes, or `Err(size)` when it is larger than `limit`.
fn read_capped(path: &Path, limit: u64) -> std::io::Result<Result<Vec<u8>, u64>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    // Reading one byte past the limit tells "too large" without trusting metadata, which lies
    // for pipes and files still growing.
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        let size = std::fs::metadata(path)
            .map(|m| m.len())
            .unwrap_or(bytes.len() as u64);
        return Ok(Err(size));
    }
    Ok(Ok(bytes))
}

/// A document on its way to being read: plain files are read by the worker that processes
/// them (so reading is parallel), records of multi-document files arrive read.
#[derive(Debug)]
pub enum Pending {
    /// A plain file, to be read with [`read_file`].
    File(InputFile),
    /// A document already read out of its file.
    Ready(RawDocument),
}

impl Pending {
    /// About how many bytes the document holds, for sizing chunks.
    pub fn size_hint(&self) -> u64 {
        match self {
            Pending::File(input) => input.len(),
            Pending::Ready(document) => document.n_bytes,
        }
    }

    /// The document, reading it if need be; files larger than `max_bytes` are skipped.
    pub fn load(self, max_bytes: u64) -> RawDocument {
        match self {
            Pending::File(input) => read_file(&input, max_bytes),
            Pending::Ready(document) => document,
        }
    }
}

type Documents<'a> = Box<dyn Iterator<Item = Pending> + Send + 'a>;

/// Every document of `inputs`, in order: the files in the order given, the records of each
/// file in file order. Calling it again yields the same documents.
pub fn documents<'a>(
    inputs: &'a [InputFile],
    options: &'a ReadOptions,
) -> impl Iterator<Item = Pending> + Send + 'a {
    inputs
        .iter()
        .flat_map(move |input| file_documents(input, options))
}

fn file_documents<'a>(input: &'a InputFile, options: &'a ReadOptions) -> Documents<'a> {
    let format = input.format(options);
    if input.walk_error.is_some() || format == Format::Text {
        return Box::new(std::iter::once(Pending::File(input.clone())));
    }
    let failed = |reason: String| -> Documents<'a> {
        let document = RawDocument::unread(
            input.source.clone(),
            site_of_source(&input.source),
            Unread::Failed(reason),
        );
        Box::new(std::iter::once(Pending::Ready(document)))
    };
    match format {
        Format::Text => Box::new(std::iter::once(Pending::File(input.clone()))),
        Format::Parquet => match parquet_rows::ParquetDocuments::open(input, options) {
            Ok(rows) => Box::new(rows.map(Pending::Ready)),
            Err(reason) => failed(reason),
        },
        Format::Jsonl(compression) | Format::Wet(compression) => {
            let reader = match compressed::open(&input.path, compression) {
                Ok(reader) => reader,
                Err(error) => return failed(format!("unreadable: {error}")),
            };
            if matches!(format, Format::Wet(_)) {
                Box::new(wet::WetDocuments::new(reader, input, options).map(Pending::Ready))
            } else {
                Box::new(jsonl::JsonlDocuments::new(reader, input, options).map(Pending::Ready))
            }
        }
    }
}

/// Reads one line into `line` without its line ending, keeping at most `cap` bytes: a longer
/// line is consumed to its end but reported as [`Line::TooLong`] with its length, so a
/// record with no newline in gigabytes costs time but no memory.
fn read_line_capped(
    reader: &mut dyn BufRead,
    cap: u64,
    line: &mut Vec<u8>,
) -> std::io::Result<Line> {
    line.clear();
    let mut total = 0u64;
    let mut too_long = false;
    let mut any = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if available.is_empty() {
            break;
        }
        any = true;
        let (used, ended) = match memchr::memchr(b'\n', available) {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        let content = &available[..if ended { used - 1 } else { used }];
        total += content.len() as u64;
        if !too_long {
            if total > cap {
                too_long = true;
                line.clear();
            } else {
                line.extend_from_slice(content);
            }
        }
        reader.consume(used);
        if ended {
            break;
        }
    }
    if !any {
        return Ok(Line::End);
    }
    if too_long {
        return Ok(Line::TooLong(total));
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Line::Read)
}

/// What [`read_line_capped`] found.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    /// The end of the input.
    End,
    /// A line, now in the buffer.
    Read,
    /// A line longer than the cap, of this many bytes, skipped.
    TooLong(u64),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_are_walked_in_sorted_order_without_hidden_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("b-site")).unwrap();
        std::fs::write(dir.path().join("b-site/2.txt"), "two").unwrap();
        std::fs::write(dir.path().join("b-site/1.txt"), "one").unwrap();
        std::fs::write(dir.path().join("a.txt"), "a").unwrap();
        std::fs::write(dir.path().join(".hidden"), "no").unwrap();
        let files = list_inputs(&[dir.path().to_path_buf()]).unwrap();
        let sources: Vec<&str> = files.iter().map(|f| f.source.as_str()).collect();
        assert_eq!(sources, ["a.txt", "b-site/1.txt", "b-site/2.txt"]);
        assert_eq!(site_of_source("b-site/1.txt"), "b-site");
    }

    #[test]
    fn oversized_files_are_skipped_with_their_size() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("big.txt"), "x".repeat(100)).unwrap();
        let files = list_inputs(&[dir.path().to_path_buf()]).unwrap();
        let document = read_file(&files[0], 10);
        assert_eq!(document.n_bytes, 100);
        assert!(
            matches!(document.bytes, Err(Unread::Skipped(reason)) if reason.starts_with("too_large"))
        );
    }

    #[test]
    fn formats_are_told_by_name() {
        assert_eq!(Format::of_name("a/b.txt"), Format::Text);
        assert_eq!(
            Format::of_name("dump.jsonl"),
            Format::Jsonl(Compression::None)
        );
        assert_eq!(
            Format::of_name("dump.JSONL.GZ"),
            Format::Jsonl(Compression::Gzip)
        );
        assert_eq!(
            Format::of_name("dump.jsonl.zst"),
            Format::Jsonl(Compression::Zstd)
        );
        assert_eq!(Format::of_name("t.parquet"), Format::Parquet);
        assert_eq!(
            Format::of_name("CC-MAIN-1.warc.wet.gz"),
            Format::Wet(Compression::Gzip)
        );
        assert_eq!(
            Format::of_name("x.warc.wet"),
            Format::Wet(Compression::None)
        );
        // A WARC of responses is not a WET file: its records are HTML, left to the text path.
        assert_eq!(Format::of_name("x.warc.gz"), Format::Text);
    }

    #[test]
    fn hosts_drop_user_port_case_and_www() {
        assert_eq!(
            url_host("https://www.Example.com:8080/a?b").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            url_host("http://user:pw@blog.example.org#x").as_deref(),
            Some("blog.example.org")
        );
        assert_eq!(url_host("http://[::1]:80/").as_deref(), Some("::1"));
        assert_eq!(url_host("example.com/a"), None);
        assert_eq!(url_host("file:///etc/passwd"), None);
    }

    #[test]
    fn shards_split_sorted_sources_without_overlap() {
        let file = |source: &str| InputFile {
            path: PathBuf::from(source),
            source: source.to_owned(),
            walk_error: None,
            stdin: false,
        };
        let inputs: Vec<InputFile> = ["e", "a", "d", "b", "c"].into_iter().map(file).collect();
        let pick = |k| -> Vec<String> {
            shard_inputs(&inputs, k, 2)
                .into_iter()
                .map(|f| f.source)
                .collect()
        };
        assert_eq!(pick(0), ["a", "c", "e"]);
        assert_eq!(pick(1), ["b", "d"]);
    }

    #[test]
    fn long_lines_are_consumed_but_not_kept() {
        let text = format!("short\r\n{}\nlast", "x".repeat(100));
        let mut reader = std::io::BufReader::with_capacity(16, text.as_bytes());
        let mut line = Vec::new();
        assert_eq!(
            read_line_capped(&mut reader, 50, &mut line).unwrap(),
            Line::Read
        );
        assert_eq!(line, b"short");
        assert_eq!(
            read_line_capped(&mut reader, 50, &mut line).unwrap(),
            Line::TooLong(100)
        );
        assert!(line.is_empty());
        assert_eq!(
            read_line_capped(&mut reader, 50, &mut line).unwrap(),
            Line::Read
        );
        assert_eq!(line, b"last");
        assert_eq!(
            read_line_capped(&mut reader, 50, &mut line).unwrap(),
            Line::End
        );
    }
}
