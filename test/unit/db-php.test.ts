import { describe, expect, it } from "vitest";
import {
  parseDbPhp,
  renderDbPhp,
  splitHostPort,
  workspaceDatabases,
} from "../../src/install/db-php.js";
import { rewriteDefines } from "../../src/install/php-defines.js";
import { parsePathsInstalled } from "../../src/install/paths-installed.js";

const INSTALLER = `<?php
// Processmaker configuration
  define ('DB_ADAPTER',     'mysql' );
  define ('DB_HOST',        'localhost' );
  define ('DB_NAME',        'wf_workflow' );
  define ('DB_USER',        'wf_5f0c3b7e2a1d4' );
  define ('DB_PASS',        'a$b!c-d_e' );
  define ('DB_RBAC_HOST',   'localhost' );
  define ('DB_RBAC_NAME',   'wf_workflow' );
  define ('DB_RBAC_USER',   'wf_5f0c3b7e2a1d4' );
  define ('DB_RBAC_PASS',   'a$b!c-d_e' );
  define ('DB_REPORT_HOST', 'localhost' );
  define ('DB_REPORT_NAME', 'wf_workflow' );
  define ('DB_REPORT_USER', 'wf_5f0c3b7e2a1d4' );
  define ('DB_REPORT_PASS', 'a$b!c-d_e' );
  define ('PARTNER_FLAG', false);
  define ('SYSTEM_NAME', 'ProcessMaker' );
`;

describe("db.php", () => {
  it("parses the installer's format and ignores unquoted PARTNER_FLAG", () => {
    const db = parseDbPhp(INSTALLER);
    expect(db.wf).toEqual({
      host: "localhost",
      port: undefined,
      user: "wf_5f0c3b7e2a1d4",
      password: "a$b!c-d_e",
      name: "wf_workflow",
    });
    expect(db.defines.has("PARTNER_FLAG")).toBe(false);
    expect(db.defines.get("SYSTEM_NAME")).toBe("ProcessMaker");
    expect([...db.defines.keys()].slice(0, 3)).toEqual(["DB_ADAPTER", "DB_HOST", "DB_NAME"]);
    expect(workspaceDatabases(db)).toHaveLength(1);
  });

  it("accepts spacing variants, newlines after the comma and host:port", () => {
    const src = `<?php\ndefine('DB_HOST','db.internal:3307');define( 'DB_NAME' ,\n   'wf_x' ) ;\n define ( 'DB_USER', 'u' );define('DB_PASS','p w');\n?>`;
    const db = parseDbPhp(src);
    expect(db.wf).toEqual({
      host: "db.internal",
      port: 3307,
      user: "u",
      password: "p w",
      name: "wf_x",
    });
    // no RBAC/REPORT keys: they fall back to the workflow database
    expect(db.rbac).toEqual(db.wf);
  });

  it("recognises the legacy three-database layout", () => {
    const src = INSTALLER.replace(
      /'DB_RBAC_NAME',\s*'wf_workflow'/,
      "'DB_RBAC_NAME', 'rb_workflow'",
    ).replace(/'DB_REPORT_NAME',\s*'wf_workflow'/, "'DB_REPORT_NAME', 'rp_workflow'");
    expect(workspaceDatabases(parseDbPhp(src)).map((d) => `${d.role}:${d.endpoint.name}`)).toEqual([
      "wf:wf_workflow",
      "rp:rp_workflow",
      "rb:rb_workflow",
    ]);
  });

  it("refuses a db.php without DB_NAME", () => {
    expect(() => parseDbPhp("<?php define('DB_HOST','x'); define('DB_USER','u');")).toThrow(
      /DB_NAME/,
    );
  });

  it("rewrites values keeping every other byte", () => {
    const out = rewriteDefines(INSTALLER, { DB_PASS: "NEWpass.9", DB_NAME: "wf_new" });
    expect(out).toBe(
      INSTALLER.replace(
        "'a$b!c-d_e' );\n  define ('DB_RBAC_HOST'",
        "'NEWpass.9' );\n  define ('DB_RBAC_HOST'",
      ).replace("'DB_NAME',        'wf_workflow'", "'DB_NAME',        'wf_new'"),
    );
    expect(parseDbPhp(out).wf.password).toBe("NEWpass.9");
    expect(parseDbPhp(out).rbac.password).toBe("a$b!c-d_e");
  });

  it("renders what it parses", () => {
    const text = renderDbPhp({
      host: "127.0.0.1:3307",
      name: "wf_a",
      user: "wf_1",
      password: "x.y",
    });
    expect(parseDbPhp(text).report).toEqual({
      host: "127.0.0.1",
      port: 3307,
      user: "wf_1",
      password: "x.y",
      name: "wf_a",
    });
  });

  it("splits host and port", () => {
    expect(splitHostPort("localhost")).toEqual({ host: "localhost", port: undefined });
    expect(splitHostPort("10.0.0.5:3306")).toEqual({ host: "10.0.0.5", port: 3306 });
    expect(splitHostPort("[::1]:3307")).toEqual({ host: "::1", port: 3307 });
  });
});

describe("paths_installed.php", () => {
  it("reads both spacing styles and PATH_OUTTRUNK", () => {
    const src = `<?php
  define( 'PATH_DATA', '/opt/processmaker/shared/' );
  define( 'PATH_C',    '/opt/processmaker/shared/compiled/' );
define ( 'HASH_INSTALLATION','abc\u00b0def' );
define ( 'SYSTEM_HASH', '0123456789abcdef0123456789abcdef' );`;
    expect(parsePathsInstalled(src)).toEqual({
      pathData: "/opt/processmaker/shared/",
      pathC: "/opt/processmaker/shared/compiled/",
      hashInstallation: "abc\u00b0def",
      systemHash: "0123456789abcdef0123456789abcdef",
    });
    expect(parsePathsInstalled("<?php define('PATH_OUTTRUNK', '/srv/pm/');").pathData).toBe(
      "/srv/pm/",
    );
  });
});
