#!/usr/bin/env bash
# check-integrity scaling: runs it on sandboxes with 10k and 100k cases and prints the time ratio
# (target ≤ 12× for 10× the data, i.e. linear with headroom) and the absolute time for 100k.
# Not a test: absolute times depend on the machine; the ratio is measured within one run.
#
# usage: bench/check-integrity.sh [WORKDIR]     (KEEP=1 keeps the sandboxes for another run;
#        RUNS=N takes the best of N timed runs per size, default 3; SIZES="10000 100000")
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/main.js ] || npm run build >/dev/null
PM=(node bin/pmadmin.js)
WORK=${1:-$(mktemp -d "${TMPDIR:-/tmp}/pmadmin-bench-XXXXXX")}
RUNS=${RUNS:-3}
read -r -a SIZES <<<"${SIZES:-10000 100000}"

cleanup() {
  if [ "${KEEP:-0}" != 1 ]; then
    for n in "${SIZES[@]}"; do "${PM[@]}" sandbox down --purge "$WORK/cases-$n" >/dev/null 2>&1 || true; done
    rmdir "$WORK" 2>/dev/null || true
  else
    for n in "${SIZES[@]}"; do "${PM[@]}" sandbox down "$WORK/cases-$n" >/dev/null 2>&1 || true; done
    echo "sandboxes kept in $WORK (KEEP=1)"
  fi
}
trap cleanup EXIT

now() { node -e 'process.stdout.write(String(Number(process.hrtime.bigint() / 1000000n)))'; }

declare -A BEST
for n in "${SIZES[@]}"; do
  dir="$WORK/cases-$n"
  echo "== $n cases: provisioning $dir (tiny documents; file count is what matters)" >&2
  "${PM[@]}" sandbox up "$dir" --cases "$n" --doc-bytes 16 >/dev/null
  # One untimed run warms the buffer pool and the page cache, as on a server that is in use.
  "${PM[@]}" --install-dir "$dir" check-integrity --quiet || [ $? -eq 4 ]
  best=""
  for ((i = 1; i <= RUNS; i++)); do
    t0=$(now)
    code=0
    "${PM[@]}" --install-dir "$dir" check-integrity --quiet || code=$?
    t1=$(now)
    [ "$code" -eq 0 ] || [ "$code" -eq 4 ] || { echo "check-integrity exited $code on $n cases" >&2; exit 1; }
    ms=$((t1 - t0))
    echo "   run $i: ${ms} ms (exit $code)" >&2
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  done
  BEST[$n]=$best
done

small=${SIZES[0]}
large=${SIZES[${#SIZES[@]} - 1]}
ratio=$(awk -v a="${BEST[$large]}" -v b="${BEST[$small]}" 'BEGIN { printf "%.2f", a / b }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 12 ? "within" : "OVER") }')
echo "check-integrity: $small cases ${BEST[$small]} ms, $large cases ${BEST[$large]} ms (best of $RUNS)"
echo "ratio ${large}/${small}: ${ratio}x (target <= 12x: $verdict)"
echo "absolute for $large cases: $(awk -v a="${BEST[$large]}" 'BEGIN { printf "%.2f s", a / 1000 }')"
