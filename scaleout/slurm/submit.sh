#!/usr/bin/env bash
# Submits the three corpusmill stages as Slurm job arrays chained by --dependency=afterok:
# linestats (one task per shard) -> linestats-merge (one per bucket) -> run (one per shard).
# Paths must be on a file system every node sees. Prints the three job ids; the last one's
# completion means the output is complete (check it with `corpusmill verify OUT`).
#
#   scaleout/slurm/submit.sh --binary /shared/corpusmill --work /shared/work --out /shared/out \
#       --shards 64 --buckets 16 [--threads 4] [--partition P] /shared/raw [-- --partition-by lang]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
binary=corpusmill threads=1 shards= buckets=1 work= out= inputs=() sbatch_args=() run_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --shards) shards=$2; shift 2 ;;
    --buckets) buckets=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --partition) sbatch_args+=(--partition "$2"); shift 2 ;;
    --) shift; run_args=("$@"); break ;;
    *) inputs+=("$1"); shift ;;
  esac
done
[ -n "$shards" ] && [ -n "$work" ] && [ -n "$out" ] && [ ${#inputs[@]} -gt 0 ] || {
  echo "usage: $0 --binary B --work DIR --out DIR --shards N [--buckets M] INPUT..." >&2; exit 2; }
mkdir -p "$work/logs"
export CORPUSMILL=$binary INPUTS="${inputs[*]}" WORK=$work OUT=$out SHARDS=$shards BUCKETS=$buckets \
  THREADS=$threads RUN_ARGS="${run_args[*]:-}" SCALEOUT_DIR=$here
common=(--parsable --export=ALL --cpus-per-task="$threads" --chdir="$work/logs" "${sbatch_args[@]}")
linestats=$(sbatch "${common[@]}" --array="0-$((shards - 1))" "$here/linestats.sbatch")
merge=$(sbatch "${common[@]}" --cpus-per-task=1 --array="0-$((buckets - 1))" --dependency="afterok:$linestats" "$here/merge.sbatch")
run=$(sbatch "${common[@]}" --array="0-$((shards - 1))" --dependency="afterok:$merge" "$here/run.sbatch")
echo "$linestats $merge $run"
