#!/usr/bin/env bash
# `npm run demo`: a guided tour of pmadmin on a sandbox installation (a private MariaDB server and
# a ProcessMaker 3 layout in .sandbox/demo). Each step prints one line saying what it shows and
# why its exit code is what it is, then the command exactly as it runs (copy-pasteable: absolute
# paths, --install-dir given, nothing exported), then its output and exit code.
# Safe to run again: the sandbox is reused. The last line says how to remove it.
# Exits 1 if a step's exit code is not the one the tour explains.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${PMADMIN_DEMO_DIR:-.sandbox/demo}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)" # absolute, so the commands work from any directory

# `pmadmin` when that is this copy on the PATH (npm i -g), else this checkout's bin by full path.
PM="$(pwd)/bin/pmadmin.js"
if [[ "$(realpath "$(command -v pmadmin 2>/dev/null || echo /nonexistent)" 2>/dev/null)" == "$(realpath "$PM")" ]]; then
  PM=pmadmin
fi

# Styles only for a terminal, never with NO_COLOR (https://no-color.org) or TERM=dumb.
bold="" dim="" reset=""
if [[ -t 1 && -z "${NO_COLOR:-}" && "${TERM:-dumb}" != dumb ]] && command -v tput >/dev/null; then
  bold="$(tput bold 2>/dev/null || true)" dim="$(tput dim 2>/dev/null || true)"
  reset="$(tput sgr0 2>/dev/null || true)"
fi

steps=0
unexpected=0
# step EXIT "what it shows and why it exits EXIT" ARGS...: runs "$PM" ARGS... and checks the exit.
step() {
  local want=$1 why=$2 rc
  shift 2
  steps=$((steps + 1))
  printf '\n%s%d. %s%s\n' "$bold" "$steps" "$why" "$reset"
  printf '%s$ %s%s\n' "$dim" "$(printf '%q ' "$PM" "$@" | sed 's/ $//')" "$reset"
  set +e
  "$PM" "$@"
  rc=$?
  set -e
  if [[ $rc == "$want" ]]; then
    printf '%s(exit %s, as explained above)%s\n' "$dim" "$rc" "$reset"
  else
    printf '%s(exit %s, but this step should exit %s)%s\n' "$bold" "$rc" "$want" "$reset"
    unexpected=$((unexpected + 1))
  fi
}

printf '%spmadmin guided tour%s: a sandbox ProcessMaker 3 installation in %s.\n' "$bold" "$reset" "$DIR"
printf 'Exit codes: 0 success, 1 failure, 2 usage or invalid input, 3 refused by a safeguard, 4 findings.\n'

step 0 "Create (or restart) the sandbox: a private MariaDB server and workspace 'workflow' with 50 cases (exit 0)." \
  sandbox up "$DIR" --workspace workflow --cases 50
step 0 "What pmadmin finds in the installation: system, database server, each workspace (exit 0)." \
  --install-dir "$DIR" info

# Integrity and caches (docs/commands/check-integrity.md, docs/commands/flush-cache.md)
step 0 "26 read-only checks of a fresh stock workspace: no findings, so exit 0 (4 would mean errors)." \
  --install-dir "$DIR" check-integrity workflow
step 0 "What flush-cache would delete; --dry-run changes nothing (exit 0)." \
  --install-dir "$DIR" flush-cache --dry-run workflow

# Roles and permissions (docs/commands/rbac.md); -w names the workspace once the copy below exists.
step 0 "The workspace's roles, their users and permissions (exit 0)." \
  --install-dir "$DIR" role list -w workflow
step 2 "Refused on purpose: PM_SETUP_LANGUAGE does nothing without PM_SETUP and PM_SETUP_ADVANCE, an invalid grant (exit 2), nothing changed." \
  --install-dir "$DIR" role grant -w workflow PROCESSMAKER_OPERATOR PM_SETUP_LANGUAGE
step 0 "The same grant with its companions (--with-required), shown as the exact SQL; --dry-run changes nothing (exit 0)." \
  --install-dir "$DIR" role grant -w workflow PROCESSMAKER_OPERATOR PM_SETUP_LANGUAGE --with-required --dry-run

# The admin account (docs/commands/admin.md)
step 0 "Expire the admin account (due date yesterday), as ProcessMaker's expire-admin does (exit 0)." \
  --install-dir "$DIR" expire-admin workflow
step 4 "On purpose (exit 4): admin-status finds an admin expired or expiring within 14 days, the hook for '|| mail ...' in cron." \
  --install-dir "$DIR" admin-status
step 0 "Give the admin the default 90 days again (exit 0)." \
  --install-dir "$DIR" extend-admin workflow
step 0 "Every admin is now valid, so exit 0." \
  --install-dir "$DIR" admin-status

# Backup and restore (docs/commands/workspace-backup.md, docs/commands/workspace-restore.md)
step 0 "A ProcessMaker-compatible backup in <shared>/backups/workflow.tar, replaced on every run (exit 0)." \
  --install-dir "$DIR" workspace-backup workflow
step 0 "Describe that archive with every checksum verified; nothing is changed (exit 0)." \
  --install-dir "$DIR" workspace-restore -i workflow
step 0 "Restore it under a new name (database wf_workflow_copy, a new database user); -o --yes replaces the copy of a previous run (exit 0)." \
  --install-dir "$DIR" workspace-restore -o --yes workflow workflow_copy
step 0 "The restored copy passes the same checks; -q prints only errors, so no output and exit 0." \
  --install-dir "$DIR" -q check-integrity workflow_copy

echo
if ((unexpected > 0)); then
  printf '%s%d of %d steps did not exit as explained.%s\n' "$bold" "$unexpected" "$steps" "$reset" >&2
  exit 1
fi
printf 'All %d steps exited as explained. Try your own commands with --install-dir %q;\n' "$steps" "$DIR"
printf 'remove the sandbox with: %s\n' "$(printf '%q ' "$PM" sandbox down "$DIR" --purge | sed 's/ $//')"
