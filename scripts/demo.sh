#!/usr/bin/env bash
# `npm run demo`: a sandbox installation on a private MariaDB server, and pmadmin working on it.
# Safe to run again: the sandbox is reused. Remove it with: npx pmadmin sandbox down .sandbox/demo --purge
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${PMADMIN_DEMO_DIR:-.sandbox/demo}"

step() {
  printf '\n\033[1m$ pmadmin %s\033[0m\n' "$*"
  set +e
  node bin/pmadmin.js "$@"
  local rc=$?
  set -e
  printf '\033[2m(exit %s)\033[0m\n' "$rc"
}

node bin/pmadmin.js sandbox up "$DIR" --workspace workflow --cases 50
export PM_INSTALL_DIR="$PWD/$DIR"

step info
step info workflow --json
