// Checking a decoded manifest: its fields other than the entries, and each entry on its own (the
// reader streams them, manifest-read.ts). Problems are ARCHIVE.BAD_MANIFEST, a newer format
// ARCHIVE.NEWER_FORMAT (both exit 1).
import { failure } from "../errors.js";
import { MANIFEST_FORMAT, MANIFEST_NAME, MANIFEST_VERSION, type Manifest } from "./manifest.js";

function bad(why: string): Error {
  return failure("ARCHIVE.BAD_MANIFEST", `The archive's ${MANIFEST_NAME} is not valid: ${why}.`, {
    hint: "The archive is damaged or was not written by pmadmin; restore from another copy.",
  });
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The manifest's fields other than its entries (entries replaced by an empty array). */
export function checkManifestHead(raw: unknown): Manifest {
  if (!isObj(raw)) throw bad("not an object");
  if (raw["format"] !== MANIFEST_FORMAT) throw bad(`format is not "${MANIFEST_FORMAT}"`);
  const version = raw["formatVersion"];
  if (typeof version !== "number" || !Number.isInteger(version)) throw bad("formatVersion missing");
  if (version > MANIFEST_VERSION) {
    throw failure(
      "ARCHIVE.NEWER_FORMAT",
      `The archive uses manifest format ${version}; this pmadmin reads up to ${MANIFEST_VERSION}.`,
      {
        hint: "Upgrade pmadmin to restore this archive.",
      },
    );
  }
  for (const k of ["pmadminVersion", "createdAt", "platform", "os"]) {
    if (typeof raw[k] !== "string") throw bad(`${k} missing`);
  }
  if (!isObj(raw["server"])) throw bad("server missing");
  if (!Array.isArray(raw["workspaces"]) || raw["workspaces"].length === 0)
    throw bad("no workspaces");
  for (const w of raw["workspaces"] as unknown[]) {
    if (!isObj(w) || typeof w["name"] !== "string" || !Array.isArray(w["databases"]))
      throw bad("a workspace is malformed");
    for (const d of w["databases"] as unknown[]) {
      if (
        !isObj(d) ||
        typeof d["name"] !== "string" ||
        typeof d["sqlEntry"] !== "string" ||
        !isObj(d["tables"])
      ) {
        throw bad(`a database of workspace ${String(w["name"])} is malformed`);
      }
    }
  }
  if (!Array.isArray(raw["entries"])) throw bad("entries missing");
  return raw as unknown as Manifest;
}

/** Why one element of the manifest's entries is malformed (a PmError), or undefined. */
export function manifestEntryProblem(e: unknown): Error | undefined {
  if (
    !isObj(e) ||
    typeof e["name"] !== "string" ||
    typeof e["size"] !== "number" ||
    typeof e["sha256"] !== "string"
  ) {
    return bad("an entry is malformed");
  }
  if (!/^[0-9a-f]{64}$/.test(e["sha256"]))
    return bad(`entry ${String(e["name"])} has a bad sha256`);
  return undefined;
}

export function notJson(message: string): Error {
  return bad(`not JSON (${message})`);
}
