// Every command, in the order `pmadmin --help` lists them. Each file registers itself.
import type { Registrar } from "../cli/program.js";
import { registerInfo } from "./info.js";
import { registerWorkspaceBackup } from "./workspace-backup.js";
import { registerWorkspaceRestore } from "./workspace-restore.js";
import { registerBackups } from "./backups.js";
import { registerCheckIntegrity } from "./check-integrity.js";
import { registerFlushCache } from "./flush-cache.js";
import { registerPlatform } from "./platform.js";
import { registerSandbox } from "./sandbox.js";
import { registerRole } from "./role.js";
import { registerPermission } from "./permission.js";
import { registerUser } from "./user.js";
import { registerAdmin } from "./admin.js";
import { registerAdminStatus } from "./admin-status.js";
import { registerCompletion } from "./completion.js";

export const COMMANDS: readonly Registrar[] = [
  registerInfo,
  registerWorkspaceBackup,
  registerWorkspaceRestore,
  registerBackups,
  registerSandbox,
  registerCheckIntegrity,
  registerFlushCache,
  registerPlatform,
  registerRole,
  registerPermission,
  registerUser,
  registerAdmin,
  registerAdminStatus,
  registerCompletion,
];
