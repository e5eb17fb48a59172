// The built binary under real conditions: Ctrl-C in the middle of a backup, two backups of one
// workspace at once, and what `ps` could see. A table lock held by the test stalls mariadb-dump
// (its consistent-snapshot SELECT waits for the lock), so each moment is reached deterministically.
import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/types.js";
import { BIN } from "../helpers/cli.js";
import { adminDb } from "../helpers/db.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";

let install: TestInstall;
let ws: TestInstall["workspaces"][number];
let backups: string;

beforeAll(async () => {
  install = await createTestInstall({ cases: 20 });
  ws = install.workspaces[0] as TestInstall["workspaces"][number];
  backups = path.join(install.sharedDir, "backups");
});
afterAll(async () => {
  await install?.cleanup();
});

function start(args: string[]): ResultPromise<{ reject: false; env: Record<string, string> }> {
  return execa(process.execPath, [BIN, "workspace-backup", ...args], {
    env: { ...install.env(), NO_COLOR: "1" },
    reject: false,
  }) as never;
}

async function processes(): Promise<Array<{ pid: number; cmdline: string; environ: string }>> {
  const out: Array<{ pid: number; cmdline: string; environ: string }> = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = (await readFile(`/proc/${name}/cmdline`))
        .toString("utf8")
        .replaceAll("\0", " ");
      const environ = (
        await readFile(`/proc/${name}/environ`).catch(() => Buffer.alloc(0))
      ).toString("utf8");
      out.push({ pid: Number(name), cmdline, environ });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** Polls /proc until the dump of the workspace's database is running; returns every cmdline seen. */
async function waitForDump(
  seen: Set<string>,
  environs: Set<string>,
  timeoutMs = 30_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    for (const p of await processes()) {
      seen.add(p.cmdline);
      if (p.cmdline.includes("mariadb-dump") || p.cmdline.includes(BIN)) environs.add(p.environ);
      if (/mariadb-dump|mysqldump/.test(p.cmdline) && p.cmdline.includes(ws.database)) return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("mariadb-dump never appeared");
}

async function lockTable(): Promise<Db> {
  const db = await adminDb(ws.database);
  await db.execute("LOCK TABLES APPLICATION WRITE");
  return db;
}

describe("workspace-backup as a process", () => {
  it("keeps the password out of every child's argv, environment and the output", async () => {
    const hold = await lockTable();
    const seen = new Set<string>();
    const environs = new Set<string>();
    const run = start([ws.name, "argv.tar.gz"]);
    try {
      await waitForDump(seen, environs);
    } finally {
      await hold.execute("UNLOCK TABLES");
      await hold.close();
    }
    const r = await run;
    expect(r.exitCode, r.stderr).toBe(0);
    const dump = [...seen].find((c) => c.includes("mariadb-dump") && c.includes(ws.database));
    expect(dump).toMatch(/--defaults-extra-file=\S+ --single-transaction/);
    for (const c of seen) expect(c).not.toContain(ws.dbPassword);
    for (const e of environs) expect(e).not.toContain(ws.dbPassword);
    expect(r.stdout + r.stderr).not.toContain(ws.dbPassword);
  });

  it.each(["SIGINT", "SIGTERM"] as const)(
    "%s mid-backup exits 130 and leaves nothing under the final name, nor temporary files",
    async (sig) => {
      const hold = await lockTable();
      const before = await readdir(backups);
      const run = start([ws.name, "sigint.tar.gz"]);
      try {
        await waitForDump(new Set(), new Set());
        // The archive is being written under its temporary name by now.
        expect((await readdir(backups)).some((n) => n.startsWith(".sigint.tar.gz.pmadmin-"))).toBe(
          true,
        );
        run.kill(sig);
        const r = await run;
        expect(r.exitCode).toBe(130);
        expect(r.stderr).toMatch(/INTERRUPTED/);
      } finally {
        await hold.execute("UNLOCK TABLES");
        await hold.close();
      }
      expect((await readdir(backups)).sort()).toEqual(before.sort());
      const dumps = (await processes()).filter(
        (p) => p.cmdline.includes("mariadb-dump") && p.cmdline.includes(ws.database),
      );
      expect(dumps).toEqual([]);
    },
  );

  it("an encrypted backup: SIGTERM mid-way leaves nothing, the passphrase is never seen", async () => {
    const passphrase = "pass-phrase-never-shown-4711";
    const passFile = path.join(install.root, "backup-pass.txt");
    await writeFile(passFile, `${passphrase}\n`, { mode: 0o600 });
    const hold = await lockTable();
    const before = await readdir(backups);
    const seen = new Set<string>();
    const environs = new Set<string>();
    const run = start(["--passphrase-file", passFile, ws.name, "enc.tar.gz"]);
    try {
      await waitForDump(seen, environs);
      // The temporary file appears with the first bytes past the age header, whose passphrase
      // (scrypt) takes a moment of CPU: on a loaded machine that can come after the dump starts.
      const hasTemp = async () =>
        (await readdir(backups)).some((n) => n.startsWith(".enc.tar.gz.age.pmadmin-"));
      for (let i = 0; i < 100 && !(await hasTemp()); i++)
        await new Promise((res) => setTimeout(res, 100));
      expect(await hasTemp()).toBe(true);
      run.kill("SIGTERM");
      const r = await run;
      expect(r.exitCode, `${r.signal ?? ""} ${r.stderr}`).toBe(130);
      expect(r.stdout + r.stderr).not.toContain(passphrase);
    } finally {
      await hold.execute("UNLOCK TABLES");
      await hold.close();
    }
    for (const c of seen) expect(c).not.toContain(passphrase);
    for (const e of environs) expect(e).not.toContain(passphrase);
    expect((await readdir(backups)).sort()).toEqual(before.sort());
  });

  it("two backups of one workspace at once: the second exits 3 naming the first", async () => {
    const hold = await lockTable();
    const first = start([ws.name, "first.tar"]);
    let second: Awaited<ReturnType<typeof start>>;
    try {
      await waitForDump(new Set(), new Set());
      second = await start([ws.name, "second.tar"]);
    } finally {
      await hold.execute("UNLOCK TABLES");
      await hold.close();
    }
    expect(second.exitCode).toBe(3);
    expect(second.stderr).toContain(`LOCK.HELD`);
    expect(second.stderr).toContain(`pid ${first.pid}`);
    const r = await first;
    expect(r.exitCode, r.stderr).toBe(0);
    const names = await readdir(backups);
    expect(names).toContain("first.tar");
    expect(names).not.toContain("second.tar");
  });
});
