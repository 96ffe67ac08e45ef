#!/usr/bin/env python3
"""Run corpusmill over a Ray cluster: linestats per shard -> merge per bucket -> run per shard.

Each stage is a set of Ray tasks calling the corpusmill binary (which must be at the same path
on every node, as must the inputs, --work and --out: a shared file system). A stage starts when
the previous one has finished (a barrier). Failed tasks are retried (--max-retries); shards and
buckets whose markers exist are not resubmitted, so rerunning the script resumes. Only
dependency: `pip install ray`. See docs/scale-out.md.

    python scaleout/ray/run.py --binary target/release/corpusmill --shards 8 --buckets 4 \\
        --work /shared/work --out /shared/out /shared/raw [-- --partition-by lang]
"""

import argparse
import os
import subprocess
import sys
import time

import ray


def call(binary, args, env_extra):
    """Runs the binary; a non-zero exit raises, which Ray retries."""
    env = dict(os.environ, **env_extra)
    done = subprocess.run([binary, *args], env=env, capture_output=True, text=True)
    if done.returncode not in (0, 3):  # 3: the run completed but some inputs failed
        raise RuntimeError(f"corpusmill {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout.strip()


def stage(name, task, jobs):
    """Submits the jobs not yet done and waits for all of them (the barrier)."""
    todo = [(label, args) for label, args, marker in jobs if not os.path.exists(marker)]
    print(f"{name}: {len(jobs) - len(todo)} of {len(jobs)} already done, {len(todo)} to run", flush=True)
    started = time.time()
    for line in ray.get([task.remote(args) for _, args in todo]):
        print(f"  {line.splitlines()[-1] if line else ''}", flush=True)
    print(f"{name}: {time.time() - started:.1f} s", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("inputs", nargs="+", help="input files or directories (as for corpusmill run)")
    parser.add_argument("--binary", default="corpusmill", help="path of the corpusmill binary on every node")
    parser.add_argument("--out", required=True)
    parser.add_argument("--work", required=True, help="work directory for the line statistics")
    parser.add_argument("--shards", type=int, required=True)
    parser.add_argument("--buckets", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="threads (and Ray CPUs) per task")
    parser.add_argument("--max-retries", type=int, default=3)
    parser.add_argument("--address", help="join an existing cluster (e.g. auto or ray://host:10001)")
    parser.add_argument("--num-cpus", type=int, help="CPUs of a local cluster started here")
    parser.add_argument("extra", nargs=argparse.REMAINDER, help="-- then more `run` options")
    args = parser.parse_args()
    extra = [a for a in args.extra if a != "--"]
    if args.address:
        ray.init(address=args.address)
    else:
        ray.init(num_cpus=args.num_cpus)

    # Environment the binary honours (CORPUSMILL_FAIL_SHARD is for tests only) goes with the task.
    env = {k: v for k, v in os.environ.items() if k.startswith("CORPUSMILL_")}
    task = ray.remote(num_cpus=args.threads, max_retries=args.max_retries, retry_exceptions=True)(
        lambda argv: call(args.binary, argv, env)
    )
    threads = ["--threads", str(args.threads)]
    n, m, work, out = args.shards, args.buckets, args.work, args.out
    stage("linestats", task, [
        (k, ["linestats", *args.inputs, "--shard", f"{k}/{n}", "--buckets", str(m), "--work", work, *threads],
         os.path.join(work, "linestats", "_done", f"part-{k}-of-{n}.json"))
        for k in range(n)
    ])
    stage("linestats-merge", task, [
        (b, ["linestats-merge", "--bucket", f"{b}/{m}", "--work", work],
         os.path.join(work, "repeated", f"bucket-{b}-of-{m}.bin"))
        for b in range(m)
    ])
    repeated = os.path.join(work, "repeated")
    stage("run", task, [
        (k, ["run", *args.inputs, "--shard", f"{k}/{n}", "--repeated", repeated, "--out", out, "--quiet",
             "--no-config", *threads, *extra],
         os.path.join(out, "_done", f"part-{k}-of-{n}.json"))
        for k in range(n)
    ])
    verified = subprocess.run([args.binary, "verify", out])
    sys.exit(verified.returncode)


if __name__ == "__main__":
    main()
