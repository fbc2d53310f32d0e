#!/usr/bin/env bash
# A bounded fuzz run: builds the libFuzzer targets of tests/fuzz/ with clang-14 (ASan + UBSan) into
# a build directory of their own, runs each for FUZZ_SECONDS, two at a time, on a scratch copy of
# its seed corpus, and prints (and saves) a summary. Exits non-zero if any target crashed, broke an
# invariant, leaked, timed out or ran out of memory; reproducers go to the run directory.
#
#   scripts/fuzz.sh                                   # every target, 60 s each
#   FUZZ_SECONDS=3600 FUZZ_TARGETS="sql_classifier command" scripts/fuzz.sh
#
# Environment: BUILD_DIR (the normal build; this one goes to $BUILD_DIR-fuzz unless FUZZ_BUILD_DIR
# says otherwise), FUZZ_SECONDS (60), FUZZ_PARALLEL (2), FUZZ_TARGETS (all), FUZZ_ARGS (more
# libFuzzer flags), JOBS (build parallelism, 2).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
FUZZ_BUILD_DIR=${FUZZ_BUILD_DIR:-$BUILD_DIR-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_PARALLEL=${FUZZ_PARALLEL:-2}
JOBS=${JOBS:-2}
read -r -a EXTRA_ARGS <<<"${FUZZ_ARGS:-}"

"$ROOT/scripts/setup.sh"

if [[ -n ${FUZZ_TARGETS:-} ]]; then
  read -r -a TARGETS <<<"$FUZZ_TARGETS"
else
  TARGETS=()
  for src in "$ROOT"/tests/fuzz/*_fuzz.cpp; do
    name=$(basename "$src")
    TARGETS+=("${name%_fuzz.cpp}")
  done
fi

mkdir -p "$FUZZ_BUILD_DIR"
echo "fuzz: building ${#TARGETS[@]} targets in $FUZZ_BUILD_DIR"
CC=clang-14 CXX=clang++-14 cmake -S "$ROOT" -B "$FUZZ_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMYSQLPROXY_FUZZ=ON -DMYSQLPROXY_BUILD_BENCH=OFF >"$FUZZ_BUILD_DIR/configure.log" 2>&1 ||
  { cat "$FUZZ_BUILD_DIR/configure.log"; exit 1; }
cmake --build "$FUZZ_BUILD_DIR" -j"$JOBS" --target "${TARGETS[@]/#/fuzz_}"

RUN_DIR=$FUZZ_BUILD_DIR/run
rm -rf "$RUN_DIR"
mkdir -p "$RUN_DIR"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# One target: the seeds copied to a scratch corpus that libFuzzer may grow, artifacts and log
# beside it. The exit status is libFuzzer's.
run_target() {
  local t=$1 dir=$RUN_DIR/$1
  mkdir -p "$dir/artifacts"
  cp -r "$ROOT/tests/fuzz/corpus/$t" "$dir/corpus"
  # -timeout: one input running 10 s is a hang; the outer timeout only guards against a stuck run.
  timeout --signal=KILL $((FUZZ_SECONDS + 300)) \
    "$FUZZ_BUILD_DIR/tests/fuzz/fuzz_$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "${EXTRA_ARGS[@]}" "$dir/corpus" \
    >"$dir/fuzz.log" 2>&1
}

echo "fuzz: ${FUZZ_SECONDS}s per target, $FUZZ_PARALLEL at a time; logs in $RUN_DIR/<target>/fuzz.log"
declare -A STATUS=()
declare -A PIDS=()
reap() {  # waits for one run to finish and records its status
  local pid rc=0 t
  wait -n -p pid || rc=$?
  t=${PIDS[$pid]}
  STATUS[$t]=$rc
  unset "PIDS[$pid]"
  echo "fuzz: $t finished (exit $rc)"
}
for t in "${TARGETS[@]}"; do
  while ((${#PIDS[@]} >= FUZZ_PARALLEL)); do reap; done
  run_target "$t" &
  PIDS[$!]=$t
done
while ((${#PIDS[@]} > 0)); do reap; done

# The summary, from libFuzzer's final stats and its last status line.
SUMMARY=$FUZZ_BUILD_DIR/fuzz-summary.txt
failed=0
failed_target() { [[ ${STATUS[$1]} != 0 ]] || [[ -n $(ls -A "$RUN_DIR/$1/artifacts") ]]; }
{
  printf '%-18s %12s %9s %16s  %s\n' target executions exec/s corpus result
  for t in "${TARGETS[@]}"; do
    log=$RUN_DIR/$t/fuzz.log
    execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *\([0-9]*\).*/\1/p' "$log" | tail -1)
    corpus=$(sed -n 's/^#[0-9]*[[:space:]]*DONE .* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p' "$log" | tail -1)
    [[ -n $corpus ]] || corpus="$(find "$RUN_DIR/$t/corpus" -type f | wc -l) files"
    result=ok
    if failed_target "$t"; then
      if grep -q 'ERROR: LeakSanitizer' "$log"; then result=leak
      elif grep -q 'ERROR: libFuzzer: timeout' "$log"; then result=timeout
      elif grep -q 'out-of-memory' "$log"; then result=out-of-memory
      elif grep -q 'invariant violated' "$log"; then result=invariant
      else result="crash (exit ${STATUS[$t]})"
      fi
    fi
    printf '%-18s %12s %9s %16s  %s\n' "$t" "${execs:--}" "${rate:--}" "$corpus" "$result"
  done
} >"$SUMMARY"
cat "$SUMMARY"
echo "fuzz: summary saved to $SUMMARY"

for t in "${TARGETS[@]}"; do
  if failed_target "$t"; then failed=1; fi
done
if ((failed)); then
  for t in "${TARGETS[@]}"; do
    failed_target "$t" || continue
    echo "---- $t: $RUN_DIR/$t/fuzz.log (last lines)"
    tail -n 40 "$RUN_DIR/$t/fuzz.log"
    for a in "$RUN_DIR/$t/artifacts"/*; do
      [[ -e $a ]] && echo "reproduce: $FUZZ_BUILD_DIR/tests/fuzz/fuzz_$t $a"
    done
  done
  echo "fuzz: FAILED" >&2
  exit 1
fi
echo "fuzz: all ${#TARGETS[@]} targets ran ${FUZZ_SECONDS}s without a finding"
