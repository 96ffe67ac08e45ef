//! Console output that never panics.
//!
//! `println!` panics when stdout is a closed pipe (`corpusmill eval … | head`), because Rust
//! ignores SIGPIPE. The commands print through these macros instead: a write that fails ends
//! that line quietly, the way a Unix filter stops when its reader goes away. Results that
//! matter are in files (tables, manifest), never only on the console.

use std::io::Write;

/// `println!` to stdout that ignores a closed pipe.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => { $crate::console::write_line(&mut ::std::io::stdout().lock(), format_args!($($arg)*)) };
}

/// `eprintln!` to stderr that ignores a closed pipe.
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => { $crate::console::write_line(&mut ::std::io::stderr().lock(), format_args!($($arg)*)) };
}

/// Writes one line; a failed write (closed pipe, full disk) is dropped, not raised.
pub fn write_line(sink: &mut impl Write, line: std::fmt::Arguments<'_>) {
    let _ = sink.write_fmt(line).and_then(|()| sink.write_all(b"\n"));
}

/// Writes text as it is, with the same tolerance as [`write_line`].
pub fn write_text(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer whose reader has gone away.
    struct ClosedPipe;

    impl Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_drops_the_line_without_panicking() {
        write_line(&mut ClosedPipe, format_args!("accuracy {:.4}", 0.5));
    }

    #[test]
    fn lines_end_with_a_newline() {
        let mut sink = Vec::new();
        write_line(&mut sink, format_args!("{} {}", "tokens", 3));
        write_line(&mut sink, format_args!("done"));
        assert_eq!(sink, b"tokens 3\ndone\n");
    }
}
