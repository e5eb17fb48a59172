# bench/lib.sh — what bench/backup.sh and bench/restore.sh share: their knobs, the sandbox
# workspace they measure, alternating timed rounds and the median ratio. Sourced, never run.

# bench_setup DEFAULT_DIR DEFAULT_SUFFIX: reads the knobs (BENCH_DIR, BENCH_CASES, BENCH_DOC_BYTES,
# BENCH_RUNS, BENCH_SUFFIX), needs GNU time, builds if needed and brings up the sandbox workspace
# $WS. Sets DIR CASES DOC_BYTES RUNS SUFFIX WS ROOT; exports PM_INSTALL_DIR.
bench_setup() {
  DIR="${BENCH_DIR:-$1}"
  CASES="${BENCH_CASES:-20000}"
  DOC_BYTES="${BENCH_DOC_BYTES:-24576}"
  RUNS="${BENCH_RUNS:-3}"
  SUFFIX="${BENCH_SUFFIX:-$2}"
  WS=bench
  [ -x /usr/bin/time ] || { echo "bench: GNU time is needed at /usr/bin/time (apt-get install time)" >&2; exit 1; }
  [ -f dist/main.js ] || npm run build >/dev/null
  node bin/pmadmin.js sandbox up "$DIR" --workspace "$WS" --cases "$CASES" --doc-bytes "$DOC_BYTES" >/dev/null
  ROOT="$(cd "$DIR" && pwd)"
  export PM_INSTALL_DIR="$ROOT"
}

# bench_rounds REPORT: RUNS rounds of run_pmadmin and run_baseline (the caller's functions, each
# printing "<seconds> <peak RSS in KB>"), pmadmin first on odd rounds and the baseline first on
# even ones, so drift in machine load hits both sides. After each round it calls
# `REPORT round pmadmin-seconds pmadmin-rss baseline-seconds baseline-rss ratio`; at the end it
# prints the median wall-time ratio pmadmin/baseline and pmadmin's peak RSS (BENCH_LABEL and
# BENCH_TARGET rename the ratio and its target for scripts comparing two pmadmin runs).
bench_rounds() {
  local report="$1" i p b pt pr bt br ratio median peak
  local ratios=() rss=()
  for i in $(seq 1 "$RUNS"); do
    if [ $((i % 2)) -eq 1 ]; then p=$(run_pmadmin); b=$(run_baseline); else b=$(run_baseline); p=$(run_pmadmin); fi
    pt=${p% *}; pr=${p#* }; bt=${b% *}; br=${b#* }
    ratio=$(awk -v a="$pt" -v b="$bt" 'BEGIN { printf "%.3f", a / b }')
    ratios+=("$ratio"); rss+=("$pr")
    "$report" "$i" "$pt" "$pr" "$bt" "$br" "$ratio"
  done
  median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
  peak=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
  printf 'median ratio %s: %s (target <= %s)   pmadmin peak RSS: %d MB (target <= 256)\n' \
    "${BENCH_LABEL:-pmadmin/baseline}" "$median" "${BENCH_TARGET:-${BENCH_TARGET_RATIO:-1.2}}" $((peak / 1024))
}
