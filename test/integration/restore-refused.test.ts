// Refused and failed restores exit with the contract's codes and change nothing.
import { writeFile, symlink, truncate, stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runInProcess } from "../helpers/cli.js";
import { installWithPmArchive } from "../helpers/restore-fixture.js";
import { buildPmArchive } from "../helpers/pm-archive.js";
import { restoreFootprint } from "../helpers/restore-compare.js";
import { startExtraServer, type ExtraServer } from "../helpers/servers.js";

const fx = installWithPmArchive({ cases: 3 });

/** Our workspace and the restore's target (the last argument when it is a name). */
function snapshot(args: readonly string[]) {
  const last = args.at(-1) ?? "";
  const targets = [fx.install.workspaces[0]!.name, ...(/^[A-Za-z0-9_]+$/.test(last) ? [last] : [])];
  return restoreFootprint(path.join(fx.install.sharedDir, "sites"), targets);
}

async function expectRefused(
  args: string[],
  exit: number,
  code: string,
  extra: Record<string, string> = {},
): Promise<void> {
  const before = await snapshot(args);
  const r = await runInProcess(["workspace-restore", ...args], {
    env: { ...fx.install.env(), ...extra },
  });
  expect(r.stderr).toContain(code);
  expect(r.exitCode).toBe(exit);
  expect(await snapshot(args)).toEqual(before);
}

describe("workspace-restore refusals", () => {
  it("refuses a Windows-made archive on Linux (exit 3)", async () => {
    const a = await buildPmArchive(fx.install.workspaces[0]!, {
      system: "Windows Server 2019 (WINNT)",
    });
    try {
      await expectRefused([a.file, "xplat"], 3, "RESTORE.CROSS_PLATFORM");
    } finally {
      await a.cleanup();
    }
  });

  it("refuses an existing workspace in another letter case, even with -o (exit 3)", async () => {
    const name = fx.install.workspaces[0]!.name.toUpperCase();
    await expectRefused([fx.archive.file, name], 3, "RESTORE.CASE_CONFLICT");
    await expectRefused(["-o", fx.archive.file, name], 3, "RESTORE.CASE_CONFLICT");
  });

  it("refuses the existing workspace without -o (exit 3)", async () => {
    await expectRefused([fx.archive.file], 3, "RESTORE.WORKSPACE_EXISTS");
  });

  it("refuses a bad name (exit 2)", async () => {
    await expectRefused([fx.archive.file, "bad-name"], 2, "WORKSPACE.BAD_NAME");
    await expectRefused([fx.archive.file, "a".repeat(30)], 2, "WORKSPACE.BAD_NAME");
  });

  it("fails on a truncated archive (exit 1)", async () => {
    const a = await buildPmArchive(fx.install.workspaces[0]!, { gzip: true });
    try {
      await truncate(a.file, Math.floor((await stat(a.file)).size / 2));
      await expectRefused([a.file, "trunc"], 1, "RESTORE.CORRUPT");
    } finally {
      await a.cleanup();
    }
  });

  it("fails on a '../' entry (exit 1)", async () => {
    const a = await buildPmArchive(fx.install.workspaces[0]!, {
      mutate: async (dir) => writeFile(path.join(dir, "evil"), "x"),
      extraArgs: ["--transform", "s,^evil$,../evil,", "evil"],
    });
    try {
      await expectRefused([a.file, "dotdot"], 1, "RESTORE.UNSAFE_ENTRY");
    } finally {
      await a.cleanup();
    }
  });

  it("fails on a link pointing out of the workspace (exit 1)", async () => {
    const ws = fx.install.workspaces[0]!;
    const a = await buildPmArchive(ws, {
      mutate: async (dir) =>
        symlink("../../../etc/passwd", path.join(dir, `${ws.name}.files`, "out")),
    });
    try {
      await expectRefused([a.file, "linkout"], 1, "RESTORE.UNSAFE_ENTRY");
    } finally {
      await a.cleanup();
    }
  });

  it("refuses a lower_case_table_names=1 server (exit 3)", async () => {
    let extra: ExtraServer | undefined;
    try {
      extra = await startExtraServer({ lowerCaseTableNames: 1 });
      await expectRefused(
        ["--db-admin-url", extra.url, fx.archive.file, "lctn"],
        3,
        "RESTORE.LOWER_CASE_TABLE_NAMES",
      );
    } finally {
      await extra?.stop();
    }
  });
});
