// Starts one disposable MariaDB server for the whole run (or uses PMADMIN_TEST_DB_URL) and
// hands its admin URL to the test files. Stops and deletes it afterwards.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { destroyServer, startServer } from "../../src/db/server.js";

let baseDir: string | undefined;

declare module "vitest" {
  export interface ProvidedContext {
    dbUrl: string;
  }
}

export async function setup(project: TestProject): Promise<void> {
  const external = process.env["PMADMIN_TEST_DB_URL"];
  if (external) {
    project.provide("dbUrl", external);
    return;
  }
  baseDir = await mkdtemp(path.join(tmpdir(), "pmadmin-testdb-"));
  const s = await startServer({ baseDir });
  project.provide(
    "dbUrl",
    `mysql://root:${encodeURIComponent(s.rootPassword)}@127.0.0.1:${s.port}`,
  );
}

export async function teardown(): Promise<void> {
  if (baseDir) await destroyServer(baseDir);
}
