// `workspace-restore -o` under a new name over an existing copy: the copy's own database user,
// which no db.php names any more, is dropped instead of being left behind with ALL privileges.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDbPhp } from "../../src/install/db-php.js";
import { runBin } from "../helpers/cli.js";
import { adminDb, uniqueName } from "../helpers/db.js";
import { createTestInstall, type TestInstall } from "../helpers/install.js";

let install: TestInstall;

beforeAll(async () => {
  install = await createTestInstall({ workspaces: 1, cases: 3 });
});
afterAll(async () => {
  await install?.cleanup();
});

const bin = (args: string[]) => runBin(args, { env: install.env() });

async function userOf(name: string): Promise<string> {
  const db = parseDbPhp(
    await readFile(path.join(install.sharedDir, "sites", name, "db.php"), "utf8"),
  );
  install.track(db.wf.name, db.wf.user);
  return db.wf.user;
}

async function accountExists(user: string): Promise<boolean> {
  const db = await adminDb();
  try {
    return (await db.query("SELECT 1 FROM mysql.user WHERE User = ?", [user])).length > 0;
  } finally {
    await db.close();
  }
}

describe("workspace-restore -o under a new name", () => {
  it("drops the replaced copy's database user and keeps the source's", async () => {
    const src = install.workspaces[0]!;
    const file = path.join(install.root, "src.tar");
    expect((await bin(["workspace-backup", src.name, file])).exitCode).toBe(0);
    const copy = uniqueName("cp");
    const first = await bin(["workspace-restore", file, copy]);
    expect(first.exitCode, first.stderr).toBe(0);
    const firstUser = await userOf(copy);
    expect(await accountExists(firstUser)).toBe(true);

    const second = await bin(["workspace-restore", "-o", "--yes", file, copy]);
    expect(second.exitCode, second.stderr).toBe(0);
    const secondUser = await userOf(copy);
    expect(secondUser).not.toBe(firstUser);
    expect(await accountExists(firstUser)).toBe(false);
    expect(second.stderr).toContain(`dropped database user ${firstUser}`);
    expect(await accountExists(secondUser)).toBe(true);
    expect(await accountExists(src.dbUser)).toBe(true);
  });
});
