// `s3://BUCKET/KEY` (one object) and `s3://BUCKET/PREFIX/` (a place where pmadmin picks the name,
// as in a directory): the one parser of backup locations in object storage.
import { usage } from "../../errors.js";

export interface S3Location {
  bucket: string;
  /** The object key, or the prefix (empty or ending in "/") when `isPrefix`. */
  key: string;
  isPrefix: boolean;
}

export const isS3Url = (text: string): boolean => /^s3:\/\//i.test(text);

/** Bucket names as S3 accepts them (3–63 of a-z 0-9 . -, starting and ending alphanumeric). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function s3Url(loc: { bucket: string; key: string }): string {
  return `s3://${loc.bucket}/${loc.key}`;
}

export function parseS3Url(text: string): S3Location {
  const bad = (why: string): never => {
    throw usage("S3.BAD_URL", `'${text}' is not a valid S3 location: ${why}.`, {
      hint: "Write s3://BUCKET/KEY for one object (ending in .tar, .tar.gz or .tgz) or s3://BUCKET/PREFIX/ (trailing slash) for a place where pmadmin names the backup.",
    });
  };
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(text);
  if (!m) return bad("it must start with s3://");
  const bucket = m[1] ?? "";
  const key = m[2] ?? "";
  if (!BUCKET.test(bucket) || bucket.includes("..")) {
    return bad(`'${bucket}' is not a bucket name (3–63 lower-case letters, digits, dots, hyphens)`);
  }
  if (key.startsWith("/") || key.includes("//")) return bad("the key has an empty path segment");
  if (key.split("/").some((s) => s === "." || s === "..")) return bad("the key has . or ..");
  if (Buffer.byteLength(key) > 1024) return bad("the key is longer than 1024 bytes");
  // Control characters never belong in a backup's key (and would garble messages).
  if ([...key].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f))
    return bad("the key has a control character");
  return { bucket, key, isPrefix: key === "" || key.endsWith("/") };
}

/** The object location of `name` inside a prefix location. */
export function inPrefix(loc: S3Location, name: string): S3Location {
  return { bucket: loc.bucket, key: `${loc.key}${name}`, isPrefix: false };
}

/** The prefix an object key lives in ("" at the top of the bucket). */
export function prefixOf(key: string): string {
  const i = key.lastIndexOf("/");
  return i < 0 ? "" : key.slice(0, i + 1);
}
