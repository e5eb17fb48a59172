// workflow/engine/config/paths_installed.php (processmaker-3.md §1.1).
import { parseDefines } from "./php-defines.js";

export const PATHS_INSTALLED_RELATIVE = "workflow/engine/config/paths_installed.php";

export interface PathsInstalled {
  pathData: string | undefined;
  pathC: string | undefined;
  hashInstallation: string | undefined;
  systemHash: string | undefined;
}

export function parsePathsInstalled(source: string): PathsInstalled {
  const d = parseDefines(source);
  return {
    // Older installs call PATH_DATA PATH_OUTTRUNK; ProcessMaker rewrites the name in place.
    pathData: d.get("PATH_DATA") ?? d.get("PATH_OUTTRUNK"),
    pathC: d.get("PATH_C"),
    hashInstallation: d.get("HASH_INSTALLATION"),
    systemHash: d.get("SYSTEM_HASH"),
  };
}

export function renderPathsInstalled(v: {
  pathData: string;
  pathC: string;
  hashInstallation: string;
  systemHash: string;
}): string {
  return [
    "<?php",
    `  define( 'PATH_DATA', '${v.pathData}' );`,
    `  define( 'PATH_C',    '${v.pathC}' );`,
    `  define( 'HASH_INSTALLATION', '${v.hashInstallation}' );`,
    `  define( 'SYSTEM_HASH', '${v.systemHash}' );`,
    "",
  ].join("\n");
}
