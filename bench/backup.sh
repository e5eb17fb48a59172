#!/usr/bin/env bash
# bench/backup.sh — pmadmin workspace-backup against the pipeline an admin would write by hand:
#   mariadb-dump --single-transaction > dump.sql && tar czf backup.tar.gz dump.sql sites/<ws>
# on one sandbox workspace of at least ~500 MB (database + files). Runs alternate (pmadmin first on
# odd rounds, the baseline first on even ones) so drift in machine load hits both sides; it prints
# each run, the median wall-time ratio pmadmin/baseline and pmadmin's peak RSS (GNU time's
# "maximum resident set size", which covers pmadmin and its mariadb-dump child).
#
# Not a test: it never fails on absolute times. Environment knobs (defaults in brackets):
#   BENCH_DIR [.sandbox/bench]  BENCH_CASES [20000]  BENCH_DOC_BYTES [24576]  BENCH_RUNS [3]
#   BENCH_SUFFIX [.tar.gz] (.tar compares against `tar cf` without gzip)
# Needs GNU time at /usr/bin/time (apt-get install time). Clean up with:
#   node bin/pmadmin.js sandbox down "$BENCH_DIR" --purge
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh
bench_setup .sandbox/bench .tar.gz
SHARED="$ROOT/shared"
SITE="$SHARED/sites/$WS"
OUT="$ROOT/bench-out"
rm -rf "$OUT" && mkdir -m 0700 "$OUT"

# The baseline connects as the workspace user too, with the password in an option file.
define() { sed -n "s/^ *define *( *'$1' *, *'\\(.*\\)' *);.*/\\1/p" "$SITE/db.php" | head -1; }
HOSTPORT="$(define DB_HOST)"
DBNAME="$(define DB_NAME)"
CNF="$OUT/client.cnf"
( umask 077; printf '[client]\nuser="%s"\npassword="%s"\nhost="%s"\nport=%s\nprotocol=TCP\n' \
    "$(define DB_USER)" "$(define DB_PASS)" "${HOSTPORT%:*}" "${HOSTPORT##*:}" >"$CNF" )

FILES_BYTES=$(du -sb "$SITE" | cut -f1)
mariadb-dump --defaults-extra-file="$CNF" --single-transaction --triggers --routines --events --no-tablespaces "$DBNAME" >"$OUT/size.sql"
DUMP_BYTES=$(stat -c %s "$OUT/size.sql"); rm -f "$OUT/size.sql"
printf 'workspace %s: files %d MB, dump %d MB, total %d MB (cases %s, doc bytes %s); %s runs, %s, %s cores\n' \
  "$WS" $((FILES_BYTES / 1000000)) $((DUMP_BYTES / 1000000)) $(((FILES_BYTES + DUMP_BYTES) / 1000000)) "$CASES" "$DOC_BYTES" "$RUNS" "$SUFFIX" "$(nproc)"

TAR_Z=z; [ "$SUFFIX" = ".tar" ] && TAR_Z=
run_pmadmin() {
  rm -f "$OUT/pm$SUFFIX"
  /usr/bin/time -f '%e %M' -o "$OUT/time" node bin/pmadmin.js --quiet workspace-backup "$WS" "$OUT/pm$SUFFIX" >/dev/null
  cat "$OUT/time"
}
run_baseline() {
  rm -f "$OUT/base$SUFFIX" "$OUT/$DBNAME.sql"
  /usr/bin/time -f '%e %M' -o "$OUT/time" bash -c '
    set -euo pipefail
    mariadb-dump --defaults-extra-file="$1" --single-transaction --triggers --routines --events --no-tablespaces "$2" >"$3/$2.sql"
    tar c'"$TAR_Z"'f "$3/base'"$SUFFIX"'" -C "$3" "$2.sql" -C "$4" "$5"
    rm -f "$3/$2.sql"' _ "$CNF" "$DBNAME" "$OUT" "$SHARED/sites" "$WS"
  cat "$OUT/time"
}

report() {
  printf 'run %d: pmadmin %6.2f s (peak RSS %d MB, archive %d MB)  baseline %6.2f s (peak RSS %d MB, archive %d MB)  ratio %s\n' \
    "$1" "$2" $(($3 / 1024)) $(($(stat -c %s "$OUT/pm$SUFFIX") / 1000000)) "$4" $(($5 / 1024)) $(($(stat -c %s "$OUT/base$SUFFIX") / 1000000)) "$6"
}
bench_rounds report
rm -f "$CNF" "$OUT"/pm* "$OUT"/base*
