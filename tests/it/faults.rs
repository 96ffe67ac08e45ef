//! Faults: a run killed with SIGKILL leaves no incomplete table at a final name, `--resume`
//! finishes it without redoing completed segments and writes the same bytes as an
//! uninterrupted run, and unwritable outputs fail with an error naming the path.

use crate::bad_input::{TABLES, corpusmill};
use crate::tables::Table;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DOCUMENTS: usize = 1500;
const SEGMENT_DOCS: &str = "60";

/// Many distinct small pages in a few site directories, slow enough to kill mid-way.
fn many_inputs(dir: &Path) {
    let subjects = [
        "The Red Army",
        "A Soviet general",
        "The Volga flotilla",
        "Paulus",
        "Chuikov's men",
    ];
    let verbs = ["held", "crossed", "defended", "shelled", "supplied"];
    let places = [
        "the tractor factory",
        "Mamayev Kurgan",
        "the grain elevator",
        "the river bank",
        "Pavlov's House",
    ];
    for i in 0..DOCUMENTS {
        let site = dir.join(format!("site-{}", i % 7));
        std::fs::create_dir_all(&site).unwrap();
        let mut page = String::new();
        for j in 0..40 {
            let k = i * 41 + j * 7;
            page.push_str(&format!(
                "{} {} {} on day {} of the battle, report {}-{}. ",
                subjects[k % 5],
                verbs[(k / 5) % 5],
                places[(k / 25) % 5],
                j + 1,
                i,
                j
            ));
            if j % 8 == 7 {
                page.push('\n');
            }
        }
        std::fs::write(site.join(format!("page-{i:05}.txt")), page).unwrap();
    }
}

fn args<'a>(corpus: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "run",
        corpus,
        "--out",
        out,
        "--segment-docs",
        SEGMENT_DOCS,
        "--threads",
        "2",
    ];
    args.extend_from_slice(extra);
    args
}

/// Every table at its final name reads back completely.
fn assert_final_tables_complete(out: &Path) {
    for name in TABLES {
        let path = out.join(format!("{name}.parquet"));
        if path.exists() {
            let _ = Table::read(&path); // panics on a truncated file
        }
    }
}

/// Starts a run, waits until `ready` holds (or `limit` passes), then kills it with SIGKILL.
/// Returns false when the run finished before it could be killed.
fn kill_when(args: &[&str], ready: impl Fn() -> bool, limit: Duration) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_corpusmill"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if ready() || started.elapsed() > limit {
            child.kill().unwrap(); // SIGKILL on Unix
            child.wait().unwrap();
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn done_markers(out: &Path) -> usize {
    std::fs::read_dir(out.join(".corpusmill-work"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().ends_with(".done.json"))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn a_killed_run_resumes_to_the_same_bytes_without_redoing_work() {
    let corpus = tempfile::tempdir().unwrap();
    many_inputs(corpus.path());
    let corpus_arg = corpus.path().to_str().unwrap();

    let reference = tempfile::tempdir().unwrap();
    let reference_arg = reference.path().to_str().unwrap();
    let output = corpusmill(&args(corpus_arg, reference_arg, &["--quiet", "--force"]));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let out = tempfile::tempdir().unwrap();
    let out_arg = out.path().to_str().unwrap();
    // Killed once three segments are complete: a real mid-run interruption.
    let killed = kill_when(
        &args(corpus_arg, out_arg, &["--quiet", "--force"]),
        || done_markers(out.path()) >= 3,
        Duration::from_secs(60),
    );
    assert!(killed, "the run finished before it could be killed");
    assert_final_tables_complete(out.path());
    let done_before = done_markers(out.path());
    assert!(done_before >= 3);

    // A resumed run processes only the segments not done.
    let output = corpusmill(&args(
        corpus_arg,
        out_arg,
        &["--resume", "--log-format", "json"],
    ));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let processed: Vec<u64> = stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|event| {
            event["event"] == "started"
                && event["pass"] != "count_lines"
                && event["pass"] != "counting lines"
        })
        .filter_map(|event| event["documents_total"].as_u64())
        .collect();
    let redone = *processed.last().expect("a process pass started");
    let segment_docs: u64 = SEGMENT_DOCS.parse().unwrap();
    assert!(
        redone <= DOCUMENTS as u64 - done_before as u64 * segment_docs,
        "resume reprocessed {redone} inputs though {done_before} segments were done"
    );

    for name in TABLES {
        let file = format!("{name}.parquet");
        let a = std::fs::read(reference.path().join(&file)).unwrap();
        let b = std::fs::read(out.path().join(&file)).unwrap();
        assert!(
            a == b,
            "{file} of the resumed run differs from the uninterrupted run's"
        );
    }
    assert!(
        !out.path().join(".corpusmill-work").exists(),
        "work directory left behind"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["inputs"].as_array().unwrap().len(), DOCUMENTS);
}

#[test]
fn kills_at_any_moment_leave_previous_complete_output_or_none() {
    let corpus = tempfile::tempdir().unwrap();
    many_inputs(corpus.path());
    let corpus_arg = corpus.path().to_str().unwrap();
    let out = tempfile::tempdir().unwrap();
    let out_arg = out.path().to_str().unwrap();
    // A complete previous output, then forced reruns killed at growing delays: whatever
    // is at a final name must read back fully.
    let output = corpusmill(&args(corpus_arg, out_arg, &["--quiet", "--force"]));
    assert!(output.status.success());
    let mut delay = Duration::from_millis(20);
    let mut kills = 0;
    while kills < 8 {
        let started = Instant::now();
        let killed = kill_when(
            &args(corpus_arg, out_arg, &["--quiet", "--force"]),
            || started.elapsed() >= delay,
            Duration::from_secs(60),
        );
        assert_final_tables_complete(out.path());
        if !killed {
            break;
        }
        kills += 1;
        delay *= 2;
    }
    assert!(kills >= 3, "only {kills} runs could be killed");
}

#[test]
fn an_output_path_under_a_regular_file_fails_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("file"), "not a directory").unwrap();
    let out = dir.path().join("file/out");
    let raw = Path::new(env!("CARGO_MANIFEST_DIR")).join("raw");
    let output = corpusmill(&[
        "run",
        raw.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(out.to_str().unwrap()), "{stderr}");
}

/// A full disk, without root mounts: the temporary file of a table is a symlink to
/// /dev/full, where every write fails with ENOSPC.
#[test]
fn a_full_disk_fails_naming_the_file_and_leaves_no_table() {
    if !Path::new("/dev/full").exists() {
        eprintln!("skipped: no /dev/full");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/dev/full", out.path().join(".tokens.parquet.partial")).unwrap();
    let raw = Path::new(env!("CARGO_MANIFEST_DIR")).join("raw");
    let output = corpusmill(&[
        "run",
        raw.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--quiet",
        "--force",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("tokens.parquet"), "{stderr}");
    assert!(stderr.to_lowercase().contains("no space"), "{stderr}");
    for name in TABLES {
        assert!(
            !out.path().join(format!("{name}.parquet")).exists(),
            "{name} published after a failed write"
        );
    }
}

#[test]
fn resume_refuses_work_from_other_inputs() {
    let corpus = tempfile::tempdir().unwrap();
    many_inputs(corpus.path());
    let corpus_arg = corpus.path().to_str().unwrap();
    let out = tempfile::tempdir().unwrap();
    let out_arg = out.path().to_str().unwrap();
    let killed = kill_when(
        &args(corpus_arg, out_arg, &["--quiet", "--force"]),
        || done_markers(out.path()) >= 1,
        Duration::from_secs(60),
    );
    assert!(killed);
    std::fs::write(
        corpus.path().join("site-0/new.txt"),
        "A page added after the kill.",
    )
    .unwrap();
    let output = corpusmill(&args(corpus_arg, out_arg, &["--quiet", "--resume"]));
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot resume"));
}
