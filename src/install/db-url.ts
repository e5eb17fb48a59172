// mysql://user:password@host:port URLs for the admin account, and their masked form for display.
import { usage } from "../errors.js";
import { splitHostPort } from "./db-php.js";

export interface DbAdminCredentials {
  host: string;
  port: number | undefined;
  user: string;
  password: string;
}

export function parseDbUrl(
  text: string,
  override?: { user: string; password: string },
): DbAdminCredentials {
  const m = /^(?:mysql|mariadb):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]*)\/?(?:[?#].*)?$/i.exec(
    text,
  );
  if (!m) {
    throw usage(
      "INSTALL.BAD_DB_URL",
      "The database admin URL is not of the form mysql://user:password@host:port.",
    );
  }
  const { host, port } = splitHostPort(m[3] ?? "");
  let user: string;
  let password: string;
  try {
    user = override?.user ?? decodeURIComponent(m[1] ?? "root");
    password = override?.password ?? decodeURIComponent(m[2] ?? "");
  } catch {
    throw usage(
      "INSTALL.BAD_DB_URL",
      "The database admin URL has a badly %-encoded user or password.",
    );
  }
  return { host: host === "" ? "localhost" : host, port, user, password };
}

export function maskedDsn(
  e: { host: string; port?: number | undefined; user: string; name?: string },
  adapter = "mysql",
): string {
  const hostPort = e.port === undefined ? e.host : `${e.host}:${e.port}`;
  return `${adapter}://${e.user}:****@${hostPort}${e.name ? `/${e.name}` : ""}`;
}
