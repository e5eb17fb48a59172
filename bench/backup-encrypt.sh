#!/usr/bin/env bash
# bench/backup-encrypt.sh — what age encryption costs: pmadmin workspace-backup to a recipient
# (--encrypt-to, .tar.gz.age) against the same backup unencrypted (.tar.gz), on the sandbox
# workspace bench/backup.sh uses. Rounds alternate as in bench/lib.sh; it prints each run and the
# median wall-time ratio encrypted/plain (the target: at most 1.10, issue 15).
#
# Not a test: it never fails on absolute times. Knobs as bench/lib.sh (BENCH_WORKLOAD, BENCH_DIR,
# BENCH_CASES, BENCH_DOC_BYTES, BENCH_RUNS). Needs age-keygen (apt-get install age) and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh
bench_setup encrypt
OUT="$ROOT/bench-out"
rm -rf "$OUT" && mkdir -m 0700 "$OUT"
command -v age-keygen >/dev/null || { echo "bench: age-keygen is needed (apt-get install age)" >&2; exit 1; }
age-keygen -o "$OUT/key.txt" 2>/dev/null
RECIPIENT="$(age-keygen -y "$OUT/key.txt")"
printf 'workspace %s (cases %s, doc bytes %s); %s runs, %s cores: encrypted (age, X25519) vs plain .tar.gz\n' \
  "$WS" "$CASES" "$DOC_BYTES" "$RUNS" "$(nproc)"

# bench_rounds calls them "pmadmin" (here: encrypted) and "baseline" (here: plain).
run_pmadmin() {
  rm -f "$OUT/enc.tar.gz.age"
  /usr/bin/time -f '%e %M' -o "$OUT/time" node bin/pmadmin.js --quiet workspace-backup --encrypt-to "$RECIPIENT" "$WS" "$OUT/enc.tar.gz" >/dev/null
  cat "$OUT/time"
}
run_baseline() {
  rm -f "$OUT/plain.tar.gz"
  /usr/bin/time -f '%e %M' -o "$OUT/time" node bin/pmadmin.js --quiet workspace-backup "$WS" "$OUT/plain.tar.gz" >/dev/null
  cat "$OUT/time"
}

report() {
  printf 'run %d: encrypted %6.2f s (peak RSS %d MB, %d MB)  plain %6.2f s (peak RSS %d MB, %d MB)  ratio %s\n' \
    "$1" "$2" $(($3 / 1024)) $(($(stat -c %s "$OUT/enc.tar.gz.age") / 1000000)) "$4" $(($5 / 1024)) $(($(stat -c %s "$OUT/plain.tar.gz") / 1000000)) "$6"
}
# The ratio printed as "pmadmin/baseline" is encrypted/plain here.
bench_rounds "encrypted/plain .tar.gz" 1.10 report
bench_summary "bench/backup-encrypt.sh: pmadmin workspace-backup --encrypt-to / the same backup unencrypted"
rm -f "$OUT"/enc* "$OUT"/plain* "$OUT/key.txt"
