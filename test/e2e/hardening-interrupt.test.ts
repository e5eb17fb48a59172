// Ctrl-C on long read-only commands (backup and restore have their own tests): the command is
// made to wait deterministically on a table lock held by the test, then gets SIGINT. It must exit
// 130 promptly, say it was interrupted, print no stack trace and leave no query behind.
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/types.js";
import { BIN } from "../helpers/cli.js";
import { adminDb } from "../helpers/db.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";

let install: TestInstall;
let ws: TestInstall["workspaces"][number];

beforeAll(async () => {
  install = await createTestInstall({ workspaces: 1, cases: 5 });
  ws = install.workspaces[0] as TestInstall["workspaces"][number];
});
afterAll(async () => {
  await install?.cleanup();
});

/** Waits until a statement of the workspace's user is stuck behind our lock. */
async function waitForBlockedQuery(db: Db, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const rows = await db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ? AND STATE LIKE 'Waiting for table%'",
      [ws.dbUser],
    );
    if (Number(rows[0]?.n) > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the command never waited on the locked table");
}

async function queriesOfWorkspaceUser(db: Db): Promise<number> {
  const rows = await db.query<{ n: number }>(
    "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ?",
    [ws.dbUser],
  );
  return Number(rows[0]?.n);
}

describe("SIGINT while a read-only command waits on the database", () => {
  const commands: Array<[string, string[]]> = [
    ["check-integrity", ["check-integrity", "--json"]],
    ["info", ["info"]],
    ["admin-status", ["admin-status"]],
  ];
  for (const [name, args] of commands) {
    it(`${name}: exit 130 within seconds, no stack trace, no query left running`, async () => {
      const lock = await adminDb(ws.database);
      try {
        await lock.execute("LOCK TABLES APPLICATION WRITE, USERS WRITE, RBAC_USERS WRITE");
        const child = execa(process.execPath, [BIN, ...args], {
          env: { ...install.env(), NO_COLOR: "1" },
          reject: false,
        });
        const watcher = await adminDb();
        try {
          await waitForBlockedQuery(watcher);
          const t0 = Date.now();
          child.kill("SIGINT");
          const r = await child;
          const ms = Date.now() - t0;
          // The blocked statement is killed on the server at once; the bound is "seconds, not a
          // hang", not a benchmark.
          expect(ms).toBeLessThan(10_000);
          expect(r.exitCode, String(r.stderr)).toBe(130);
          expect(String(r.stderr)).toContain("[INTERRUPTED]");
          expect(String(r.stderr)).not.toMatch(/\n\s+at .+:\d+:\d+|INTERNAL/);
          if (args.includes("--json")) {
            const doc = JSON.parse(String(r.stdout)) as { ok: boolean; error: { code: string } };
            expect(doc).toMatchObject({ ok: false, error: { code: "INTERRUPTED" } });
          }
          await lock.execute("UNLOCK TABLES");
          // The killed connection's statement must not linger on the server.
          const until = Date.now() + 5_000;
          while ((await queriesOfWorkspaceUser(watcher)) > 0 && Date.now() < until) {
            await new Promise((res) => setTimeout(res, 50));
          }
          expect(await queriesOfWorkspaceUser(watcher)).toBe(0);
        } finally {
          child.kill("SIGKILL");
          await watcher.close();
        }
      } finally {
        await lock.execute("UNLOCK TABLES").catch(() => undefined);
        await lock.close();
      }
    });
  }
});
