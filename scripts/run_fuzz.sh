#!/usr/bin/env bash
# Runs libFuzzer targets (build/fuzz/fuzz_*): first every input of the
# target's corpus (tests/fuzz/corpus/<name>/), then SECONDS of fuzzing from
# it, one target after another. New inputs go to a scratch directory; with
# --keep (make fuzz) those that add coverage are merged into the corpus. A crash leaves its input in
# build/fuzz/artifacts/ and fails the target. Prints one figure line per
# target (executions, cov/ft from libFuzzer's last line) and a summary.
#   scripts/run_fuzz.sh [--keep] SECONDS build/fuzz/fuzz_json ...
set -uo pipefail
cd "$(dirname "$0")/.."
keep=0
if [ "${1:-}" = --keep ]; then keep=1; shift; fi
secs=${1:?usage: run_fuzz.sh [--keep] SECONDS TARGET...}; shift
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p build/fuzz/artifacts build/fuzz/logs

passed=0; failed=0
for bin in "$@"; do
  name=$(basename "$bin"); name=${name#fuzz_}
  corpus=tests/fuzz/corpus/$name
  dict=tests/fuzz/$name.dict
  log=build/fuzz/logs/$name.log
  opts=(-timeout=10 -rss_limit_mb=2048 -artifact_prefix=build/fuzz/artifacts/$name- -print_final_stats=1)
  [ -f "$dict" ] && opts+=(-dict="$dict")
  mkdir -p "$corpus"
  ok=1
  if ! "$bin" "${opts[@]}" -runs=0 "$corpus" >"$log" 2>&1; then
    ok=0; echo "FAILED: $name: a corpus input fails (see $log)" >&2
  fi
  if [ $ok -eq 1 ]; then
    scratch=$(mktemp -d /tmp/mercato-fuzz.XXXXXX)
    if ! "$bin" "${opts[@]}" -max_total_time="$secs" "$scratch" "$corpus" >"$log" 2>&1; then
      ok=0; echo "FAILED: $name: $(grep -m1 -E '^SUMMARY|ERROR:' "$log") (see $log)" >&2
    fi
    if [ $keep -eq 1 ]; then
      "$bin" "${opts[@]}" -merge=1 "$corpus" "$scratch" >"$log.merge" 2>&1
    fi
    rm -rf "$scratch"
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  figures=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+')
  echo "fuzz $name: ${execs:-0} executions, ${figures:-no figures}"
  if [ $ok -eq 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
