// The keys of age encryption (age-encryption.org/v1), read from files named on the command line:
// recipients (public, `age1…`) to encrypt to, identities (`AGE-SECRET-KEY-1…`, as age-keygen
// writes them) or a passphrase (scrypt) to decrypt with. A secret is never taken from argv, and
// a file holding one must not be readable by group or others (as ssh refuses such a key). No
// message ever quotes a secret: a bad line is named by its number.
import { readFile, stat } from "node:fs/promises";
import { usage } from "../errors.js";

export type AgeEncryptKeys =
  { kind: "recipients"; recipients: string[] } | { kind: "passphrase"; passphrase: string };

export type AgeDecryptKeys =
  | { kind: "identities"; identities: string[]; file: string }
  | { kind: "passphrase"; passphrase: string; file: string }
  /** The file key a backup just encrypted with (workspace-backup --verify: no identity needed). */
  | { kind: "fileKey"; fileKey: Uint8Array };

/** The option that gave the decryption keys, for messages. */
export function keyOption(k: AgeDecryptKeys): string {
  if (k.kind === "fileKey") return "the backup's own file key";
  return k.kind === "identities" ? `--identity ${k.file}` : `--passphrase-file ${k.file}`;
}

async function readKeyFile(file: string, option: string, secret: boolean): Promise<string> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (error) {
    throw usage("AGE.KEY_FILE", `${option} ${file} cannot be read: ${(error as Error).message}.`, {
      hint: `Check the path given to ${option}.`,
    });
  }
  if (secret && (mode & 0o077) !== 0) {
    throw usage(
      "AGE.KEY_FILE_MODE",
      `${option} ${file} is readable by others (mode ${(mode & 0o777).toString(8).padStart(4, "0")}); refusing a secret anyone on the host can read.`,
      { hint: `Run: chmod 600 ${file}` },
    );
  }
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw usage("AGE.KEY_FILE", `${option} ${file} cannot be read: ${(error as Error).message}.`, {
      hint: `Check the path given to ${option}.`,
    });
  }
}

/** Non-empty lines that are not `#` comments, with their 1-based line numbers. */
function keyLines(text: string): Array<{ n: number; line: string }> {
  return text
    .split(/\r?\n/)
    .map((line, i) => ({ n: i + 1, line: line.trim() }))
    .filter((l) => l.line !== "" && !l.line.startsWith("#"));
}

/** The passphrase: the file's first line (a trailing newline is not part of it). */
async function passphraseFrom(file: string): Promise<string> {
  const text = await readKeyFile(file, "--passphrase-file", true);
  const first = text.split(/\r?\n/)[0] ?? "";
  if (first === "") {
    throw usage(
      "AGE.KEY_FILE",
      `--passphrase-file ${file} is empty: its first line is the passphrase.`,
      {
        hint: "Write the passphrase on the file's first line (e.g. from `openssl rand -base64 32`).",
      },
    );
  }
  return first;
}

async function checkRecipient(r: string, where: string): Promise<void> {
  const { Encrypter } = await import("age-encryption"); // loaded when used (start-up time)
  try {
    new Encrypter().addRecipient(r);
  } catch {
    throw usage("AGE.BAD_RECIPIENT", `${where} is not an age recipient ('${r}').`, {
      hint: "Give the public key age-keygen printed (age1…); SSH keys and plugins are not supported.",
    });
  }
}

/** workspace-backup's keys, or undefined when it writes a plain archive. */
export async function loadEncryptKeys(o: {
  encryptTo: readonly string[];
  recipientsFile: string | undefined;
  passphraseFile: string | undefined;
}): Promise<AgeEncryptKeys | undefined> {
  const toRecipients = o.encryptTo.length > 0 || o.recipientsFile !== undefined;
  if (o.passphraseFile !== undefined && toRecipients) {
    throw usage(
      "AGE.KEY_CONFLICT",
      "--passphrase-file cannot be combined with --encrypt-to or --recipients-file.",
      {
        hint: "age encrypts to recipients or to one passphrase, not both: pick one.",
      },
    );
  }
  if (o.passphraseFile !== undefined)
    return { kind: "passphrase", passphrase: await passphraseFrom(o.passphraseFile) };
  if (!toRecipients) return undefined;
  const recipients: string[] = [];
  for (const r of o.encryptTo) {
    await checkRecipient(r, "--encrypt-to");
    recipients.push(r);
  }
  if (o.recipientsFile !== undefined) {
    const text = await readKeyFile(o.recipientsFile, "--recipients-file", false);
    for (const { n, line } of keyLines(text)) {
      await checkRecipient(line, `Line ${n} of --recipients-file ${o.recipientsFile}`);
      recipients.push(line);
    }
    if (recipients.length === 0)
      throw usage(
        "AGE.BAD_RECIPIENT",
        `--recipients-file ${o.recipientsFile} holds no recipient.`,
        {
          hint: "List one age1… public key per line.",
        },
      );
  }
  return { kind: "recipients", recipients };
}

/** The keys of workspace-restore / backups verify, or undefined when none was given. */
export async function loadDecryptKeys(o: {
  identity: string | undefined;
  passphraseFile: string | undefined;
}): Promise<AgeDecryptKeys | undefined> {
  if (o.identity !== undefined && o.passphraseFile !== undefined) {
    throw usage("AGE.KEY_CONFLICT", "--identity and --passphrase-file cannot be combined.", {
      hint: "An archive is encrypted to recipients (use --identity) or to a passphrase (use --passphrase-file).",
    });
  }
  if (o.passphraseFile !== undefined)
    return {
      kind: "passphrase",
      passphrase: await passphraseFrom(o.passphraseFile),
      file: o.passphraseFile,
    };
  if (o.identity === undefined) return undefined;
  const file = o.identity;
  const text = await readKeyFile(file, "--identity", true);
  const identities: string[] = [];
  for (const { n, line } of keyLines(text)) {
    if (!/^AGE-SECRET-KEY-1[0-9A-Z]+$/.test(line)) {
      throw usage(
        "AGE.BAD_IDENTITY",
        `Line ${n} of --identity ${file} is not an age identity (AGE-SECRET-KEY-1…).`,
        {
          hint: "Give the file age-keygen wrote; passphrase-protected identities, SSH keys and plugins are not supported.",
        },
      );
    }
    identities.push(line);
  }
  if (identities.length === 0)
    throw usage("AGE.BAD_IDENTITY", `--identity ${file} holds no age identity.`, {
      hint: "Give the file age-keygen wrote (it holds an AGE-SECRET-KEY-1… line).",
    });
  return { kind: "identities", identities, file };
}
