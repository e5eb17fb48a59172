// `workspace-restore -o` under a new name over an existing copy: the copy keeps the database user
// its db.php names (pmadmin decides the account, never the archive), no second account is created
// and none is left behind with privileges.
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

/** The accounts holding a grant on `database` (other test files share the server: only these). */
async function grantees(database: string): Promise<string[]> {
  const db = await adminDb();
  try {
    return (
      await db.query<{ u: string; h: string; d: string }>(
        "SELECT User AS u, Host AS h, Db AS d FROM mysql.db ORDER BY User, Host",
      )
    )
      .filter((r) => r.d.replaceAll("\\_", "_") === database)
      .map((r) => `${r.u}@${r.h}`);
  } finally {
    await db.close();
  }
}

describe("workspace-restore -o under a new name", () => {
  it("keeps the replaced copy's database user, creates none and leaves none behind", async () => {
    const src = install.workspaces[0]!;
    const file = path.join(install.root, "src.tar");
    expect((await bin(["workspace-backup", src.name, file])).exitCode).toBe(0);
    const copy = uniqueName("cp");
    const first = await bin(["workspace-restore", file, copy]);
    expect(first.exitCode, first.stderr).toBe(0);
    const firstUser = await userOf(copy);
    expect(firstUser).not.toBe(src.dbUser);
    expect(await accountExists(firstUser)).toBe(true);
    const before = await grantees(`wf_${copy}`);
    expect(before).toEqual([`${firstUser}@%`, `${firstUser}@localhost`]);

    const second = await bin(["workspace-restore", "-o", "--yes", "--json", file, copy]);
    expect(second.exitCode, second.stderr).toBe(0);
    expect((JSON.parse(second.stdout) as { newUser: boolean }).newUser).toBe(false);
    expect(await userOf(copy)).toBe(firstUser);
    expect(await grantees(`wf_${copy}`)).toEqual(before);
    expect(await accountExists(src.dbUser)).toBe(true);
    // The db.php credentials it kept still connect.
    expect((await bin(["info", copy])).exitCode).toBe(0);
  });
});
