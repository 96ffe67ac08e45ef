#!/usr/bin/env bash
# CI test: a single-node Slurm cluster on this machine (as root, no systemd), the three stages
# submitted by submit.sh over 40 benchmark pages, and the union checked with `corpusmill
# verify` and against a single-machine run. Where the cluster cannot be had (not root, no
# apt, daemons that will not start, ../shared absent) it says why and exits 0: skipped.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
binary=$repo/target/release/corpusmill
bench=$repo/../shared/bench/webtext/trafilatura-eval
skip() { echo "slurm test SKIPPED: $*"; exit 0; }
fail() { echo "slurm test FAILED: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "needs root to install and start slurmctld, slurmd and munged"
[ -x "$binary" ] || skip "$binary not built"
[ -d "$bench" ] || skip "$bench absent (../shared)"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || skip "no apt-get to install Slurm"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge) \
    >/tmp/corpusmill-slurm-apt.log 2>&1 || skip "apt-get install failed (see /tmp/corpusmill-slurm-apt.log)"
fi

tmp=$(mktemp -d /tmp/corpusmill-slurm.XXXXXX)
pids=()
cleanup() {
  scancel --user=root >/dev/null 2>&1 || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# munge: a key of our own, a socket of our own, so nothing system-wide is touched.
mkdir -p "$tmp/munge" "$tmp/spool/ctld" "$tmp/spool/d" && chmod 700 "$tmp/munge"
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 2>/dev/null && chmod 400 "$tmp/munge/munge.key"
socket=$tmp/munge/munge.socket
munged --force --key-file="$tmp/munge/munge.key" --socket="$socket" --pid-file="$tmp/munge/munged.pid" \
  --log-file="$tmp/munge/munged.log" --seed-file="$tmp/munge/seed" >/dev/null 2>&1 || skip "munged would not start"
pids+=("$(cat "$tmp/munge/munged.pid")")

host=$(hostname -s)
export SLURM_CONF=$tmp/slurm.conf
cat > "$SLURM_CONF" <<CONF
ClusterName=corpusmill-ci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmctldPort=16817
SlurmdPort=16818
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
StateSaveLocation=$tmp/spool/ctld
SlurmdSpoolDir=$tmp/spool/d
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -i || skip "slurmctld would not start: $(tail -3 "$tmp/slurmctld.log" 2>/dev/null)"
slurmd || skip "slurmd would not start: $(tail -3 "$tmp/slurmd.log" 2>/dev/null)"
sleep 1
pids+=("$(cat "$tmp/slurmctld.pid" 2>/dev/null)" "$(cat "$tmp/slurmd.pid" 2>/dev/null)")
for _ in $(seq 30); do
  sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)' && break
  sleep 1
done
sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)' || skip "the node did not come up: $(sinfo 2>&1 | tail -2); $(tail -3 "$tmp/slurmd.log")"

inputs=$tmp/in
i=0
for page in $(ls "$bench" | sort | head -40); do
  site=$([ $((i % 2)) -eq 0 ] && echo a || echo b)
  mkdir -p "$inputs/$site" && cp "$bench/$page" "$inputs/$site/$(printf %03d $i).txt"
  i=$((i + 1))
done
started=$(date +%s)
jobs=$("$repo/scaleout/slurm/submit.sh" --binary "$binary" --work "$tmp/work" --out "$tmp/out" \
  --shards 3 --buckets 2 "$inputs") || fail "submit.sh failed"
last=${jobs##* }
echo "submitted job arrays $jobs"
for _ in $(seq 300); do
  [ -z "$(squeue -h 2>/dev/null)" ] && break
  sleep 1
done
[ -z "$(squeue -h)" ] || fail "jobs still queued after 300 s: $(squeue)"
sacct_state=$(scontrol show job "$last" 2>/dev/null | grep -o 'JobState=[A-Z]*' | sort -u | tr '\n' ' ')
echo "stages done in $(( $(date +%s) - started )) s ($sacct_state)"
"$binary" verify "$tmp/out" || { cat "$tmp/work/logs/"*.log >&2; fail "corpusmill verify"; }
"$binary" run "$inputs" --out "$tmp/single" --quiet --no-config --threads 2
for table in documents sentences tokens entities removed_lines; do
  a=$("$binary" stats "$tmp/out" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['rows']['$table'])" 2>/dev/null)
  b=$("$binary" stats "$tmp/single" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['rows']['$table'])" 2>/dev/null)
  [ "$a" = "$b" ] || fail "$table: $a rows over Slurm, $b in one run"
done
echo "slurm test passed"
