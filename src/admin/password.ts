// Passwords the way ProcessMaker 3 stores them: unsalted lowercase hex of hash(<algo>, plaintext),
// the algorithm from CONFIGURATION 'ENTERPRISE_SETTING_ENCRYPT' (PHP-serialized, key 'current'),
// md5 when the row or key is missing (processmaker-3.md §6.5).
import { createHash, getHashes, randomInt } from "node:crypto";
import type { Queryable } from "../db/types.js";
import { failure } from "../errors.js";
import { PhpSerializeError, phpUnserialize } from "./php-serialize.js";

export const DEFAULT_ALGORITHM = "md5";

/** The 'current' algorithm of a CFG_VALUE, or md5 when it is absent or unreadable. */
export function algorithmFromSetting(cfgValue: string | undefined): {
  algorithm: string;
  note?: string;
} {
  if (cfgValue === undefined)
    return {
      algorithm: DEFAULT_ALGORITHM,
      note: "no ENTERPRISE_SETTING_ENCRYPT row; ProcessMaker defaults to md5",
    };
  try {
    const v = phpUnserialize(cfgValue);
    const current = v instanceof Map ? v.get("current") : undefined;
    if (typeof current === "string" && current !== "") return { algorithm: current.toLowerCase() };
    return {
      algorithm: DEFAULT_ALGORITHM,
      note: "ENTERPRISE_SETTING_ENCRYPT has no 'current'; ProcessMaker defaults to md5",
    };
  } catch (error) {
    if (!(error instanceof PhpSerializeError)) throw error;
    return {
      algorithm: DEFAULT_ALGORITHM,
      note: `ENTERPRISE_SETTING_ENCRYPT is not readable (${error.message}); using md5 as ProcessMaker would`,
    };
  }
}

export async function workspaceAlgorithm(
  db: Queryable,
): Promise<{ algorithm: string; note?: string }> {
  const rows = await db.query<{ v: string }>(
    "SELECT CFG_VALUE AS v FROM CONFIGURATION WHERE CFG_UID = 'ENTERPRISE_SETTING_ENCRYPT' AND OBJ_UID = '' LIMIT 1",
  );
  const found = algorithmFromSetting(rows[0]?.v);
  if (!getHashes().includes(found.algorithm)) {
    throw failure(
      "ADMIN.UNSUPPORTED_HASH",
      `The workspace hashes passwords with '${found.algorithm}', which this Node.js cannot compute. Nothing changed.`,
      {
        hint: "Set ENTERPRISE_SETTING_ENCRYPT to sha256 or md5 in ProcessMaker, or change the password there.",
      },
    );
  }
  return found;
}

export function hashPassword(algorithm: string, plaintext: string): string {
  return createHash(algorithm).update(plaintext, "utf8").digest("hex");
}

const LOWER = "abcdefghijkmnopqrstuvwxyz";
const UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS = "23456789";
// Symbols that need no quoting in a shell or a login form.
const SYMBOLS = "-_.+=%";

/** A strong random password with every character class ProcessMaker's policy may ask for. */
export function generatePassword(length = 24): string {
  const all = LOWER + UPPER + DIGITS + SYMBOLS;
  const pick = (set: string): string => set.charAt(randomInt(set.length));
  const chars = [pick(LOWER), pick(UPPER), pick(DIGITS), pick(SYMBOLS)];
  while (chars.length < length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join("");
}
