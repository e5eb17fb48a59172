// flush-cache's plan: compiled/ and the framework cache once, then each workspace's three targets.
import { describe, expect, it } from "vitest";
import { cacheTargets } from "../../src/cache/targets.js";
import type { Installation } from "../../src/install/installation.js";

const inst: Installation = {
  installDir: "/opt/pm",
  sharedDir: "/opt/pm/shared",
  compiledDir: "/var/cache/pm-compiled",
  pathsInstalled: undefined,
  sitesDir: "/opt/pm/shared/sites",
};

describe("cacheTargets", () => {
  it("lists PATH_C and framework/cache/data once, then cache/, cachefiles/, routes.php per workspace", () => {
    const t = cacheTargets(inst, [
      { name: "a", siteDir: "/opt/pm/shared/sites/a" },
      { name: "b", siteDir: "/opt/pm/shared/sites/b" },
    ]);
    expect(t.map((x) => [x.kind, x.label])).toEqual([
      ["empty", "/var/cache/pm-compiled/"],
      ["empty", "framework/cache/data/"],
      ["empty", "sites/a/cache/"],
      ["empty", "sites/a/cachefiles/"],
      ["remove", "sites/a/routes.php"],
      ["empty", "sites/b/cache/"],
      ["empty", "sites/b/cachefiles/"],
      ["remove", "sites/b/routes.php"],
    ]);
    expect(t[0]?.path).toBe("/var/cache/pm-compiled");
  });
});
