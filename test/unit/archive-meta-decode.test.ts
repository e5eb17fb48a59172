// Reading ProcessMaker's pretty-printed `<ws>.meta`: the exact inverse of its text replacement, so
// values with spaces, commas and braces survive; PHP's `\/` and `\uXXXX` escapes; the OS suffix.
import { describe, expect, it } from "vitest";
import {
  decodeMeta,
  encodeMeta,
  MetaError,
  phpJsonEncode,
  platformFromSystem,
  type WorkspaceMeta,
} from "../../src/archive/meta.js";

const awkward = "p,a{s}s w/ord é },{ ü";
const meta = {
  SYSTEM: "Ubuntu 18.04.6 LTS (Linux)",
  PHP: "7.1.33",
  PM_VERSION: "3.3.0-community-RE-2.8",
  PLUGINS_LIST: [],
  DB_HOST: "db.example.com:3306",
  DB_NAME: "wf_workflow",
  DB_USER: "wf_0123456789abc",
  DB_PASS: awkward,
  WORKSPACE_NAME: "workflow",
  DATABASE: "MySql (Version 5.7.44)",
  databases: [
    {
      adapter: "mysql",
      name: "wf_workflow",
      host: "db.example.com:3306",
      user: "wf_0123456789abc",
      pass: awkward,
      dsn: "mysql://u:p@h/wf_workflow",
    },
  ],
  directories: ["workflow.files"],
  version: 1,
  backupEngineVersion: 2,
  empty: {},
};

/** ProcessMaker: json_encode, then str_replace([',', '{', '}'], [",\n  ", "{\n  ", "\n}\n"]). */
/** The decoded document. */
const parseMetaJson = (text: string): Record<string, unknown> => decodeMeta(text, "x").raw;

const pmPretty = (json: string): string =>
  json.replaceAll(",", ",\n  ").replaceAll("{", "{\n  ").replaceAll("}", "\n}\n");

describe("decodeMeta", () => {
  it("gives back every value of ProcessMaker's pretty-printed meta exactly", () => {
    const text = encodeMeta(meta as unknown as WorkspaceMeta);
    expect(text).toContain("\\/"); // PHP escapes '/'
    expect(text).toContain("\\u00e9"); // and everything outside ASCII
    expect(text).toContain("p,\n  a{\n  s\n}\ns"); // the replacement hits values too
    expect(parseMetaJson(text)).toEqual(meta);
    const m = decodeMeta(text, "fallback");
    expect(m.workspace).toBe("workflow");
    expect(m.system).toBe("Ubuntu 18.04.6 LTS (Linux)");
    expect(m.pmVersion).toBe("3.3.0-community-RE-2.8");
    expect(m.databaseVersion).toBe("MySql (Version 5.7.44)");
    expect(m.version).toBe(1);
    expect(m.engine).toBe(2);
    expect(m.databases).toEqual([
      { name: "wf_workflow", host: "db.example.com:3306", user: "wf_0123456789abc", pass: awkward },
    ]);
    expect(m.directories).toEqual(["workflow.files"]);
  });

  it("matches our own rendering of ProcessMaker's replacement (CRLF too)", () => {
    const text = pmPretty(phpJsonEncode(meta));
    expect(parseMetaJson(text)).toEqual(meta);
    expect(parseMetaJson(text.replaceAll("\n", "\r\n"))).toEqual(meta);
  });

  it("reads nested braces and separators at value edges", () => {
    for (const v of ["}", "{", ",", "}}", "{}", "},{", "a }\n", "x\\/y", " lead and trail "]) {
      const o = { WORKSPACE_NAME: "w", DB_PASS: v, version: 1 };
      expect(parseMetaJson(pmPretty(phpJsonEncode(o)))).toEqual(o);
    }
  });

  it("falls back to whitespace stripping outside strings for a hand-edited meta", () => {
    const text =
      '{\n\t"WORKSPACE_NAME" :  "w",\n    "SYSTEM": "Windows Server 2019 (WINNT)",\n "version": 1\n}\n';
    const m = decodeMeta(text, "fallback");
    expect(m.workspace).toBe("w");
    expect(m.system).toBe("Windows Server 2019 (WINNT)");
  });

  it("defaults: engine 1 when absent (split backups), workspace from the file name, DB_* when no databases[]", () => {
    const m = decodeMeta(
      pmPretty(
        phpJsonEncode({ DB_NAME: "wf_x", DB_USER: "u", DB_PASS: "p", DB_HOST: "h", version: 1 }),
      ),
      "fromfile",
    );
    expect(m.engine).toBe(1);
    expect(m.workspace).toBe("fromfile");
    expect(m.databases).toEqual([{ name: "wf_x", host: "h", user: "u", pass: "p" }]);
  });

  it("refuses what is not JSON", () => {
    expect(() => parseMetaJson("not json")).toThrow(MetaError);
    expect(() => parseMetaJson("[1,2]")).toThrow(MetaError);
  });
});

describe("platformFromSystem", () => {
  it("reads the (…) suffix of SYSTEM", () => {
    expect(platformFromSystem("Debian GNU/Linux 12 (bookworm) (Linux)")).toBe("linux");
    expect(platformFromSystem("Windows Server 2019 (WINNT)")).toBe("win32");
    expect(platformFromSystem("Microsoft Windows 10 (Windows)")).toBe("win32");
    expect(platformFromSystem("macOS 14.1 (Darwin)")).toBe("darwin");
    expect(platformFromSystem("CentOS 7 (bookworm)")).toBeUndefined();
    expect(platformFromSystem(undefined)).toBeUndefined();
  });
});
