"""scaleout/ray/run.py on a local 2-CPU Ray cluster, with one shard failing once: the retried
run must give the rows of a single-machine run, and `corpusmill verify` must pass."""

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
BINARY = REPO / "target" / "release" / "corpusmill"
BENCH = REPO.parent / "shared" / "bench" / "webtext" / "trafilatura-eval"
TABLES = ["documents", "sentences", "tokens", "entities", "removed_lines"]


def rows(paths):
    import pyarrow.parquet as pq

    out = []
    for path in paths:
        out.extend(repr(sorted(row.items())) for row in pq.read_table(path).to_pylist())
    return sorted(out)


def test_ray_stages_with_a_retried_failure_match_one_machine(tmp_path):
    pytest.importorskip("ray")
    if not BINARY.exists():
        pytest.skip(f"{BINARY} not built (cargo build --release)")
    if not BENCH.is_dir():
        pytest.skip(f"{BENCH} absent: ../shared is needed for the Ray test")
    inputs = tmp_path / "in"
    for i, page in enumerate(sorted(BENCH.iterdir())[:40]):
        site = inputs / ("a" if i % 2 == 0 else "b")
        site.mkdir(parents=True, exist_ok=True)
        shutil.copy(page, site / f"{i:03}.txt")

    single = tmp_path / "single"
    subprocess.run([BINARY, "run", inputs, "--out", single, "--quiet", "--no-config", "--threads", "2"], check=True)

    out, once = tmp_path / "out", tmp_path / "failed-once"
    env = dict(os.environ, CORPUSMILL_FAIL_SHARD=f"run:1:{once}")
    done = subprocess.run(
        [sys.executable, REPO / "scaleout" / "ray" / "run.py", "--binary", BINARY, "--out", out,
         "--work", tmp_path / "work", "--shards", "3", "--buckets", "2", "--num-cpus", "2",
         "--max-retries", "2", inputs],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert once.exists(), "the failure was injected"
    assert "run: 0 of 3 already done, 3 to run" in done.stdout
    for table in TABLES:
        parts = sorted((out / table).glob("part-*.parquet"))
        assert len(parts) == 3, table
        assert rows(parts) == rows([single / f"{table}.parquet"]), table

    # Rerunning resumes: every marker exists, nothing is resubmitted.
    again = subprocess.run(
        [sys.executable, REPO / "scaleout" / "ray" / "run.py", "--binary", BINARY, "--out", out,
         "--work", tmp_path / "work", "--shards", "3", "--buckets", "2", "--num-cpus", "2", inputs],
        capture_output=True, text=True, timeout=600,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert "run: 3 of 3 already done, 0 to run" in again.stdout
