//! Rendering of the library's progress events for people and machines. Part of the binary
//! (declared from `cli.rs`): the library only emits [`ProgressEvent`]s, so terminal handling
//! stays here.
//!
//! - on a terminal: a progress bar on stderr by input bytes, with rate and ETA;
//! - elsewhere (CI logs, redirected stderr): a plain line every few seconds, since a bar
//!   redrawn into a log file is noise;
//! - `--log-format json`: one JSON object per line on stdout, for machines.

use corpusmill::corpus::{Pass, Progress, ProgressEvent, RunSummary};
use corpusmill::errln;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How progress and the summary are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// For people: a bar on a terminal, periodic lines otherwise, a table at the end.
    Text,
    /// One JSON object per line on stdout: `started`, `progress` and `summary` events.
    Json,
}

/// Seconds between plain progress lines when stderr is not a terminal.
const LOG_LINE_INTERVAL: Duration = Duration::from_secs(5);
/// Seconds between JSON progress events (the last event of a pass is always written).
const JSON_INTERVAL: Duration = Duration::from_secs(1);

#[derive(Debug)]
enum Mode {
    Bar(ProgressBar),
    Lines,
    Json,
}

#[derive(Debug)]
struct PassState {
    pass: Pass,
    started: Instant,
    last_report: Instant,
    documents: u64,
    bytes: u64,
    total_documents: u64,
    total_bytes: u64,
}

/// Renders progress events; hand it to `RunOptions::progress`.
#[derive(Debug)]
pub struct Reporter {
    mode: Mode,
    state: Mutex<Option<PassState>>,
}

impl Reporter {
    /// A reporter for `format`, choosing bar or plain lines by whether stderr is a terminal.
    pub fn new(format: LogFormat) -> Reporter {
        let mode = match format {
            LogFormat::Json => Mode::Json,
            LogFormat::Text if std::io::stderr().is_terminal() => {
                let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template(
                        "{msg:>14} [{bar:32}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                Mode::Bar(bar)
            }
            LogFormat::Text => Mode::Lines,
        };
        Reporter {
            mode,
            state: Mutex::new(None),
        }
    }

    /// Removes the bar before the summary is printed.
    pub fn finish(&self) {
        if let Mode::Bar(bar) = &self.mode {
            bar.finish_and_clear();
        }
    }
}

fn pass_name(pass: Pass) -> &'static str {
    match pass {
        Pass::CountLines => "count_lines",
        Pass::Process => "process",
    }
}

impl Progress for Reporter {
    fn event(&self, event: ProgressEvent) {
        let now = Instant::now();
        // A poisoned lock only means another thread panicked mid-report: keep reporting.
        let mut guard = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match event {
            ProgressEvent::Started {
                pass,
                documents,
                bytes,
            } => {
                *guard = Some(PassState {
                    pass,
                    started: now,
                    last_report: now,
                    documents: 0,
                    bytes: 0,
                    total_documents: documents,
                    total_bytes: bytes,
                });
                match &self.mode {
                    Mode::Bar(bar) => {
                        bar.set_message(match pass {
                            Pass::CountLines => "counting lines",
                            Pass::Process => "processing",
                        });
                        bar.set_length(bytes);
                        bar.reset();
                    }
                    Mode::Lines => errln!(
                        "corpusmill: {}: {documents} inputs, {:.1} MB",
                        pass_name(pass),
                        bytes as f64 / 1e6
                    ),
                    Mode::Json => json_line(&serde_json::json!({
                        "event": "started",
                        "pass": pass_name(pass),
                        "documents_total": documents,
                        "bytes_total": bytes,
                    })),
                }
            }
            ProgressEvent::Advanced {
                pass,
                documents,
                bytes,
            } => {
                let Some(state) = guard.as_mut().filter(|state| state.pass == pass) else {
                    return;
                };
                // Worker threads report concurrently: keep the furthest point seen.
                state.documents = state.documents.max(documents);
                state.bytes = state.bytes.max(bytes);
                let last = state.documents >= state.total_documents;
                match &self.mode {
                    Mode::Bar(bar) => bar.set_position(state.bytes),
                    Mode::Lines => {
                        if now.duration_since(state.last_report) >= LOG_LINE_INTERVAL {
                            state.last_report = now;
                            errln!("corpusmill: {}", plain_line(state, now));
                        }
                    }
                    Mode::Json => {
                        if last || now.duration_since(state.last_report) >= JSON_INTERVAL {
                            state.last_report = now;
                            json_line(&progress_json(state, now));
                        }
                    }
                }
            }
        }
    }
}

/// Rate in input MB/s and ETA in seconds (`None` before anything is done).
fn rate_and_eta(state: &PassState, now: Instant) -> (f64, Option<f64>) {
    let seconds = now.duration_since(state.started).as_secs_f64().max(1e-9);
    let rate = state.bytes as f64 / seconds;
    let eta = (rate > 0.0).then(|| state.total_bytes.saturating_sub(state.bytes) as f64 / rate);
    (rate / 1e6, eta)
}

fn plain_line(state: &PassState, now: Instant) -> String {
    let (rate, eta) = rate_and_eta(state, now);
    let percent = 100.0 * state.bytes as f64 / (state.total_bytes.max(1)) as f64;
    let eta = eta.map_or_else(|| "?".to_owned(), |eta| format!("{eta:.0} s"));
    format!(
        "{}: {:.1}/{:.1} MB ({percent:.0}%), {}/{} inputs, {rate:.2} MB/s, ETA {eta}",
        pass_name(state.pass),
        state.bytes as f64 / 1e6,
        state.total_bytes as f64 / 1e6,
        state.documents,
        state.total_documents,
    )
}

fn progress_json(state: &PassState, now: Instant) -> serde_json::Value {
    let (rate, eta) = rate_and_eta(state, now);
    serde_json::json!({
        "event": "progress",
        "pass": pass_name(state.pass),
        "documents_done": state.documents,
        "documents_total": state.total_documents,
        "bytes_done": state.bytes,
        "bytes_total": state.total_bytes,
        "elapsed_s": now.duration_since(state.started).as_secs_f64(),
        "mb_per_s": rate,
        "eta_s": eta,
    })
}

/// The final summary as one JSON line (`"event": "summary"`).
pub fn print_summary_json(summary: &RunSummary, out: &Path) {
    let mut value = serde_json::to_value(summary).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.insert("event".to_owned(), "summary".into());
        object.insert("out".to_owned(), out.display().to_string().into());
    }
    json_line(&value);
}

/// A fatal error as one JSON line, so a machine reading stdout sees why the run stopped.
pub fn print_error_json(message: &str) {
    json_line(&serde_json::json!({ "event": "error", "message": message }));
}

/// Writes one compact JSON object and a newline to stdout, ignoring a closed pipe.
fn json_line(value: &serde_json::Value) {
    let mut line = value.to_string();
    line.push('\n');
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(line.as_bytes());
    let _ = stdout.flush();
}
