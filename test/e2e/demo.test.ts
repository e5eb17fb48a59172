// `npm run demo` is a guided tour: every step says what it shows and why its exit code is what
// it is, prints its command so that it works when pasted (absolute paths, --install-dir given),
// carries no escape codes when its output is not a terminal, and shows the 17-line inert-grant
// warning once. The script checks its own exit codes and exits 1 when one is not as explained.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { runBin } from "../helpers/cli.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const root = await mkdtemp(path.join(tmpdir(), "pmadmin-demo-"));
const dir = path.join(root, "demo");

afterAll(async () => {
  await runBin(["sandbox", "down", dir, "--purge"]);
  await rm(root, { recursive: true, force: true });
});

describe("scripts/demo.sh", () => {
  it("runs as a guided tour whose commands work when pasted", async () => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      PMADMIN_DEMO_DIR: dir,
      TERM: "xterm-256color",
    };
    delete env["NO_COLOR"];
    const r = await execa("bash", [path.join(ROOT, "scripts/demo.sh")], {
      env,
      reject: false,
      all: true,
    });
    const out = r.all ?? "";
    expect(r.exitCode, out).toBe(0);
    expect(out).not.toContain("\u001b"); // not a terminal: no styling
    // A fresh stock workspace is clean (issue 12): no finding, hence no 17-line warning at all.
    expect(out).not.toMatch(/rbac\.inert-grant/);
    expect(out).toMatch(/OK: 0 errors, 0 warnings/);

    const lines = out.split("\n");
    const headers = lines.filter((l) => /^\d+\. /.test(l));
    const commands = lines.filter((l) => l.startsWith("$ "));
    expect(headers.length).toBeGreaterThanOrEqual(10);
    expect(commands).toHaveLength(headers.length);
    for (const h of headers) expect(h, h).toMatch(/exit \d/); // each step says its exit code
    for (const [code, why] of [
      ["2", /Refused on purpose/],
      ["4", /On purpose \(exit 4\)/],
    ] as const) {
      const i = lines.findIndex((l) => why.test(l));
      expect(i, String(why)).toBeGreaterThan(-1);
      expect(lines.slice(i).find((l) => l.startsWith("(exit "))).toBe(
        `(exit ${code}, as explained above)`,
      );
    }
    for (const c of commands) {
      expect(c, c).toMatch(/^\$ \/\S+\/bin\/pmadmin\.js |^\$ pmadmin /);
      if (!c.includes(" sandbox up ")) expect(c, c).toContain(` --install-dir ${dir} `);
    }
    expect(out).toMatch(/All \d+ steps exited as explained/);

    // Pasted from /, with nothing exported, a printed command does what the tour showed.
    const info = commands.find((c) => c.endsWith(" info")) ?? "";
    const pasted = await execa("bash", ["-c", info.slice(2)], {
      cwd: "/",
      env: { PATH: process.env["PATH"] ?? "", NO_COLOR: "1" },
      extendEnv: false,
      reject: false,
    });
    expect(pasted.exitCode, pasted.stderr).toBe(0);
    expect(pasted.stdout).toMatch(/Workspace Name workflow/);
  });
});
