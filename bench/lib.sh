# bench/lib.sh — what bench/backup.sh and bench/restore.sh share: their knobs, the sandbox
# workspace they measure (its database padded when asked), alternating timed rounds, the median
# ratio per case and the closing summary. Sourced, never run.
#
# Knobs (environment, defaults in brackets):
#   BENCH_WORKLOAD [docs]  a preset for the three below: "docs" = 20,000 cases with 24 KiB
#                          documents (590 MB of files, 49 MB dump); "issue13" = 20,000 cases, 12 KiB
#                          documents and the database padded to ~190 MB of dump (issue 13's
#                          workload); "small" = 5,000 cases, 24 KiB documents (a quick run)
#   BENCH_CASES, BENCH_DOC_BYTES, BENCH_DB_MB   override the preset (BENCH_DB_MB: pad the dump
#                          to about that many MB with a table bench_pad; 0 = no padding)
#   BENCH_DIR              the sandbox (kept between runs; one per workload by default)
#   BENCH_RUNS [3]         rounds per case      BENCH_SUFFIXES [".tar .tar.gz"]  the cases

# bench_setup NAME: reads the knobs, needs GNU time, builds if needed, brings up the sandbox
# workspace $WS (padding its database once). Sets DIR CASES DOC_BYTES DB_MB RUNS SUFFIXES WS ROOT
# DBNAME and ROOT_CNF (an option file for the sandbox server's root, made from its state file;
# the password never goes onto a command line); exports PM_INSTALL_DIR.
bench_setup() {
  local workload="${BENCH_WORKLOAD:-docs}" cases doc_bytes db_mb
  case "$workload" in
    docs) cases=20000 doc_bytes=24576 db_mb=0 ;;
    issue13) cases=20000 doc_bytes=12288 db_mb=190 ;;
    small) cases=5000 doc_bytes=24576 db_mb=0 ;;
    *) echo "bench: BENCH_WORKLOAD is docs, issue13 or small, not '$workload'" >&2; exit 2 ;;
  esac
  CASES="${BENCH_CASES:-$cases}"
  DOC_BYTES="${BENCH_DOC_BYTES:-$doc_bytes}"
  DB_MB="${BENCH_DB_MB:-$db_mb}"
  DIR="${BENCH_DIR:-.sandbox/bench-$1-$workload}"
  RUNS="${BENCH_RUNS:-3}"
  read -r -a SUFFIXES <<<"${BENCH_SUFFIXES:-.tar .tar.gz}"
  WS=bench
  [ -x /usr/bin/time ] || { echo "bench: GNU time is needed at /usr/bin/time (apt-get install time)" >&2; exit 1; }
  [ -f dist/main.js ] || npm run build >/dev/null
  node bin/pmadmin.js sandbox up "$DIR" --workspace "$WS" --cases "$CASES" --doc-bytes "$DOC_BYTES" >/dev/null
  ROOT="$(cd "$DIR" && pwd)"
  export PM_INSTALL_DIR="$ROOT"
  DBNAME="$(bench_define DB_NAME)"
  ROOT_CNF="$ROOT/bench-root.cnf"
  node -e '
    const fs = require("node:fs");
    const s = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    fs.writeFileSync(process.argv[2], `[client]\nuser=root\npassword="${s.rootPassword}"\nhost=127.0.0.1\nport=${s.port}\nprotocol=TCP\n`, { mode: 0o600 });
  ' "$ROOT/.mariadb/server.json" "$ROOT_CNF"
  bench_pad
  SUMMARY=()
}

# bench_define NAME: a define() of the workspace's db.php.
bench_define() {
  sed -n "s/^ *define *( *'$1' *, *'\\(.*\\)' *);.*/\\1/p" "$ROOT/shared/sites/$WS/db.php" | head -1
}

bench_sql() { mariadb --defaults-extra-file="$ROOT_CNF" --batch --skip-column-names "$@"; }

# bench_pad: grows the workspace database by a table bench_pad of 1 KiB rows until its data is
# about DB_MB MB in all (once: an existing bench_pad is kept).
bench_pad() {
  [ "$DB_MB" -gt 0 ] || return 0
  local have rows
  have=$(bench_sql -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='$DBNAME' AND TABLE_NAME='bench_pad'")
  [ "$have" = 0 ] || return 0
  have=$(bench_sql -e "SELECT COALESCE(SUM(DATA_LENGTH), 0) DIV 1000000 FROM information_schema.TABLES WHERE TABLE_SCHEMA='$DBNAME'")
  rows=$(((DB_MB - have) * 1000))
  [ "$rows" -gt 0 ] || rows=1000
  echo "bench: padding $DBNAME with $rows rows of 1 KiB (once)" >&2
  bench_sql "$DBNAME" -e "CREATE TABLE bench_pad (id INT PRIMARY KEY AUTO_INCREMENT, body TEXT NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
  local done=0 step
  while [ "$done" -lt "$rows" ]; do
    step=$((rows - done < 100000 ? rows - done : 100000))
    bench_sql "$DBNAME" -e "INSERT INTO bench_pad (body) SELECT REPEAT(MD5(RAND() * seq), 32) FROM seq_1_to_$step"
    done=$((done + step))
  done
}

# bench_rounds CASE TARGET REPORT: RUNS rounds of run_pmadmin and run_baseline (the caller's
# functions, each printing "<seconds> <peak RSS in KB>"), pmadmin first on odd rounds and the
# baseline first on even ones, so drift in machine load hits both sides. After each round it
# calls `REPORT round pmadmin-seconds pmadmin-rss baseline-seconds baseline-rss ratio`; at the
# end it prints the case's median wall-time ratio pmadmin/baseline and pmadmin's peak RSS, and
# adds them to the summary.
bench_rounds() {
  local name="$1" target="$2" report="$3" i p b pt pr bt br ratio median peak
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
  printf '%s: median ratio pmadmin/baseline %s (target <= %s)   pmadmin peak RSS %d MB (target <= 256)\n' \
    "$name" "$median" "$target" $((peak / 1024))
  SUMMARY+=("$(printf '%-28s %8s   <= %-5s %6d MB' "$name" "$median" "$target" $((peak / 1024)))")
}

# bench_summary TITLE: every case's median ratio, one line each.
bench_summary() {
  printf '\n%s (%s, %s runs each, %s cores, load %s)\n' "$1" "$(date -u +%Y-%m-%dT%H:%MZ)" "$RUNS" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%-28s %8s   %-8s %9s\n' case median target "peak RSS"
  printf '%s\n' "${SUMMARY[@]}"
}
