// The files a ProcessMaker 3 workspace and its shared dir hold besides the database (processmaker-3.md
// §1.2, §1.3), including the awkward cases a backup must carry faithfully: a 0600 secret, a relative
// symlink, a non-ASCII name with a space, an empty directory and a dot-file. db.php is the caller's.
import { chmod, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { phpMap, phpSerialize } from "../admin/php-serialize.js";
import { utcSqlDateTime } from "../db/datetime.js";
import { PROCESS_UID } from "./seed.js";

export interface WorkspaceTreeOptions {
  /** Timestamp written into logs and cache files (default a fixed date, so trees are reproducible). */
  now?: Date;
  /** The workspace name as it appears in logs and .server_info (default: the directory's name). */
  workspace?: string;
}

/** Paths (relative to sites/<ws>/) of the special entries, so tests can look for them. */
export const SPECIAL_ENTRIES = {
  secretFile: "files/secret-config.ini",
  nonAsciiFile: "files/Überweisung März.pdf",
  emptyDir: "files/empty-folder",
  symlink: "public/latest.html",
  symlinkTarget: "../mailTemplates/alert_message.html",
  dotFile: ".server_info",
} as const;

const DEFAULT_NOW = new Date("2024-03-14T09:26:53Z");

async function put(
  root: string,
  rel: string,
  content: string | Buffer,
  mode?: number,
): Promise<void> {
  const file = path.join(root, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  // writeFile's mode is filtered by the umask; chmod makes the mode exact.
  if (mode !== undefined) await chmod(file, mode);
}

/** The workspace's tree: directories, caches and logs stamped with `now` (UTC), special entries. */
export async function writeWorkspaceTree(
  siteDir: string,
  opts: WorkspaceTreeOptions = {},
): Promise<void> {
  const now = utcSqlDateTime(opts.now ?? DEFAULT_NOW);
  const ws = opts.workspace ?? path.basename(siteDir);
  for (const dir of [
    "files",
    "mailTemplates",
    "public",
    "reports",
    "xmlForms",
    "cache",
    "cachefiles",
    "log",
  ]) {
    await mkdir(path.join(siteDir, dir), { recursive: true });
  }
  await mkdir(path.join(siteDir, SPECIAL_ENTRIES.emptyDir), { recursive: true });
  await writeSiteContent(siteDir);
  await writeCachesAndLogs(siteDir, now, ws);
  await writeSpecialEntries(siteDir, ws);
}

/** What a workspace's users made: settings, templates, a public page and a form (no timestamps). */
async function writeSiteContent(siteDir: string): Promise<void> {
  await put(siteDir, "env.ini", "system_utc_time_zone = 1\n");
  await put(
    siteDir,
    "mailTemplates/alert_message.html",
    "<html>\n<body>\n<p>@#caseTitle is waiting for you in @#taskTitle.</p>\n</body>\n</html>\n",
  );
  await put(
    siteDir,
    "mailTemplates/unassignedMessage.html",
    "<html>\n<body>\n<p>Case @#APP_NUMBER is unassigned.</p>\n</body>\n</html>\n",
  );
  await put(
    siteDir,
    "public/welcome.html",
    "<html><body>Welcome to the supplier portal.</body></html>\n",
  );
  await put(
    siteDir,
    `xmlForms/${PROCESS_UID}/2201597685f0c3c7e1b6a38021873591.xml`,
    '<?xml version="1.0" encoding="UTF-8"?>\n<dynaForm type="xmlform" name="Invoice" width="500">\n  <amount type="text" size="12"><en>Amount</en></amount>\n</dynaForm>\n',
  );
}

/** What ProcessMaker writes as it runs: route and menu caches, the cases list cache, its log. */
async function writeCachesAndLogs(siteDir: string, now: string, ws: string): Promise<void> {
  await put(
    siteDir,
    "routes.php",
    `<?php\n// REST routes cache, rebuilt on demand (${now})\nreturn array (\n  'v1' => array (\n    'cases' => 'ProcessMaker\\\\Services\\\\Api\\\\Cases',\n    'users' => 'ProcessMaker\\\\Services\\\\Api\\\\User',\n  ),\n);\n`,
  );
  await put(siteDir, "cache/menus.cache", `a:1:{s:7:"created";s:19:"${now}";}`);
  await put(siteDir, "cache/translation.en", "ID_CASES=Cases\nID_INBOX=Inbox\n");
  await put(
    siteDir,
    "cachefiles/casesList_todo.php",
    `<?php\n// cases list cache ${now}\nreturn array();\n`,
  );
  await put(
    siteDir,
    "log/processmaker.log",
    `[${now}] processmaker.INFO: Login Success {"usrUid":"00000000000000000000000000000001","workspace":"${ws}"} []\n` +
      `[${now}] processmaker.ERROR: Email server not configured {"workspace":"${ws}"} []\n`,
  );
}

/** The awkward entries of SPECIAL_ENTRIES: a link, a 0600 secret, a non-ASCII name, a dot-file. */
async function writeSpecialEntries(siteDir: string, ws: string): Promise<void> {
  await rm(path.join(siteDir, SPECIAL_ENTRIES.symlink), { force: true });
  await symlink(SPECIAL_ENTRIES.symlinkTarget, path.join(siteDir, SPECIAL_ENTRIES.symlink));
  await put(
    siteDir,
    SPECIAL_ENTRIES.secretFile,
    "; credentials of the scanner mailbox that feeds input documents\nimap_user = scanner@example.com\nimap_password = s3cr3t-Pa55\n",
    0o600,
  );
  await put(siteDir, SPECIAL_ENTRIES.nonAsciiFile, "%PDF-1.4\n% bank transfer confirmation\n");
  await put(
    siteDir,
    SPECIAL_ENTRIES.dotFile,
    // WorkspaceTools writes the web server's $_SERVER here, PHP-serialized.
    phpSerialize(
      phpMap({
        SERVER_NAME: "localhost",
        SERVER_PORT: "80",
        HTTP_HOST: "localhost",
        REQUEST_URI: `/sys${ws}/en/neoclassic/login/login`,
        SERVER_SOFTWARE: "Apache/2.4.57 (Debian)",
      }),
    ),
  );
}

/** The shared dir (PATH_DATA) apart from sites/<ws>: compiled caches, Laravel cache, backups, logs. */
export async function writeSharedTree(sharedDir: string): Promise<void> {
  for (const dir of [
    "sites",
    "backups",
    "upgrade",
    "log",
    "compiled/smarty/c",
    "compiled/smarty/cache",
  ]) {
    await mkdir(path.join(sharedDir, dir), { recursive: true });
  }
  // The installer makes Laravel's storage group-only.
  await mkdir(path.join(sharedDir, "framework/cache/data"), { recursive: true });
  await chmod(path.join(sharedDir, "framework"), 0o770);
  await chmod(path.join(sharedDir, "framework/cache"), 0o770);

  await put(
    sharedDir,
    "compiled/smarty/c/%%F3^F3A^F3A1D2B1%%login.html.php",
    '<?php /* Smarty version 2.6.31, compiled from login.html */ ?>\n<form method="post"></form>\n',
  );
  await put(
    sharedDir,
    "compiled/smarty/c/%%7C^7C0^7C0E3A55%%cases_List.html.php",
    '<?php /* Smarty version 2.6.31, compiled from cases_List.html */ ?>\n<div id="cases"></div>\n',
  );
  await put(sharedDir, "compiled/routes.php", "<?php\nreturn array();\n");
  await put(
    sharedDir,
    "framework/cache/data/3c/7a/3c7a0b9f1e5d2c4a6b8e0f1a2c3d4e5f6a7b8c9d",
    '9999999999a:1:{s:7:"plugins";a:0:{}}',
  );
  await put(
    sharedDir,
    "framework/cache/data/b1/04/b104e6c8d2f3a5b7c9e1f3a5b7c9d1e3f5a7b9c1",
    '1893456000s:5:"en_US";',
  );
  await put(sharedDir, "log/upgrades.log", " -- 2024-03-14T09:26:53+00:00 Upgrade finished --\n");
}
