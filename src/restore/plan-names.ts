// Which databases and which account a restore creates or replaces (pure). Decided by pmadmin from
// the target's name and the live installation, never from <ws>.meta: a meta may name any database
// (another workspace's, `mysql`) or account (`root`, an empty user), and an archive is untrusted.
//   - a new workspace gets `wf_<target>` (`rp_`/`rb_` for the legacy three-database layout) and a
//     new account made by pmadmin;
//   - `-o` over an existing workspace replaces exactly the databases its live db.php names and
//     keeps the account it names;
//   - system schemas, another workspace's databases, `root`, empty names and accounts with
//     server-wide privileges are refused (exit 3) whatever the options.
import { refused } from "../errors.js";
import type { AccountInfo, AccountPlan, LiveDbPhp, SiteInfo, TargetState } from "./plan.js";

const SYSTEM_SCHEMAS = new Set(["mysql", "information_schema", "performance_schema", "sys"]);
const lower = (s: string): string => s.toLowerCase();

export function isSystemSchema(name: string): boolean {
  return SYSTEM_SCHEMAS.has(lower(name));
}

export interface NameDecision {
  /** Target database of each source database, in the sources' order. */
  targets: string[];
  account: AccountPlan;
  warnings: string[];
}

function newNames(sources: readonly string[], target: string): string[] {
  if (sources.length === 1) return [`wf_${target}`];
  // Legacy three-database layout, in ProcessMaker's order wf, rp, rb — the prefixes when present.
  return sources.map((source, i) => {
    const prefix = /^(wf|rp|rb)_/.exec(source)?.[1] ?? ["wf", "rp", "rb"][i] ?? "wf";
    return `${prefix}_${target}`;
  });
}

/** Databases some other workspace's db.php names (lower-cased), with that workspace's name. */
function othersDatabases(sites: readonly SiteInfo[], target: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of sites) {
    if (s.name === target || !s.db) continue;
    for (const d of s.db.databases) out.set(lower(d.name), s.name);
  }
  return out;
}

function assertOwnDatabase(name: string, others: Map<string, string>): void {
  if (isSystemSchema(name) || name === "") {
    throw refused(
      "RESTORE.FOREIGN_DATABASE",
      `The restore would replace '${name}', a system schema, not a workspace database; nothing was changed.`,
      { hint: "Fix the workspace's db.php (DB_NAME), or restore under a new NEW-WORKSPACE name." },
    );
  }
  const owner = others.get(lower(name));
  if (owner !== undefined) {
    throw refused(
      "RESTORE.FOREIGN_DATABASE",
      `The restore would replace database '${name}', which belongs to workspace '${owner}'; nothing was changed.`,
      {
        hint: "Each workspace needs its own database: fix its db.php, or restore under a new NEW-WORKSPACE name.",
      },
    );
  }
}

function assertWorkspaceAccount(user: string, accounts: readonly AccountInfo[]): string {
  const hosts = accounts.filter((a) => a.user === user);
  const why =
    user === ""
      ? "an empty (anonymous) user"
      : lower(user) === "root"
        ? "root"
        : hosts.some((a) => a.global)
          ? `'${user}', which holds server-wide privileges`
          : undefined;
  if (why !== undefined) {
    throw refused(
      "RESTORE.UNSAFE_ACCOUNT",
      `The workspace's db.php names ${why} as its database user; restored triggers, views and routines would run as it, so nothing was changed.`,
      {
        hint: "Give the workspace an account of its own with privileges on its database only, or restore under a new NEW-WORKSPACE name (pmadmin then creates one).",
      },
    );
  }
  // Definers need an existing account: localhost as ProcessMaker creates it, else the one there is.
  return (hosts.find((a) => a.host === "localhost") ?? hosts[0])?.host ?? "localhost";
}

/** Pairs the archive's databases with the live ones: by wf/rp/rb prefix, else in order. */
function pairLive(sources: readonly string[], live: LiveDbPhp, target: string): string[] {
  if (sources.length !== live.databases.length) {
    throw refused(
      "RESTORE.LAYOUT_MISMATCH",
      `The backup holds ${sources.length} database(s) but workspace '${target}' uses ${live.databases.length} (${live.databases.map((d) => d.name).join(", ")}); nothing was changed.`,
      { hint: "Restore under a new NEW-WORKSPACE name instead." },
    );
  }
  if (sources.length === 1) return [live.databases[0]?.name ?? ""];
  return sources.map((source, i) => {
    const role = /^(wf|rp|rb)_/.exec(source)?.[1] ?? ["wf", "rp", "rb"][i];
    return (live.databases.find((d) => d.role === role) ?? live.databases[i])?.name ?? "";
  });
}

export function decideNames(o: {
  sources: readonly string[];
  target: string;
  /** The target workspace exists (exact name) and -o was given. */
  replacing: boolean;
  overwrite: boolean;
  state: TargetState;
}): NameDecision {
  const sites = o.state.sites ?? o.state.siteDirs.map((name) => ({ name, db: undefined }));
  const others = othersDatabases(sites, o.target);
  const warnings: string[] = [];
  const live = o.replacing ? sites.find((s) => s.name === o.target)?.db : undefined;
  if (live) {
    const targets = pairLive(o.sources, live, o.target);
    for (const t of targets) assertOwnDatabase(t, others);
    const definerHost = assertWorkspaceAccount(live.user, o.state.accounts ?? []);
    return {
      targets,
      account: {
        kind: "live",
        user: live.user,
        password: live.password,
        definerHost,
        values: live.values,
      },
      warnings,
    };
  }
  if (o.replacing)
    warnings.push(
      `sites/${o.target}/db.php cannot be read; restoring into ${newNames(o.sources, o.target).join(", ")} with a new database user`,
    );
  const targets = newNames(o.sources, o.target);
  for (const t of targets) {
    assertOwnDatabase(t, others);
    const clash = o.state.databases.filter((x) => lower(x) === lower(t));
    if (clash.length > 0 && (!o.overwrite || !clash.includes(t))) {
      throw refused(
        "RESTORE.DATABASE_EXISTS",
        `Database '${clash.join("', '")}' already exists on the server.`,
        {
          hint: o.overwrite
            ? "A database differing only in letter case exists; choose another NEW-WORKSPACE."
            : "Add -o to overwrite it, or restore under another NEW-WORKSPACE name.",
        },
      );
    }
  }
  return { targets, account: { kind: "new" }, warnings };
}
