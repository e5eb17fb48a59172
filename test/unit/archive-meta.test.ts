import { describe, expect, it } from "vitest";
import {
  decodeMeta,
  encodeMeta,
  phpJsonEncode,
  type WorkspaceMeta,
} from "../../src/archive/meta.js";
import { splitUstarName, encodeHeader } from "../../src/archive/tar-header.js";
import { decodeMetaAsProcessMaker } from "../helpers/pm-archive.js";

const meta = {
  SYSTEM: "Debian GNU/Linux 12 (bookworm) (Linux)",
  PHP: "8.2.1",
  PM_VERSION: "3.3.0-community-RE-2.8",
  SERVER_ADDR: "",
  IP: "",
  PLUGINS_LIST: [],
  DB_PASS: "p,a{s}s w/ord é",
  WORKSPACE_NAME: "workflow",
  DATABASE: "MySql (Version 10.11.19)",
  DATABASE_SERVER: "localhost",
  DATABASE_NAME: "wf_workflow",
  AVAILABLE_DB: "Not defined",
  databases: [
    {
      adapter: "mysql",
      name: "wf_workflow",
      host: "localhost",
      user: "u",
      pass: "p",
      dsn: "mysql://u:p@localhost/wf_workflow?encoding=utf8",
    },
  ],
  directories: ["workflow.files"],
  version: 1,
  backupEngineVersion: 2,
} as WorkspaceMeta;

describe("meta encoding", () => {
  it("is PHP json_encode: escaped slashes, \\u escapes for non-ASCII", () => {
    expect(phpJsonEncode({ a: "x/y é 😀", n: 1, e: [] })).toBe(
      '{"a":"x\\/y \\u00e9 \\ud83d\\ude00","n":1,"e":[]}',
    );
  });

  it("pretty-prints by plain replacement, inside strings too", () => {
    const text = encodeMeta(meta);
    expect(
      text.startsWith('{\n  "SYSTEM":"Debian GNU\\/Linux 12 (bookworm) (Linux)",\n  "PHP"'),
    ).toBe(true);
    expect(text).toContain('"DB_PASS":"p,\n  a{\n  s\n}\ns w\\/ord \\u00e9"');
    expect(text.endsWith('"backupEngineVersion":2\n}\n')).toBe(true);
  });

  it("decodes exactly, and the way ProcessMaker does (whitespace gone from values)", () => {
    const text = encodeMeta(meta);
    expect(decodeMeta(text, "x").raw).toEqual(meta);
    const pm = decodeMetaAsProcessMaker(encodeMeta({ ...meta, DB_PASS: "no-space" }));
    expect(pm.DATABASE).toBe("MySql(Version10.11.19)");
    expect(pm["DB_PASS"]).toBe("no-space");
    expect(pm.version).toBe(1);
  });
});

describe("tar header names", () => {
  it("uses the ustar prefix for long names and keeps it within Archive_Tar's 131 bytes", () => {
    expect(splitUstarName("short")).toEqual({ prefix: "", name: "short" });
    const long = `${"a".repeat(120)}/${"b".repeat(90)}`;
    expect(splitUstarName(long)).toEqual({ prefix: "a".repeat(120), name: "b".repeat(90) });
    expect(splitUstarName(`${"a".repeat(140)}/${"b".repeat(20)}`)).toBeUndefined();
    expect(splitUstarName("c".repeat(101))).toBeUndefined();
  });

  it("falls back to a GNU long-name entry and writes a valid checksum", () => {
    const h = encodeHeader({
      name: "x".repeat(300),
      type: "file",
      mode: 0o640,
      uid: 1000,
      gid: 1000,
      size: 5,
      mtime: 1_700_000_000,
    });
    expect(h.length).toBe(512 * 3);
    expect(h.subarray(0, 13).toString()).toBe("././@LongLink");
    expect(String.fromCharCode(h[156] ?? 0)).toBe("L");
    const real = h.subarray(1024);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (real[i] ?? 0);
    expect(parseInt(real.subarray(148, 154).toString(), 8)).toBe(sum);
    expect(real.subarray(257, 265).toString("latin1")).toBe("ustar\u000000");
  });
});
