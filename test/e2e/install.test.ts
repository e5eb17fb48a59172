// Installing pmadmin as a user of a fresh server would: from a packed tarball and from a git URL
// into a temporary global prefix, then running the installed `pmadmin` from `/` (nothing of this
// checkout on hand): --version, the man page, completion, and a sandbox up/down.
// The working tree (committed or not) is copied into a temporary git repository first, so the
// checkout's own dist/ is never rebuilt under the other tests' feet.
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa, type Options } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const VERSION = (
  JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8")) as { version: string }
).version;
const TIMEOUT = 600_000;

let work: string;
let repo: string;

/** The environment without what `npm test` put there (npm_config_prefix and friends). */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^npm_/i.test(k) && k !== "INIT_CWD") env[k] = v;
  }
  return {
    ...env,
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    NO_COLOR: "1",
    ...extra,
  };
}

async function sh(file: string, args: readonly string[], opts: Options = {}) {
  const r = await execa(file, args, {
    env: cleanEnv(),
    extendEnv: false,
    reject: false,
    timeout: TIMEOUT,
    ...opts,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

async function ok(file: string, args: readonly string[], opts: Options = {}) {
  const r = await sh(file, args, opts);
  expect(r.exitCode, `${file} ${args.join(" ")}\n${r.stderr}`).toBe(0);
  return r;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "pmadmin-install-e2e-"));
  repo = path.join(work, "repo");
  // The files git would see (tracked and new, not ignored), as one commit of a fresh repository.
  const files = (
    await ok("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT })
  ).stdout
    .split("\0")
    .filter((f) => f !== "" && existsSync(path.join(ROOT, f)));
  for (const f of files) {
    await mkdir(path.dirname(path.join(repo, f)), { recursive: true });
    await cp(path.join(ROOT, f), path.join(repo, f), { verbatimSymlinks: true });
  }
  await ok("git", ["init", "-q", "-b", "main"], { cwd: repo });
  await ok("git", ["add", "-A"], { cwd: repo });
  await ok(
    "git",
    ["-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "snapshot"],
    { cwd: repo },
  );
}, TIMEOUT);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Installs `spec` globally into a fresh prefix; returns the prefix. */
async function installGlobal(name: string, spec: string): Promise<string> {
  const prefix = path.join(work, name);
  await ok("npm", ["install", "--global", "--prefix", prefix, spec], { cwd: work });
  return prefix;
}

/** What a user of that prefix sees: pmadmin on the PATH, run from `/`. */
async function checkInstalled(prefix: string): Promise<void> {
  const bin = path.join(prefix, "bin", "pmadmin");
  const env = cleanEnv({ PATH: `${path.join(prefix, "bin")}:${process.env["PATH"] ?? ""}` });
  const run = (args: string[]) => sh(bin, args, { cwd: "/", env });
  const version = await run(["--version"]);
  expect(version).toMatchObject({ exitCode: 0, stdout: VERSION });

  const pkg = path.join(prefix, "lib", "node_modules", "pmadmin");
  for (const f of [
    "LICENSE",
    "README.md",
    "docs/errors.md",
    "docs/commands/workspace-backup.md",
    "man/pmadmin.1",
    "contrib/pmadmin-backup.cron",
    "fixtures/pm3/schema.sql",
  ]) {
    expect(existsSync(path.join(pkg, f)), f).toBe(true);
  }
  expect(await readFile(path.join(pkg, "LICENSE"), "utf8")).toMatch(
    /MIT License[\s\S]*pmadmin contributors/,
  );
  // README links to docs/ resolve inside the package.
  const readme = await readFile(path.join(pkg, "README.md"), "utf8");
  for (const [, link] of readme.matchAll(/\]\(((?:docs|contrib)\/[^)#]+)/g)) {
    expect(existsSync(path.join(pkg, link ?? "")), link).toBe(true);
  }
  const shipped = (await readdir(pkg, { recursive: true })).filter(
    (f) => !f.startsWith("node_modules"),
  );
  expect(shipped.filter((f) => f.endsWith(".map"))).toEqual([]); // no maps to a src/ not shipped
  expect(shipped.some((f) => f.startsWith("src"))).toBe(false);
  expect((await stat(path.join(prefix, "share", "man", "man1", "pmadmin.1"))).isFile()).toBe(true);
  expect((await run(["completion", "bash"])).stdout).toContain(
    "complete -o bashdefault -o default -F _pmadmin pmadmin",
  );

  const dir = path.join(work, `${path.basename(prefix)}-sandbox`);
  try {
    const up = await run(["sandbox", "up", dir, "--cases", "2"]);
    expect(up.exitCode, up.stderr).toBe(0);
    // The hint works as typed: pmadmin is on the PATH and is this installed copy.
    expect(up.stdout).toContain(`Try: pmadmin --install-dir ${dir} info`);
    const info = await run(["--install-dir", dir, "info", "--json"]);
    expect(info.exitCode, info.stderr).toBe(0);
    expect(
      (JSON.parse(info.stdout) as { workspaces: Array<{ name: string }> }).workspaces.map(
        (w) => w.name,
      ),
    ).toEqual(["workflow"]);
  } finally {
    const down = await run(["sandbox", "down", dir, "--purge"]);
    expect(down.exitCode, down.stderr).toBe(0);
  }
  expect(existsSync(dir)).toBe(false);
}

describe("installing pmadmin", () => {
  it(
    "from the packed tarball: npm i -g ./pmadmin-*.tgz puts a working pmadmin on the PATH",
    async () => {
      // npm pack builds (prepare) with this checkout's devDependencies, in the copy.
      await symlink(path.join(ROOT, "node_modules"), path.join(repo, "node_modules"));
      try {
        const packed = await ok("npm", ["pack", "--silent", "--pack-destination", work], {
          cwd: repo,
        });
        const tgz = path.join(work, packed.stdout.trim().split("\n").pop() ?? "");
        expect(path.basename(tgz)).toBe(`pmadmin-${VERSION}.tgz`);
        const list = await ok("tar", ["-tzf", tgz]);
        expect(list.stdout).toContain("package/man/pmadmin.1");
        expect(list.stdout).not.toMatch(/\.map$|^package\/src\/|^package\/test\/|node_modules/m);
        await checkInstalled(await installGlobal("prefix-tgz", tgz));
      } finally {
        await rm(path.join(repo, "node_modules"));
      }
    },
    TIMEOUT,
  );

  it(
    "from a git URL: npm pack git+URL, then npm i -g the tarball; npm i -g git+URL says so",
    async () => {
      const url = `git+file://${repo}`;
      // One step hits npm/cli#8440: say what works instead of "tsc: not found" or a broken link.
      const direct = await sh(
        "npm",
        ["install", "--global", "--prefix", path.join(work, "prefix-direct"), url],
        { cwd: work },
      );
      expect(direct.exitCode).not.toBe(0);
      expect(direct.stderr).toContain("npm pack --silent git+https://");
      expect(direct.stderr).not.toContain("tsc: not found");

      const dest = path.join(work, "from-git");
      await mkdir(dest);
      const packed = await ok("npm", ["pack", "--silent", url], { cwd: dest });
      const tgz = path.join(dest, packed.stdout.trim().split("\n").pop() ?? "");
      await checkInstalled(await installGlobal("prefix-git", tgz));
    },
    TIMEOUT,
  );
});
