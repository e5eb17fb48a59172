// Object-store keys are pmadmin's own: a child (mariadb-dump, mariadb, …) never gets them in its
// environment, whether they came from pmadmin's environment or from the run's.
import { afterEach, describe, expect, it } from "vitest";
import { runProgram } from "../../src/exec/run.js";

const saved = { ...process.env };
afterEach(() => {
  for (const k of ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID"]) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe("child environment", () => {
  it("withholds AWS keys and keeps everything else", async () => {
    process.env["AWS_SECRET_ACCESS_KEY"] = "inherited-secret-1a2b";
    process.env["AWS_SESSION_TOKEN"] = "inherited-token-3c4d";
    const r = await runProgram("sh", ["-c", "env"], {
      env: { AWS_ACCESS_KEY_ID: "passed-key-5e6f", PMADMIN_PROBE: "kept" },
    });
    expect(r.stdout).toContain("PMADMIN_PROBE=kept");
    expect(r.stdout).toContain("PATH=");
    expect(r.stdout).not.toContain("inherited-secret-1a2b");
    expect(r.stdout).not.toContain("inherited-token-3c4d");
    expect(r.stdout).not.toContain("passed-key-5e6f");
  });
});
