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
# Not a test: it never fails on absolute times. Environment knobs (defaults in brackets):
#   BENCH_DIR [.sandbox/bench-restore]  BENCH_CASES [20000]  BENCH_DOC_BYTES [24576]  BENCH_RUNS [3]
#   BENCH_SUFFIX [.tar] (.tar.gz restores a gzip archive; the baseline then runs `tar -xzf`)
# Needs GNU time at /usr/bin/time (apt-get install time). Clean up with:
#   node bin/pmadmin.js sandbox down "$BENCH_DIR" --purge
set -euo pipefail
cd "$(dirname "$0")/.."

NEW=benchcopy
. bench/lib.sh
bench_setup .sandbox/bench-restore .tar
SITES="$ROOT/shared/sites"
OUT="$ROOT/bench-restore-out"
rm -rf "$OUT" && mkdir -m 0700 "$OUT"

# The baseline loads as the sandbox server's root, like pmadmin's admin credentials; the password
# goes from the server's state file into an option file, never onto a command line.
CNF="$OUT/client.cnf"
node -e '
  const fs = require("node:fs");
  const s = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  fs.writeFileSync(process.argv[2], `[client]\nuser=root\npassword="${s.rootPassword}"\nhost=127.0.0.1\nport=${s.port}\nprotocol=TCP\n`, { mode: 0o600 });
' "$ROOT/.mariadb/server.json" "$CNF"
sql() { mariadb --defaults-extra-file="$CNF" --batch --skip-column-names -e "$1"; }

ARCHIVE="$OUT/pm$SUFFIX"
node bin/pmadmin.js --quiet workspace-backup "$WS" "$ARCHIVE" >/dev/null
DUMP_ENTRY="$(tar -tf "$ARCHIVE" | grep -E '^[^/]+\.sql$' | head -1)"
FILES_BYTES=$(du -sb "$SITES/$WS" | cut -f1)
printf 'workspace %s: files %d MB, archive %d MB (%s, dump entry %s); cases %s, doc bytes %s; %s runs, %s cores\n' \
  "$WS" $((FILES_BYTES / 1000000)) $(($(stat -c %s "$ARCHIVE") / 1000000)) "$SUFFIX" "$DUMP_ENTRY" "$CASES" "$DOC_BYTES" "$RUNS" "$(nproc)"

TAR_Z=; [ "$SUFFIX" != ".tar" ] && TAR_Z=z
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
    mariadb --defaults-extra-file="$1" --binary-mode bench_base <"$2/base/$4"' _ "$CNF" "$OUT" "$ARCHIVE" "$DUMP_ENTRY" ||
    { echo "bench: the baseline failed: $(head -1 "$OUT/time")" >&2; exit 1; }
  cat "$OUT/time"
  drop_baseline
}

report() {
  printf 'run %d: pmadmin %6.2f s (peak RSS %d MB)  baseline %6.2f s (peak RSS %d MB)  ratio %s\n' \
    "$1" "$2" $(($3 / 1024)) "$4" $(($5 / 1024)) "$6"
}
bench_rounds report
rm -rf "$OUT"
