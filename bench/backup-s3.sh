#!/usr/bin/env bash
# bench/backup-s3.sh — pmadmin workspace-backup to S3-compatible storage against the same backup to
# a local file: the bench workspace (as in bench/backup.sh) to s3://bench/pm.tar.gz on a local
# s3rver (the test server, a dev dependency; started here on 127.0.0.1 at a free port) vs to
# a .tar.gz beside it. Runs alternate as in bench/backup.sh; it prints each run, the median
# wall-time ratio s3/local (target <= 1.3) and the S3 run's peak RSS (target <= 256 MB).
# s3rver runs on the same cores and writes every part twice (part file, then the object), so the
# ratio is an upper bound for a store on another machine.
#
# Not a test. Knobs as in bench/backup.sh (bench/lib.sh: BENCH_WORKLOAD, BENCH_RUNS, …);
# BENCH_SUFFIX [.tar.gz]. Set PMADMIN_BENCH_S3_ENDPOINT (with AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY and an existing bucket in PMADMIN_BENCH_S3_BUCKET) to measure another store.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh
bench_setup s3
SUFFIX="${BENCH_SUFFIX:-.tar.gz}"
OUT="$ROOT/bench-out-s3"
rm -rf "$OUT" && mkdir -m 0700 "$OUT"

S3PID=
cleanup() { [ -n "$S3PID" ] && kill "$S3PID" 2>/dev/null; rm -rf "$OUT/s3rver"; }
trap cleanup EXIT
if [ -z "${PMADMIN_BENCH_S3_ENDPOINT:-}" ]; then
  mkdir "$OUT/s3rver"
  node --input-type=module -e '
    import S3rver from "s3rver";
    const srv = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: process.argv[1],
      configureBuckets: [{ name: "bench" }] });
    const { port } = await srv.run();
    console.log(port);
    process.on("SIGTERM", () => srv.close().then(() => process.exit(0)));
  ' "$OUT/s3rver" >"$OUT/s3rver.port" &
  S3PID=$!
  for _ in $(seq 1 100); do [ -s "$OUT/s3rver.port" ] && break; sleep 0.1; done
  export AWS_ENDPOINT_URL_S3="http://127.0.0.1:$(cat "$OUT/s3rver.port")" PM_S3_PATH_STYLE=1
  export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
  BUCKET=bench
else
  export AWS_ENDPOINT_URL_S3="$PMADMIN_BENCH_S3_ENDPOINT"
  BUCKET="${PMADMIN_BENCH_S3_BUCKET:?set PMADMIN_BENCH_S3_BUCKET}"
fi
printf 'workspace %s (cases %s, doc bytes %s) to %s/%s vs a local file; %s runs, %s, %s cores\n' \
  "$WS" "$CASES" "$DOC_BYTES" "$AWS_ENDPOINT_URL_S3" "$BUCKET" "$RUNS" "$SUFFIX" "$(nproc)"

# bench_rounds calls the measured side "pmadmin" and the other "baseline": here S3 and local.
run_pmadmin() {
  /usr/bin/time -f '%e %M' -o "$OUT/time" node bin/pmadmin.js --quiet workspace-backup "$WS" "s3://$BUCKET/pm$SUFFIX" >/dev/null
  cat "$OUT/time"
}
run_baseline() {
  rm -f "$OUT/local$SUFFIX"
  /usr/bin/time -f '%e %M' -o "$OUT/time" node bin/pmadmin.js --quiet workspace-backup "$WS" "$OUT/local$SUFFIX" >/dev/null
  cat "$OUT/time"
}
report() {
  printf 'run %d: s3 %6.2f s (peak RSS %d MB)  local %6.2f s (peak RSS %d MB, archive %d MB)  ratio %s\n' \
    "$1" "$2" $(($3 / 1024)) "$4" $(($5 / 1024)) $(($(stat -c %s "$OUT/local$SUFFIX") / 1000000)) "$6"
}
bench_rounds "backup to s3 $SUFFIX" 1.3 report
rm -f "$OUT"/local*
bench_summary "bench/backup-s3.sh: pmadmin workspace-backup to s3:// / to a local file"
