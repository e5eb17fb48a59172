#!/usr/bin/env bash
# bench/backup.sh — pmadmin workspace-backup against the pipeline an admin would write by hand:
#   mariadb-dump --single-transaction > dump.sql && tar cf backup.tar dump.sql sites/<ws>
# (tar czf for .tar.gz), for each archive kind in BENCH_SUFFIXES on one sandbox workspace. Runs
# alternate (pmadmin first on odd rounds, the baseline first on even ones) so drift in machine
# load hits both sides; it prints each run, then per case the median wall-time ratio
# pmadmin/baseline and pmadmin's peak RSS (GNU time's "maximum resident set size", which covers
# pmadmin and its mariadb-dump child), and a summary of every case at the end.
#
# Not a test: it never fails on absolute times. Knobs: see bench/lib.sh (BENCH_WORKLOAD=issue13
# for issue 13's 190 MB dump, BENCH_WORKLOAD=small for a quick run, BENCH_RUNS, BENCH_SUFFIXES).
# Needs GNU time at /usr/bin/time (apt-get install time). Clean up with:
#   node bin/pmadmin.js sandbox down <the sandbox directory printed first> --purge
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh
bench_setup backup
SHARED="$ROOT/shared"
SITE="$SHARED/sites/$WS"
OUT="$ROOT/bench-out"
rm -rf "$OUT" && mkdir -m 0700 "$OUT"

# The baseline connects as the workspace user too, with the password in an option file.
HOSTPORT="$(bench_define DB_HOST)"
CNF="$OUT/client.cnf"
( umask 077; printf '[client]\nuser="%s"\npassword="%s"\nhost="%s"\nport=%s\nprotocol=TCP\n' \
    "$(bench_define DB_USER)" "$(bench_define DB_PASS)" "${HOSTPORT%:*}" "${HOSTPORT##*:}" >"$CNF" )
DUMP=(mariadb-dump --defaults-extra-file="$CNF" --single-transaction --triggers --routines --events --no-tablespaces)

FILES_BYTES=$(du -sb "$SITE" | cut -f1)
"${DUMP[@]}" "$DBNAME" >"$OUT/size.sql"
DUMP_BYTES=$(stat -c %s "$OUT/size.sql"); rm -f "$OUT/size.sql"
printf 'sandbox %s: workspace %s: files %d MB, dump %d MB, total %d MB (cases %s, doc bytes %s); %s runs, %s cores\n' \
  "$DIR" "$WS" $((FILES_BYTES / 1000000)) $((DUMP_BYTES / 1000000)) $(((FILES_BYTES + DUMP_BYTES) / 1000000)) "$CASES" "$DOC_BYTES" "$RUNS" "$(nproc)"

run_pmadmin() {
  rm -f "$OUT/pm$SUFFIX"
  /usr/bin/time -f '%e %M' -o "$OUT/time" node bin/pmadmin.js --quiet workspace-backup "$WS" "$OUT/pm$SUFFIX" >/dev/null
  cat "$OUT/time"
}
run_baseline() {
  rm -f "$OUT/base$SUFFIX" "$OUT/$DBNAME.sql"
  /usr/bin/time -f '%e %M' -o "$OUT/time" bash -c '
    set -euo pipefail
    "${@:6}" "$2" >"$3/$2.sql"
    tar c'"$TAR_Z"'f "$3/base'"$SUFFIX"'" -C "$3" "$2.sql" -C "$4" "$5"
    rm -f "$3/$2.sql"' _ "$CNF" "$DBNAME" "$OUT" "$SHARED/sites" "$WS" "${DUMP[@]}"
  cat "$OUT/time"
}

report() {
  printf '  run %d: pmadmin %6.2f s (peak RSS %d MB, archive %d MB)  baseline %6.2f s (peak RSS %d MB, archive %d MB)  ratio %s\n' \
    "$1" "$2" $(($3 / 1024)) $(($(stat -c %s "$OUT/pm$SUFFIX") / 1000000)) "$4" $(($5 / 1024)) $(($(stat -c %s "$OUT/base$SUFFIX") / 1000000)) "$6"
}

for SUFFIX in "${SUFFIXES[@]}"; do
  case "$SUFFIX" in
    .tar) TAR_Z= TARGET=1.0 ;;
    .tar.gz | .tgz) TAR_Z=z TARGET=0.9 ;;
    *) echo "bench: BENCH_SUFFIXES holds .tar, .tar.gz or .tgz, not '$SUFFIX'" >&2; exit 2 ;;
  esac
  echo "backup to $SUFFIX:"
  bench_rounds "backup $SUFFIX" "$TARGET" report
  rm -f "$OUT"/pm* "$OUT"/base*
done
rm -f "$CNF"
bench_summary "bench/backup.sh: pmadmin workspace-backup / (mariadb-dump + tar), files $((FILES_BYTES / 1000000)) MB, dump $((DUMP_BYTES / 1000000)) MB"
