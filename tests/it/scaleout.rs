//! Runs spread over machines: the staged line statistics (`linestats`, `linestats-merge`,
//! `run --repeated`) give the tables of one run, and `verify` finds missing and doubled shards.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corpusmill(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corpusmill"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn ok(args: &[&str]) -> Output {
    let output = corpusmill(args);
    assert!(
        output.status.success(),
        "corpusmill {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A small corpus with repeated furniture: the repository's samples, or 40 benchmark pages
/// when ../shared is there (two sites' worth of menus and footers).
fn inputs(root: &Path) -> PathBuf {
    let dir = root.join("in");
    let bench =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/webtext/trafilatura-eval");
    let mut pages: Vec<PathBuf> = match std::fs::read_dir(&bench) {
        Ok(entries) => entries.filter_map(Result::ok).map(|e| e.path()).collect(),
        Err(_) => {
            println!("../shared absent: using the repository's raw/ samples");
            walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("raw"))
        }
    };
    pages.sort();
    for (i, page) in pages.iter().take(40).enumerate() {
        // Two "sites" (directories), so per-site counts matter.
        let site = dir.join(if i % 2 == 0 { "a" } else { "b" });
        std::fs::create_dir_all(&site).unwrap();
        std::fs::copy(page, site.join(format!("{i:03}.txt"))).unwrap();
    }
    dir
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if !entry.file_name().to_string_lossy().starts_with('.') {
            files.push(path);
        }
    }
    files
}

/// Each table's rows, as sorted debug strings of every column of every row.
fn rows(files: &[PathBuf]) -> Vec<String> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let mut rows = Vec::new();
    for path in files {
        let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
        for row in reader.get_row_iter(None).unwrap() {
            rows.push(format!("{:?}", row.unwrap()));
        }
    }
    rows.sort();
    rows
}

fn table_rows(out: &Path, table: &str) -> Vec<String> {
    let single = out.join(format!("{table}.parquet"));
    match single.exists() {
        true => rows(&[single]),
        false => rows(
            &walk(&out.join(table))
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
                .collect::<Vec<_>>(),
        ),
    }
}

const TABLES: [&str; 5] = [
    "documents",
    "sentences",
    "tokens",
    "entities",
    "removed_lines",
];

fn stages(input: &Path, work: &Path, shards: u32, buckets: u32) {
    for k in 0..shards {
        let shard = format!("{k}/{shards}");
        ok(&[
            "linestats",
            s(input),
            "--shard",
            &shard,
            "--buckets",
            &buckets.to_string(),
            "--work",
            s(work),
            "--threads",
            "2",
        ]);
    }
    for b in 0..buckets {
        ok(&[
            "linestats-merge",
            "--bucket",
            &format!("{b}/{buckets}"),
            "--work",
            s(work),
        ]);
    }
}

#[test]
fn staged_statistics_give_byte_identical_tables_and_shards_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let input = inputs(dir.path());
    let common = ["--quiet", "--threads", "2"];

    let single = dir.path().join("single");
    ok(&[&["run", s(&input), "--out", s(&single)][..], &common].concat());

    // The statistics counted in 3 shards and merged in 4 buckets, then one unsharded run.
    let work = dir.path().join("work");
    stages(&input, &work, 3, 4);
    assert_eq!(std::fs::read_dir(work.join("repeated")).unwrap().count(), 4);
    let staged = dir.path().join("staged");
    let repeated = work.join("repeated");
    ok(&[
        &[
            "run",
            s(&input),
            "--out",
            s(&staged),
            "--repeated",
            s(&repeated),
        ][..],
        &common,
    ]
    .concat());
    for table in TABLES {
        let name = format!("{table}.parquet");
        assert!(
            std::fs::read(single.join(&name)).unwrap()
                == std::fs::read(staged.join(&name)).unwrap(),
            "{table}: staged statistics changed the file"
        );
    }
    let removed = table_rows(&single, "removed_lines").len();
    assert!(removed > 0, "the corpus has boilerplate to remove");

    // N=4 shards over the staged statistics of one shard (N=1), and verify.
    let work1 = dir.path().join("work1");
    stages(&input, &work1, 1, 2);
    let sharded = dir.path().join("sharded");
    for k in 0..4 {
        let shard = format!("{k}/4");
        let repeated = work1.join("repeated");
        ok(&[
            &[
                "run",
                s(&input),
                "--out",
                s(&sharded),
                "--shard",
                &shard,
                "--repeated",
                s(&repeated),
            ][..],
            &common,
        ]
        .concat());
    }
    for table in TABLES {
        assert_eq!(
            table_rows(&sharded, table),
            table_rows(&single, table),
            "{table}"
        );
    }
    let verified = ok(&["verify", s(&sharded), "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert_eq!(report["shards"].as_array().unwrap().len(), 4);
    assert_eq!(
        report["inputs"].as_u64(),
        Some(40.min(walk(&input).len() as u64))
    );
    let counts: BTreeMap<String, u64> = serde_json::from_value(report["rows"].clone()).unwrap();
    assert_eq!(counts["removed_lines"], removed as u64);

    // A missing shard, then a doubled one, make verify fail naming them.
    let marker = sharded.join("_done/part-2-of-4.json");
    let saved = std::fs::read(&marker).unwrap();
    std::fs::remove_file(&marker).unwrap();
    let missing = corpusmill(&["verify", s(&sharded)]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("missing shards: 2/4"));
    std::fs::write(&marker, saved).unwrap();
    ok(&[
        "run",
        s(&input),
        "--out",
        s(&sharded),
        "--shard",
        "0/2",
        "--quiet",
        "--threads",
        "2",
    ]);
    let doubled = corpusmill(&["verify", s(&sharded)]);
    assert_eq!(doubled.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&doubled.stderr);
    assert!(
        stderr.contains("several shard counts") && stderr.contains("missing shards: 1/2"),
        "{stderr}"
    );
    assert!(stderr.contains("covered 2 times"), "{stderr}");
}

#[test]
fn merge_and_run_name_missing_shards_and_buckets() {
    let dir = tempfile::tempdir().unwrap();
    let input = inputs(dir.path());
    let work = dir.path().join("work");
    ok(&[
        "linestats",
        s(&input),
        "--shard",
        "0/2",
        "--buckets",
        "2",
        "--work",
        s(&work),
    ]);
    let merge = corpusmill(&["linestats-merge", "--bucket", "0/2", "--work", s(&work)]);
    assert_eq!(merge.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&merge.stderr).contains("not finished: 1/2"));
    // A done shard is not counted again.
    let again = ok(&[
        "linestats",
        s(&input),
        "--shard",
        "0/2",
        "--buckets",
        "2",
        "--work",
        s(&work),
    ]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("already done"));
    ok(&[
        "linestats",
        s(&input),
        "--shard",
        "1/2",
        "--buckets",
        "2",
        "--work",
        s(&work),
    ]);
    ok(&["linestats-merge", "--bucket", "1/2", "--work", s(&work)]);
    let out = dir.path().join("out");
    let run = corpusmill(&[
        "run",
        s(&input),
        "--out",
        s(&out),
        "--quiet",
        "--repeated",
        s(&work.join("repeated")),
    ]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("missing"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn an_injected_failure_fails_once() {
    let dir = tempfile::tempdir().unwrap();
    let input = inputs(dir.path());
    let once = dir.path().join("once");
    let out = dir.path().join("out");
    let args = [
        "run",
        s(&input),
        "--out",
        s(&out),
        "--shard",
        "1/2",
        "--quiet",
        "--threads",
        "2",
    ];
    let spec = format!("run:1:{}", once.display());
    let failed = Command::new(env!("CARGO_BIN_EXE_corpusmill"))
        .args(args)
        .env("CORPUSMILL_FAIL_SHARD", &spec)
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        !out.join("_done/part-1-of-2.json").exists(),
        "a failed shard leaves no marker"
    );
    let retried = Command::new(env!("CARGO_BIN_EXE_corpusmill"))
        .args(args)
        .env("CORPUSMILL_FAIL_SHARD", &spec)
        .output()
        .unwrap();
    assert!(
        retried.status.success(),
        "{}",
        String::from_utf8_lossy(&retried.stderr)
    );
    assert!(out.join("_done/part-1-of-2.json").exists());
}
