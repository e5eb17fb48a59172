// Pure PM4 pieces: .env parsing, cache key derivation, pairing rules, group closure.
import { describe, expect, it } from "vitest";
import {
  cacheSettings,
  fileCachePath,
  laravelSlug,
  redisKeyPrefixes,
} from "../../src/pm4/cache-config.js";
import {
  majorOf,
  versionFromApplicationPhp,
  versionFromComposerLock,
} from "../../src/pm4/laravel-version.js";
import { effectivePermissions, groupClosure } from "../../src/pm4/effective.js";
import { parseDotEnv } from "../../src/pm4/env-file.js";
import {
  directRequirements,
  impliedCategoryViews,
  missingRequirements,
  orphanedByRevoke,
} from "../../src/pm4/rules.js";
import { USER_TYPE } from "../../src/pm4/sql.js";
import { renderStatement } from "../../src/db/statement.js";
import { revokeStatement } from "../../src/pm4/statements.js";

describe("parseDotEnv", () => {
  it("reads quoting, comments, export, interpolation and tells empty from absent", () => {
    const env = parseDotEnv(
      [
        "# comment",
        'APP_NAME="Process Maker"',
        "export DB_HOSTNAME=db.local # inline",
        "DB_PASSWORD='p#ss $word'",
        "REDIS_PREFIX=",
        'URL="mysql://${DB_HOSTNAME}/x"',
        'MULTI="a',
        'b"',
      ].join("\n"),
    );
    expect(env.get("APP_NAME")).toBe("Process Maker");
    expect(env.get("DB_HOSTNAME")).toBe("db.local");
    expect(env.get("DB_PASSWORD")).toBe("p#ss $word");
    expect(env.has("REDIS_PREFIX")).toBe(true);
    expect(env.get("REDIS_PREFIX")).toBe("");
    expect(env.has("CACHE_PREFIX")).toBe(false);
    expect(env.get("URL")).toBe("mysql://db.local/x");
    expect(env.get("MULTI")).toBe("a\nb");
  });
});

describe("cache settings", () => {
  it("derives the physical redis key prefix as Laravel does", () => {
    expect(laravelSlug("ProcessMaker 4 - Prod")).toBe("processmaker_4_prod");
    const absent = cacheSettings(parseDotEnv(""), "/pm");
    expect(absent).toMatchObject({
      driver: "redis",
      keyPrefixes: [
        "processmaker_database_processmaker_cache_",
        "processmaker_database_processmaker_cache_:",
      ],
    });
    const set = cacheSettings(
      parseDotEnv("APP_NAME=Acme\nREDIS_PREFIX=\nCACHE_PREFIX=\nREDIS_DB=3\nREDIS_PASSWORD=null"),
      "/pm",
    );
    expect(set).toMatchObject({
      driver: "redis",
      keyPrefixes: [""],
      redis: { db: 3, password: undefined },
    });
  });

  it("puts ':' after the cache prefix up to Laravel 10 only; both forms when unknown", () => {
    const env = parseDotEnv("");
    const prefixes = (major?: number): unknown =>
      (cacheSettings(env, "/pm", major) as { keyPrefixes: string[] }).keyPrefixes;
    expect(prefixes(11)).toEqual(["processmaker_database_processmaker_cache_"]);
    expect(prefixes(12)).toEqual(["processmaker_database_processmaker_cache_"]);
    expect(prefixes(10)).toEqual(["processmaker_database_processmaker_cache_:"]);
    expect(redisKeyPrefixes("r_", "", 10)).toEqual(["r_"]);
    expect(versionFromApplicationPhp("    const VERSION = '11.43.2';")).toBe("11.43.2");
    expect(versionFromApplicationPhp('const VERSION = "10.48.22";')).toBe("10.48.22");
    expect(versionFromApplicationPhp("<?php // no version here")).toBeUndefined();
    const lock = JSON.stringify({ packages: [{ name: "laravel/framework", version: "v11.0.3" }] });
    expect(versionFromComposerLock(lock)).toBe("11.0.3");
    expect(versionFromComposerLock("{not json")).toBeUndefined();
    expect(majorOf("11.43.2")).toBe(11);
    expect(majorOf(undefined)).toBeUndefined();
  });

  it("maps the file store to Laravel's sha1 path and flags unsupported stores", () => {
    const file = cacheSettings(parseDotEnv("CACHE_DRIVER=file"), "/pm");
    expect(file).toEqual({ driver: "file", dir: "/pm/storage/framework/cache/data" });
    // sha1("user_5_permissions")
    expect(fileCachePath("/d", "user_5_permissions")).toMatch(
      /^\/d\/([0-9a-f]{2})\/([0-9a-f]{2})\/\1\2[0-9a-f]{36}$/,
    );
    expect(cacheSettings(parseDotEnv("CACHE_DRIVER=memcached"), "/pm")).toMatchObject({
      unsupported: true,
    });
  });
});

describe("pairing rules", () => {
  const known = new Set([
    "create-users",
    "edit-users",
    "view-users",
    "update-settings",
    "view-settings",
    "create-process-categories",
    "view-process-categories",
    "edit-process-categories",
    "edit-personal-profile",
  ]);

  it("create implies edit, and any action needs view (only names that exist)", () => {
    expect(directRequirements("create-users", known)).toEqual(["edit-users", "view-users"]);
    expect(directRequirements("update-settings", known)).toEqual(["view-settings"]);
    expect(directRequirements("create-process-categories", known)).toEqual([
      "edit-process-categories",
      "view-process-categories",
    ]);
    expect(directRequirements("edit-personal-profile", known)).toEqual([]);
    expect(directRequirements("view-users", known)).toEqual([]);
  });

  it("reports what is missing, transitively, minus what is held or requested", () => {
    expect([...missingRequirements(["create-users"], new Set(), known)]).toEqual([
      ["edit-users", ["create-users"]],
      ["view-users", ["create-users", "edit-users"]],
    ]);
    expect(
      missingRequirements(["create-users", "edit-users"], new Set(["view-users"]), known).size,
    ).toBe(0);
    expect([...orphanedByRevoke(["view-users"], new Set(["edit-users"]), known)]).toEqual([
      ["edit-users", ["view-users"]],
    ]);
  });

  it("knows the server's computed category views", () => {
    expect([...impliedCategoryViews(new Set(["edit-scripts"]))]).toEqual([
      ["view-script-categories", "edit-scripts"],
    ]);
  });
});

describe("effective permissions", () => {
  it("walks up nested groups and survives cycles", () => {
    const edges = [
      { child: 1, parent: 2 },
      { child: 2, parent: 3 },
      { child: 3, parent: 2 },
    ];
    expect([...groupClosure([1], edges)]).toEqual([
      [1, undefined],
      [2, 1],
      [3, 2],
    ]);
    const r = effectivePermissions({
      direct: ["view-users"],
      seedGroups: [1],
      edges,
      groupPermissions: new Map([[3, ["create-processes"]]]),
      groupNames: new Map([
        [1, "A"],
        [2, "B"],
        [3, "C"],
      ]),
    });
    expect(r.entries).toEqual([
      { name: "create-processes", sources: ["group 'C' (via 'B' ← 'A')"] },
      { name: "view-process-categories", sources: ["implied by create-processes"] },
      { name: "view-users", sources: ["direct"] },
    ]);
  });
});

describe("dry-run SQL", () => {
  it("inlines values with the type string escaped for MySQL", () => {
    expect(renderStatement(revokeStatement([4, 5], USER_TYPE, 7))).toBe(
      "DELETE FROM assignables WHERE assignable_type = 'ProcessMaker\\\\Models\\\\User' AND assignable_id = 7 AND permission_id IN (4, 5);",
    );
  });
});
