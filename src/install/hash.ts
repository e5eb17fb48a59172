// HASH_INSTALLATION: ProcessMaker's scrambled system DB credentials (processmaker-3.md §1.5).
// Each plaintext byte is shifted by a key byte (key = SYSTEM_HASH, index (i mod len) - 1, where -1
// means the last key char), the result is base64 with '/' written as '°' and '=' padding dropped.

const DEGREE = "\u00b0";

function keyByte(key: Buffer, i: number): number {
  const index = (i % key.length) - 1;
  return key[index < 0 ? key.length - 1 : index] ?? 0;
}

export function scramble(plain: string, systemHash: string): string {
  const key = Buffer.from(systemHash, "utf8");
  if (key.length === 0) throw new Error("SYSTEM_HASH is empty");
  const input = Buffer.from(plain, "utf8");
  const out = Buffer.alloc(input.length);
  for (let i = 0; i < input.length; i++) out[i] = ((input[i] ?? 0) + keyByte(key, i)) % 256;
  return out.toString("base64").replaceAll("/", DEGREE).replace(/=+$/, "");
}

export function unscramble(scrambled: string, systemHash: string): string {
  const key = Buffer.from(systemHash, "utf8");
  if (key.length === 0) throw new Error("SYSTEM_HASH is empty");
  let text = scrambled.replaceAll(DEGREE, "/");
  // Latin-1 files can carry the degree sign as a single 0xB0 byte read back as U+00B0 too.
  let rest: string | undefined;
  const q = text.indexOf("?");
  if (q >= 0) {
    rest = text.slice(q + 1);
    text = text.slice(0, q);
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text))
    throw new Error("HASH_INSTALLATION is not valid base64");
  const bytes = Buffer.from(text, "base64");
  const out = Buffer.alloc(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = ((bytes[i] ?? 0) - keyByte(key, i) + 256) % 256;
  const plain = out.toString("utf8");
  return rest === undefined ? plain : `${plain}?${rest}`;
}

export interface SystemCredentials {
  host: string;
  user: string;
  password: string;
}

export function decodeHashInstallation(hash: string, systemHash: string): SystemCredentials {
  const parts = unscramble(hash, systemHash).split(systemHash);
  if (parts.length < 3) {
    throw new Error(
      "HASH_INSTALLATION does not decode to host, user and password with this SYSTEM_HASH",
    );
  }
  const [host, user, password] = parts as [string, string, string];
  return { host, user, password };
}

export function encodeHashInstallation(creds: SystemCredentials, systemHash: string): string {
  return scramble([creds.host, creds.user, creds.password].join(systemHash), systemHash);
}
