// --password-file: the new password lands in a file of mode 0600, written under a temporary name
// before the database changes and renamed into place only after they committed, so a failure
// never leaves a file with a password that was not set (or a set password with no file).
import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import path from "node:path";
import { failure } from "../errors.js";

export interface StagedFile {
  commit(): Promise<void>;
  discard(): Promise<void>;
}

export async function stagePasswordFile(target: string, password: string): Promise<StagedFile> {
  const tmp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${randomBytes(4).toString("hex")}.tmp`,
  );
  try {
    const fh = await open(tmp, "wx", 0o600);
    try {
      await fh.writeFile(`${password}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (error) {
    await rm(tmp, { force: true });
    throw failure(
      "ADMIN.PASSWORD_FILE",
      `Cannot write ${target}: ${(error as Error).message}. Nothing changed.`,
      {
        hint: "Pick a --password-file in a directory you can write to.",
      },
    );
  }
  return {
    commit: () => rename(tmp, target),
    discard: () => rm(tmp, { force: true }),
  };
}
