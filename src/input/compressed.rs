//! Opening a possibly compressed file as a buffered stream, with a guard against
//! decompression bombs.

use super::Compression;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Decompressed bytes allowed per compressed byte. Text compresses 3–10 times, repetitive
/// JSON Lines perhaps 30; gzip cannot exceed about 1,030 but zstd can reach millions.
const MAX_RATIO: u64 = 200;
/// Decompressed bytes always allowed, whatever the compressed size, so small files with a
/// high ratio still read.
const MIN_ALLOWANCE: u64 = 256 * 1024 * 1024;
/// Read buffer size: large enough that decompression works in big steps.
const BUFFER: usize = 256 * 1024;

/// A buffered reader over the decompressed bytes of `path`.
pub(super) fn open(
    path: &Path,
    compression: Compression,
) -> std::io::Result<Box<dyn BufRead + Send>> {
    let file = std::fs::File::open(path)?;
    let compressed_size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let allowance = compressed_size.saturating_mul(MAX_RATIO).max(MIN_ALLOWANCE);
    Ok(match compression {
        Compression::None => Box::new(BufReader::with_capacity(BUFFER, file)),
        Compression::Gzip => {
            // Multi-member: Common Crawl writes one gzip member per record.
            let decoder = flate2::read::MultiGzDecoder::new(BufReader::with_capacity(BUFFER, file));
            Box::new(BufReader::with_capacity(
                BUFFER,
                Guard::new(decoder, allowance),
            ))
        }
        Compression::Zstd => {
            let decoder = zstd::stream::read::Decoder::new(file)?;
            Box::new(BufReader::with_capacity(
                BUFFER,
                Guard::new(decoder, allowance),
            ))
        }
    })
}

/// Fails the stream once it has produced more than `allowance` bytes.
struct Guard<R> {
    inner: R,
    produced: u64,
    allowance: u64,
}

impl<R> Guard<R> {
    fn new(inner: R, allowance: u64) -> Guard<R> {
        Guard {
            inner,
            produced: 0,
            allowance,
        }
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.produced += n as u64;
        if self.produced > self.allowance {
            return Err(std::io::Error::other(format!(
                "decompression_bomb: more than {} decompressed bytes ({MAX_RATIO}x the file)",
                self.allowance
            )));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn guard_stops_a_stream_past_its_allowance() {
        let mut guard = Guard::new(std::io::repeat(b'a').take(1000), 100);
        let mut out = Vec::new();
        let error = guard.read_to_end(&mut out).unwrap_err();
        assert!(error.to_string().starts_with("decompression_bomb"));
    }

    #[test]
    fn gzip_members_are_read_back_to_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("two.gz");
        let mut bytes = Vec::new();
        for part in ["one\n", "two\n"] {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            encoder.write_all(part.as_bytes()).unwrap();
            bytes.extend(encoder.finish().unwrap());
        }
        std::fs::write(&path, bytes).unwrap();
        let mut text = String::new();
        open(&path, Compression::Gzip)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "one\ntwo\n");
    }
}
