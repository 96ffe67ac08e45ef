//! Input discovery and reading: files and directories become a stream of raw documents in a
//! deterministic order, each with the facts the tables need (source, site) and its bytes, or the
//! reason it could not be read.

use std::path::{Path, PathBuf};

/// One input file found by walking the inputs, or a path that could not be walked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    /// Path to read.
    pub path: PathBuf,
    /// Path relative to the input root (the file's path as given for file inputs).
    pub source: String,
    /// Set when the walk itself failed here (a symlink loop, an unreadable directory).
    pub walk_error: Option<String>,
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
}

/// Why a document has no bytes to process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unread {
    /// A judgement about the input (too large): recorded as `skipped`.
    Skipped(String),
    /// An error reading it (permissions, a symlink loop): recorded as `failed`.
    Failed(String),
}

/// A document as read from its input, before decoding.
#[derive(Clone, Debug)]
pub struct RawDocument {
    /// Where it came from, relative to its input root; `doc_id` is its hash.
    pub source: String,
    /// The site it belongs to, for cross-document line statistics: the URL's host where the
    /// input has one, else the source's directory.
    pub site: String,
    /// Size of the input in bytes (as far as known when it was not read).
    pub n_bytes: u64,
    /// The bytes, or why there are none.
    pub bytes: Result<Vec<u8>, Unread>,
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

/// Lists the files under `inputs`, each directory walked recursively in sorted order. Hidden
/// files and directories (names starting with `.`) are left out; symbolic links are followed and
/// loops reported as entries with a `walk_error`.
pub fn list_inputs(inputs: &[PathBuf]) -> Result<Vec<InputFile>, MissingInput> {
    let mut files = Vec::new();
    for input in inputs {
        let metadata = std::fs::metadata(input).map_err(|source| MissingInput {
            path: input.clone(),
            source,
        })?;
        if !metadata.is_dir() {
            files.push(InputFile {
                path: input.clone(),
                source: input.to_string_lossy().into_owned(),
                walk_error: None,
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
                    files.push(InputFile {
                        path: entry.path().to_path_buf(),
                        source: relative.to_string_lossy().into_owned(),
                        walk_error: None,
                    });
                }
                Err(error) => {
                    let path = error.path().unwrap_or(input).to_path_buf();
                    let relative = path.strip_prefix(input).unwrap_or(&path).to_path_buf();
                    files.push(InputFile {
                        source: relative.to_string_lossy().into_owned(),
                        path,
                        walk_error: Some(error.to_string()),
                    });
                }
            }
        }
    }
    Ok(files)
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

/// Reads one input file, capped at `max_bytes`.
pub fn read_file(input: &InputFile, max_bytes: u64) -> RawDocument {
    let mut document = RawDocument {
        source: input.source.clone(),
        site: site_of_source(&input.source),
        n_bytes: 0,
        bytes: Err(Unread::Failed(String::new())),
    };
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
            Err(Unread::Skipped(format!(
                "too_large: {size} bytes > --max-doc-bytes {max_bytes}"
            )))
        }
        Err(error) => Err(Unread::Failed(format!("unreadable: {error}"))),
    };
    document
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
        assert!(matches!(document.bytes, Err(Unread::Skipped(reason)) if reason.starts_with("too_large")));
    }
}
