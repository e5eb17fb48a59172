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
export PM_INSTALL_DIR="$(cd "$DIR" && pwd)" # DIR may be relative or absolute

step info
step info workflow --json

# Integrity and caches (docs/commands/check-integrity.md, docs/commands/flush-cache.md)
step check-integrity workflow # the stock MANAGER role's inert grants are warnings: exit 0
step flush-cache --dry-run

# Roles, permissions and the admin account (docs/commands/rbac.md, docs/commands/admin.md)
step role list -w workflow
step role grant -w workflow PROCESSMAKER_OPERATOR PM_SETUP_LANGUAGE # refused: inert without PM_SETUP, PM_SETUP_ADVANCE (exit 2)
step role grant -w workflow PROCESSMAKER_OPERATOR PM_SETUP_LANGUAGE --with-required --dry-run
step admin-status
step extend-admin workflow --days 10
step admin-status # expiring within 14 days: exit 4
step extend-admin workflow
step admin-status

# Backup and restore (docs/commands/workspace-backup.md, docs/commands/workspace-restore.md)
step workspace-backup workflow # <shared>/backups/workflow.tar, replaced on every run
step workspace-restore -i workflow # describe the archive, checksums verified, nothing changed
# Under a new name (database wf_workflow_copy, a new database user); -o --yes replaces the copy
# a previous demo run made, so the demo can run again (the role steps above name -w workflow,
# since the installation then has two workspaces).
step workspace-restore -o --yes workflow workflow_copy
step check-integrity workflow_copy
