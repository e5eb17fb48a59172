// One connection target per account (style.md rule 15): the option file a child client reads and
// mysql2's connection options must name the same socket or the same host:port for every target.
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { connectionTarget, DEFAULT_SOCKETS } from "../../src/db/connection-target.js";
import { connectionOptions } from "../../src/db/mysql.js";
import type { DbTarget } from "../../src/db/types.js";
import { optionFileText, writeOptionFile } from "../../src/exec/option-file.js";

type Where = { socket: string } | { host: string; port: number };

function fromOptionFile(text: string): Where {
  const get = (k: string): string | undefined =>
    new RegExp(`^${k}=(.*)$`, "m").exec(text)?.[1]?.replace(/^"(.*)"$/, "$1");
  const protocol = get("protocol");
  if (protocol === "SOCKET") return { socket: get("socket") ?? "" };
  expect(protocol).toBe("TCP");
  return { host: get("host") ?? "", port: Number(get("port")) };
}

function fromMysql2(t: DbTarget, env: Record<string, string>): Where {
  const o = connectionOptions(t, env);
  if (o.socketPath !== undefined) {
    expect(o.host).toBeUndefined();
    return { socket: o.socketPath };
  }
  return { host: String(o.host), port: Number(o.port) };
}

const account = { user: "wf_x", password: 'p"w\\d' };
const localDefault = DEFAULT_SOCKETS.find((s) => existsSync(s));

const cases: Array<{ name: string; target: DbTarget; env: Record<string, string>; want: Where }> = [
  {
    name: "localhost without a port: the default socket (TCP :3306 only when none exists)",
    target: { host: "localhost", port: undefined, ...account },
    env: {},
    want: localDefault ? { socket: localDefault } : { host: "localhost", port: 3306 },
  },
  {
    name: "localhost with PM_DB_SOCKET",
    target: { host: "localhost", port: undefined, ...account },
    env: { PM_DB_SOCKET: "/srv/db/one.sock" },
    want: { socket: "/srv/db/one.sock" },
  },
  {
    name: "localhost:3307 with PM_DB_SOCKET: still the socket, as PHP's mysqlnd does",
    target: { host: "LocalHost", port: 3307, ...account },
    env: { PM_DB_SOCKET: "/srv/db/one.sock" },
    want: { socket: "/srv/db/one.sock" },
  },
  {
    name: "127.0.0.1:3306 stays TCP whatever PM_DB_SOCKET says",
    target: { host: "127.0.0.1", port: 3306, ...account },
    env: { PM_DB_SOCKET: "/srv/db/one.sock" },
    want: { host: "127.0.0.1", port: 3306 },
  },
  {
    name: "a remote host:port",
    target: { host: "db.example.org", port: 3310, ...account },
    env: { PM_DB_SOCKET: "/srv/db/one.sock" },
    want: { host: "db.example.org", port: 3310 },
  },
  {
    name: "a remote host without a port: 3306",
    target: { host: "db.example.org", port: undefined, ...account },
    env: {},
    want: { host: "db.example.org", port: 3306 },
  },
  {
    name: "an explicit socketPath wins over PM_DB_SOCKET and the host",
    target: { host: "127.0.0.1", port: 3306, socketPath: "/srv/db/two.sock", ...account },
    env: { PM_DB_SOCKET: "/srv/db/one.sock" },
    want: { socket: "/srv/db/two.sock" },
  },
];

describe("the option file and mysql2 connect to the same place", () => {
  for (const c of cases) {
    it(c.name, async () => {
      expect(fromMysql2(c.target, c.env)).toEqual(c.want);
      expect(fromOptionFile(optionFileText(c.target, c.env))).toEqual(c.want);
      // The file really written (mode 0600) says the same, and carries the quoted password.
      const f = await writeOptionFile(c.target, c.env);
      try {
        const text = await readFile(f.path, "utf8");
        expect(fromOptionFile(text)).toEqual(c.want);
        expect(text).toContain('password="p\\"w\\\\d"');
      } finally {
        await f.dispose();
      }
      expect(existsSync(f.path)).toBe(false);
    });
  }

  it("without an env argument both use the run's environment (setConnectionEnv)", async () => {
    const { setConnectionEnv } = await import("../../src/db/connection-target.js");
    const target: DbTarget = { host: "localhost", port: undefined, ...account };
    setConnectionEnv({ PM_DB_SOCKET: "/srv/db/run.sock" });
    try {
      expect(connectionTarget(target)).toEqual({ kind: "socket", socketPath: "/srv/db/run.sock" });
      expect(connectionOptions(target).socketPath).toBe("/srv/db/run.sock");
      expect(fromOptionFile(optionFileText(target))).toEqual({ socket: "/srv/db/run.sock" });
    } finally {
      setConnectionEnv({});
    }
  });

  it("the default socket list is probed in order when PM_DB_SOCKET is unset", () => {
    const seen: string[] = [];
    const t = connectionTarget({ host: "localhost", port: undefined }, {}, (p) => {
      seen.push(p);
      return p === "/var/lib/mysql/mysql.sock";
    });
    expect(t).toEqual({ kind: "socket", socketPath: "/var/lib/mysql/mysql.sock" });
    expect(seen).toEqual(DEFAULT_SOCKETS.slice(0, 3));
    expect(connectionTarget({ host: "localhost", port: 3307 }, {}, () => false)).toEqual({
      kind: "tcp",
      host: "localhost",
      port: 3307,
    });
  });
});
