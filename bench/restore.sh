#!/usr/bin/env bash
# bench/restore.sh — pmadmin workspace-restore against what an admin would do by hand with the same
# archive: GNU `tar -xf` of it, then `CREATE DATABASE` + `mariadb db < <db>.sql` (no checks, no
# staging, no swap). One sandbox workspace of at least ~500 MB (database + files), backed up once
# with pmadmin; then runs alternate (pmadmin first on odd rounds, the baseline first on even ones)
# so drift in machine load hits both sides. pmadmin restores under a new name, which is dropped
# again after each run (untimed), as is the baseline's database and directory. Prints each run, the
# median wall-time ratio pmadmin/baseline and pmadmin's peak RSS (GNU time's "maximum resident set
# size": pmadmin's node process or its largest child, the mariadb client).
#
# Each archive kind in BENCH_SUFFIXES is a case (.tar.gz: the baseline runs `tar -xzf`); a summary
# of every case's median ratio ends the output.
#
# Not a test: it never fails on absolute times. Knobs: see bench/lib.sh (BENCH_WORKLOAD=issue13
# for issue 13's 190 MB dump, BENCH_WORKLOAD=small for a quick run, BENCH_RUNS, BENCH_SUFFIXES).
# Needs GNU time at /usr/bin/time (apt-get install time). Clean up with:
#   node bin/pmadmin.js sandbox down <the sandbox directory printed first> --purge
set -euo pipefail
cd "$(dirname "$0")/.."

NEW=benchcopy
. bench/lib.sh
bench_setup restore
SITES="$ROOT/shared/sites"
OUT="$ROOT/bench-restore-out"
rm -rf "$OUT" && mkdir -m 0700 "$OUT"

# The baseline loads as the sandbox server's root (ROOT_CNF), like pmadmin's admin credentials.
sql() { bench_sql -e "$1"; }
FILES_BYTES=$(du -sb "$SITES/$WS" | cut -f1)
printf 'sandbox %s: workspace %s: files %d MB; cases %s, doc bytes %s; %s runs, %s cores\n' \
  "$DIR" "$WS" $((FILES_BYTES / 1000000)) "$CASES" "$DOC_BYTES" "$RUNS" "$(nproc)"

drop_pmadmin() {
  local user=""
  [ -f "$SITES/$NEW/db.php" ] && user="$(sed -n "s/^ *define *( *'DB_USER' *, *'\\(.*\\)' *);.*/\\1/p" "$SITES/$NEW/db.php" | head -1)"
  rm -rf "${SITES:?}/$NEW"
  sql "DROP DATABASE IF EXISTS wf_$NEW"
  [ -n "$user" ] && sql "DROP USER IF EXISTS '$user'@'localhost', '$user'@'%'"
  return 0
}
drop_baseline() { rm -rf "$OUT/base"; sql "DROP DATABASE IF EXISTS bench_base"; }
drop_pmadmin; drop_baseline

run_pmadmin() {
  sync
  /usr/bin/time -f '%e %M' -o "$OUT/time" node bin/pmadmin.js --quiet workspace-restore "$ARCHIVE" "$NEW" >/dev/null ||
    { echo "bench: pmadmin workspace-restore failed: $(head -1 "$OUT/time")" >&2; exit 1; }
  cat "$OUT/time"
  drop_pmadmin
}
run_baseline() {
  sync
  /usr/bin/time -f '%e %M' -o "$OUT/time" bash -c '
    set -euo pipefail
    mkdir "$2/base"
    tar -x'"$TAR_Z"'f "$3" -C "$2/base"
    mariadb --defaults-extra-file="$1" -e "CREATE DATABASE bench_base"
    mariadb --defaults-extra-file="$1" --binary-mode bench_base <"$2/base/$4"' _ "$ROOT_CNF" "$OUT" "$ARCHIVE" "$DUMP_ENTRY" ||
    { echo "bench: the baseline failed: $(head -1 "$OUT/time")" >&2; exit 1; }
  cat "$OUT/time"
  drop_baseline
}

report() {
  printf '  run %d: pmadmin %6.2f s (peak RSS %d MB)  baseline %6.2f s (peak RSS %d MB)  ratio %s\n' \
    "$1" "$2" $(($3 / 1024)) "$4" $(($5 / 1024)) "$6"
}

for SUFFIX in "${SUFFIXES[@]}"; do
  case "$SUFFIX" in
    .tar) TAR_Z= ;;
    .tar.gz | .tgz) TAR_Z=z ;;
    *) echo "bench: BENCH_SUFFIXES holds .tar, .tar.gz or .tgz, not '$SUFFIX'" >&2; exit 2 ;;
  esac
  ARCHIVE="$OUT/pm$SUFFIX"
  node bin/pmadmin.js --quiet workspace-backup "$WS" "$ARCHIVE" >/dev/null
  DUMP_ENTRY="$(tar -t${TAR_Z}f "$ARCHIVE" | grep -E '^[^/]+\.sql$' | head -1)"
  printf 'restore from %s (archive %d MB, dump entry %s):\n' "$SUFFIX" $(($(stat -c %s "$ARCHIVE") / 1000000)) "$DUMP_ENTRY"
  drop_pmadmin; drop_baseline
  bench_rounds "restore $SUFFIX" 0.8 report
  rm -f "$ARCHIVE"
done
rm -rf "$OUT"
bench_summary "bench/restore.sh: pmadmin workspace-restore (new name) / (tar -x + mariadb < dump), files $((FILES_BYTES / 1000000)) MB"
