#!/usr/bin/env bash
# One task of a corpusmill stage, shared by the three sbatch scripts: runs the binary for this
# array index, retrying a failed attempt (the binary skips a shard whose marker exists, so a
# retry or a resubmission only redoes what is missing).
# Environment (exported by submit.sh): CORPUSMILL, INPUTS (space-separated), WORK, OUT, SHARDS,
# BUCKETS, THREADS, RUN_ARGS, ATTEMPTS.
set -uo pipefail
stage=$1
i=${SLURM_ARRAY_TASK_ID:?not an array job}
read -r -a inputs <<< "$INPUTS"
read -r -a run_args <<< "${RUN_ARGS:-}"
case "$stage" in
  linestats) cmd=("$CORPUSMILL" linestats "${inputs[@]}" --shard "$i/$SHARDS" --buckets "$BUCKETS" --work "$WORK" --threads "$THREADS") ;;
  merge) cmd=("$CORPUSMILL" linestats-merge --bucket "$i/$BUCKETS" --work "$WORK") ;;
  run) cmd=("$CORPUSMILL" run "${inputs[@]}" --shard "$i/$SHARDS" --repeated "$WORK/repeated" --out "$OUT" --quiet --no-config --threads "$THREADS" "${run_args[@]}") ;;
  *) echo "unknown stage $stage" >&2; exit 2 ;;
esac
for attempt in $(seq 1 "${ATTEMPTS:-3}"); do
  "${cmd[@]}"
  status=$?
  # 3: the run completed but some inputs failed (recorded in the tables).
  if [ "$status" -eq 0 ] || [ "$status" -eq 3 ]; then exit 0; fi
  echo "corpusmill $stage $i: attempt $attempt exited $status" >&2
done
exit 1
