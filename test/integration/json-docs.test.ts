// docs/json.md documents every command's --json document as a shape; this runs every command
// for real (a PM3 install, a PM4 install with its Redis, a sandbox) and checks each document
// against its documented shape: every documented field present with its type, nothing
// undocumented. A command added without a documented shape fails "every command is covered".
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHANGING } from "../../src/cli/global-options.js";
import { runInProcess } from "../helpers/cli.js";
import { programCommands } from "../helpers/program-tree.js";
import { uniqueName } from "../helpers/db.js";
import { createTestInstall, FIXED_NOW, type TestInstall } from "../helpers/install.js";
import { createPm4Fixture, type Pm4Fixture } from "../helpers/pm4.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";

type Shape = string | Shape[] | { [key: string]: Shape };

/** `### id` headings, each followed by one ```json block: the shape of that document. */
async function documentedShapes(): Promise<Map<string, Shape>> {
  const text = await readFile(path.resolve(import.meta.dirname, "../../docs/json.md"), "utf8");
  const shapes = new Map<string, Shape>();
  // A heading may name several documents of one shape: ### `role activate` · `role deactivate`
  const re = /^### (`[^\n]+)\n(?:(?!^### )[\s\S])*?^```json\n([\s\S]*?)^```/gm;
  for (const m of text.matchAll(re)) {
    const shape = JSON.parse(m[2] as string) as Shape;
    for (const id of (m[1] as string).matchAll(/`([^`]+)`/g)) shapes.set(id[1] as string, shape);
  }
  return shapes;
}

const typeOf = (v: unknown): string =>
  v === null ? "null" : Array.isArray(v) ? "array" : typeof v;

/** Problems of `value` against `shape`, as "path: what" lines (empty when it fits). */
function checkShape(value: unknown, shape: Shape, at = "$"): string[] {
  if (typeof shape === "string") {
    const allowed = shape.split("|");
    return allowed.includes("any") || allowed.includes(typeOf(value))
      ? []
      : [`${at}: ${typeOf(value)} is not ${shape}`];
  }
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) return [`${at}: ${typeOf(value)} is not an array`];
    return value.flatMap((v, i) => checkShape(v, shape[0] as Shape, `${at}[${i}]`));
  }
  const or = (shape as Record<string, Shape>)["(or)"];
  if (typeof or === "string" && or.split("|").includes(typeOf(value))) return [];
  if (typeOf(value) !== "object") return [`${at}: ${typeOf(value)} is not an object`];
  const obj = value as Record<string, unknown>;
  const problems: string[] = [];
  const known = new Set<string>();
  for (const [rawKey, sub] of Object.entries(shape)) {
    if (rawKey === "*" || rawKey === "(or)") continue;
    const key = rawKey.replace(/\?$/, "");
    known.add(key);
    if (!(key in obj)) {
      if (!rawKey.endsWith("?")) problems.push(`${at}.${key}: missing`);
      continue;
    }
    problems.push(...checkShape(obj[key], sub, `${at}.${key}`));
  }
  for (const key of Object.keys(obj)) {
    if (known.has(key)) continue;
    if ("*" in shape) problems.push(...checkShape(obj[key], shape["*"], `${at}.${key}`));
    else problems.push(`${at}.${key}: not documented`);
  }
  return problems;
}

let install: TestInstall;
let ws: string;
let fx: Pm4Fixture;
let redis: TestRedis;
let scratch: string;
let shapes: Map<string, Shape>;
const copy = uniqueName("jsn");

beforeAll(async () => {
  shapes = await documentedShapes();
  install = await createTestInstall({ cases: 2 });
  ws = (install.workspaces[0] as TestInstall["workspaces"][number]).name;
  redis = await startRedis();
  fx = await createPm4Fixture({ redisPort: redis.port, redisDb: 3 });
  scratch = await mkdtemp(path.join(tmpdir(), "pmadmin-json-docs-"));
  await mkdir(path.join(scratch, "all"));
});
afterAll(async () => {
  await runInProcess(["sandbox", "down", path.join(scratch, "sb"), "--purge"]);
  await fx?.cleanup();
  await redis?.stop();
  await install?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

interface Case {
  /** The heading in docs/json.md. */
  doc: string;
  args: () => string[];
  env?: () => Record<string, string>;
  exit?: number;
}

const pm3 = (doc: string, args: () => string[], exit = 0): Case => ({ doc, args, exit });
const pm4 = (doc: string, args: string[]): Case => ({
  doc,
  args: () => ["platform", ...args],
  env: () => fx.env(),
});

// In order: later cases use what earlier ones made (the backup, the role).
const CASES: Case[] = [
  pm3("info", () => ["info"]),
  pm3("workspace-backup --dry-run", () => ["workspace-backup", ws, "j.tar.gz", "--dry-run"]),
  pm3("workspace-backup", () => ["workspace-backup", ws, "j.tar.gz"]),
  pm3("workspace-backup --all --dry-run", () => [
    "workspace-backup",
    "--all",
    path.join(scratch, "all"),
    "--dry-run",
  ]),
  pm3("workspace-backup --all", () => ["workspace-backup", "--all", path.join(scratch, "all")]),
  pm3("backups list", () => ["backups", "list"]),
  pm3("backups verify", () => ["backups", "verify", "j"]),
  pm3("workspace-restore -i", () => ["workspace-restore", "-i", "j"]),
  pm3("workspace-restore -i --list", () => ["workspace-restore", "-i", "--list", "j"]),
  pm3("workspace-restore --dry-run", () => ["workspace-restore", "j", copy, "--dry-run"]),
  pm3("workspace-restore", () => ["workspace-restore", "j", copy]),
  pm3("check-integrity", () => ["check-integrity", "-w", ws]),
  pm3("check-integrity --list", () => ["check-integrity", "--list"]),
  pm3("flush-cache --dry-run", () => ["flush-cache", ws, "--dry-run"]),
  pm3("flush-cache", () => ["flush-cache", ws]),
  pm3("role list", () => ["role", "list", "-w", ws]),
  pm3("role show", () => ["role", "show", "PROCESSMAKER_OPERATOR", "-w", ws]),
  pm3("role create", () => ["role", "create", "JSON_DOCS", "-w", ws]),
  pm3("role deactivate", () => ["role", "deactivate", "JSON_DOCS", "-w", ws]),
  pm3("role activate", () => ["role", "activate", "JSON_DOCS", "-w", ws]),
  pm3("role grant", () => ["role", "grant", "JSON_DOCS", "PM_CASES", "-w", ws]),
  pm3("role grant", () => ["role", "grant", "JSON_DOCS", "PM_ALLCASES", "-w", ws, "--dry-run"]),
  pm3("role revoke", () => ["role", "revoke", "JSON_DOCS", "PM_CASES", "-w", ws]),
  pm3("permission list", () => ["permission", "list", "-w", ws]),
  pm3("user show", () => ["user", "show", "admin", "-w", ws]),
  pm3("user role", () => ["user", "role", "sean.obrien", "PROCESSMAKER_OPERATOR", "-w", ws]),
  pm3("admin-status", () => ["admin-status"]),
  pm3("expire-admin", () => ["expire-admin", "-w", ws, "--dry-run"]),
  pm3("extend-admin", () => ["extend-admin", "-w", ws, "--until", "2041-01-01"]),
  pm3("extend-admin", () => [
    "extend-admin",
    "-w",
    ws,
    "--until",
    "2041-01-01",
    "--rotate-password",
  ]),
  pm3("sandbox up", () => ["sandbox", "up", path.join(scratch, "sb"), "--cases", "1"]),
  pm3("sandbox status", () => ["sandbox", "status", path.join(scratch, "sb")]),
  pm3("sandbox down", () => ["sandbox", "down", path.join(scratch, "sb")]),
  pm4("platform permission list", ["permission", "list"]),
  pm4("platform permission grant", ["permission", "grant", "view-files", "--user", "bob"]),
  pm4("platform permission grant", [
    "permission",
    "grant",
    "view-groups",
    "--user",
    "bob",
    "--dry-run",
  ]),
  pm4("platform permission revoke", ["permission", "revoke", "view-files", "--user", "bob"]),
  pm4("platform permission show", ["permission", "show", "--user", "alice"]),
  pm4("platform permission show", ["permission", "show", "--user", "alice", "--effective"]),
  pm4("platform permission show", ["permission", "show", "--user", "admin", "--effective"]),
  pm4("platform super-admin", ["super-admin", "alice", "on"]),
  pm4("platform super-admin", ["super-admin", "alice", "off", "--dry-run"]),
  pm3("completion", () => ["completion", "bash"]),
  pm3("error", () => ["info", "nosuchws"], 2),
  pm3("error", () => ["info", "--bogus"], 2),
];

describe("the shape check", () => {
  it("catches a missing field, an undocumented one, a wrong type and a null where none may be", () => {
    const shape: Shape = { a: "number", "b?": ["string"], c: { "(or)": "null", d: "string|null" } };
    expect(checkShape({ a: 1, c: null }, shape)).toEqual([]);
    expect(checkShape({ a: 1, b: ["x"], c: { d: null } }, shape)).toEqual([]);
    expect(checkShape({ c: { d: "x" }, e: 1 }, shape)).toEqual([
      "$.a: missing",
      "$.e: not documented",
    ]);
    expect(checkShape({ a: "1", b: [2], c: { d: 3 } }, shape)).toEqual([
      "$.a: string is not number",
      "$.b[0]: number is not string",
      "$.c.d: number is not string|null",
    ]);
    expect(checkShape({ a: 1, c: { d: "x", f: 1 } }, { a: "number", c: { d: "string" } })).toEqual([
      "$.c.f: not documented",
    ]);
    expect(checkShape({ a: null }, { a: { x: "string" } })).toEqual(["$.a: null is not an object"]);
  });
});

describe("docs/json.md", () => {
  it("documents a shape for every command", () => {
    const leaves = programCommands()
      .filter((c) => c.cmd.commands.length === 0)
      .map((c) => c.path.join(" "));
    const documented = [...shapes.keys()];
    for (const leaf of leaves)
      expect(
        documented.some((d) => d === leaf || d.startsWith(`${leaf} `)),
        leaf,
      ).toBe(true);
    for (const leaf of leaves)
      expect(
        CASES.some((c) => c.doc === leaf || c.doc.startsWith(`${leaf} `)),
        leaf,
      ).toBe(true);
  });

  it.each(CASES.map((c, i) => [`${c.doc} (${i})`, c] as const))(
    "%s matches its documented shape",
    async (_name, c) => {
      const args = [...c.args(), "--json"];
      const r = await runInProcess(args, {
        env: c.env ? c.env() : install.env(),
        now: FIXED_NOW,
      });
      if (process.env["PMADMIN_JSON_DUMP"])
        await writeFile(
          path.join(
            process.env["PMADMIN_JSON_DUMP"],
            `${c.doc.replace(/\W+/g, "_")}-${_name.replace(/\D+/g, "")}.json`,
          ),
          r.stdout,
        );
      expect(r.exitCode, `${args.join(" ")}: ${r.stderr}`).toBe(c.exit ?? 0);
      if (c.doc === "workspace-restore") {
        const doc = JSON.parse(r.stdout) as { dbUser: string };
        install.track(`wf_${copy}`, doc.dbUser);
      }
      const shape = shapes.get(c.doc);
      expect(shape, `docs/json.md has no shape for ${c.doc}`).toBeDefined();
      const doc = JSON.parse(r.stdout) as unknown;
      expect(checkShape(doc, shape as Shape)).toEqual([]);
      expect((doc as { schemaVersion: unknown }).schemaVersion).toBe(1);
      // A command with a dry run lists --dry-run in its help (src/cli/global-options.ts).
      const command = c.doc
        .split(" ")
        .filter((w) => !w.startsWith("-"))
        .join(" ");
      if (typeof doc === "object" && doc !== null && "dryRun" in doc)
        expect(CHANGING.has(command), command).toBe(true);
    },
  );
});
