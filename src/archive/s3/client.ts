// The S3 client pmadmin uses, and what its errors mean to a sysadmin. Credentials come only from
// the AWS SDK's standard provider chain (environment, AWS_PROFILE and the shared config files,
// container and instance roles): never from an option, never echoed. The endpoint is AWS unless
// --s3-endpoint / AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL name another store (MinIO, Ceph RGW, B2…).
import { HeadBucketCommand, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { failure, usage, type PmError } from "../../errors.js";

export interface S3Settings {
  /** A custom endpoint (scheme, host, port, path), without credentials; undefined = AWS. */
  endpoint: string | undefined;
  pathStyle: boolean;
  region: string | undefined;
  env: NodeJS.ProcessEnv;
}

export interface S3Store {
  client: S3Client;
  /** Where requests go, for messages: the endpoint URL, or "AWS S3 (region …)". */
  endpointLabel: string;
  settings: S3Settings;
}

/** Options first, then the environment (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, PM_S3_PATH_STYLE). */
export function s3Settings(o: {
  endpoint?: string | undefined;
  pathStyle?: boolean | undefined;
  env: NodeJS.ProcessEnv;
}): S3Settings {
  const raw = o.endpoint ?? (o.env.AWS_ENDPOINT_URL_S3 || o.env.AWS_ENDPOINT_URL || undefined);
  let endpoint: string | undefined;
  if (raw !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol)) {
      throw usage("S3.BAD_ENDPOINT", "The S3 endpoint is not an http:// or https:// URL.", {
        hint: "Give --s3-endpoint (or AWS_ENDPOINT_URL_S3) as e.g. http://127.0.0.1:9000 or https://s3.example.com.",
      });
    }
    if (url.username || url.password) {
      // Never echoed: it holds a secret.
      throw usage("S3.BAD_ENDPOINT", "The S3 endpoint URL must not contain credentials.", {
        hint: "Put the keys in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or an AWS profile, and give the endpoint as scheme://host:port only.",
      });
    }
    endpoint = `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
  }
  const region = o.env.AWS_REGION || o.env.AWS_DEFAULT_REGION || undefined;
  return {
    endpoint,
    pathStyle: o.pathStyle === true || o.env.PM_S3_PATH_STYLE === "1",
    // A non-AWS store rarely cares about the region, but signing needs one.
    region: region ?? (endpoint !== undefined ? "us-east-1" : undefined),
    env: o.env,
  };
}

export function openS3(settings: S3Settings): S3Store {
  // The SDK warns once on stderr that later versions need Node 22; that is not the user's business
  // in the middle of a backup (package.json pins a version that supports Node 20).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const env = settings.env;
  const config: S3ClientConfig = {
    forcePathStyle: settings.pathStyle,
    maxAttempts: 3,
  };
  if (settings.region !== undefined) config.region = settings.region;
  if (settings.endpoint !== undefined) {
    config.endpoint = settings.endpoint;
    // Current SDKs add CRC32 checksums (and aws-chunked trailers) to every upload by default;
    // many S3-compatible stores reject or mishandle them. Outside AWS, checksums only where the
    // API requires them; each part carries Content-MD5, which every store verifies.
    config.requestChecksumCalculation = "WHEN_REQUIRED";
    config.responseChecksumValidation = "WHEN_REQUIRED";
  }
  // The run's environment (tests pass their own), else the SDK's full chain (profiles, roles).
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    config.credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  return {
    client: new S3Client(config),
    endpointLabel:
      settings.endpoint ?? `AWS S3 (region ${settings.region ?? "from the AWS profile"})`,
    settings,
  };
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "TimeoutError",
  "RequestTimeout",
]);

/** Worth trying again: the store was unreachable or had a server-side fault. */
export function isTransient(error: unknown): boolean {
  const e = (error ?? {}) as SdkError;
  return networkCode(e) !== undefined || (e.$metadata?.httpStatusCode ?? 0) >= 500;
}

/** The error's network code, if it is one (the SDK wraps node's errors in several ways). */
function networkCode(e: SdkError): string | undefined {
  for (const c of [e.code, e.name, (e as { cause?: SdkError }).cause?.code]) {
    if (c !== undefined && NETWORK.has(c)) return c;
  }
  return undefined;
}

export interface S3ErrorContext {
  /** What pmadmin was doing, e.g. "upload", "read", "list". */
  action: string;
  bucket: string;
  key?: string | undefined;
  store: Pick<S3Store, "endpointLabel">;
}

/** An SDK error as a PmError naming the bucket, key and endpoint and what to fix. */
export function s3Error(error: unknown, c: S3ErrorContext): PmError {
  const e = (error ?? {}) as SdkError;
  const name = e.name ?? e.Code ?? "Error";
  const status = e.$metadata?.httpStatusCode;
  const where = c.key !== undefined ? `s3://${c.bucket}/${c.key}` : `bucket ${c.bucket}`;
  const at = `at ${c.store.endpointLabel}`;
  const details = { bucket: c.bucket, key: c.key ?? null, endpoint: c.store.endpointLabel };
  const net = networkCode(e);
  if (net !== undefined) {
    return failure(
      "S3.UNREACHABLE",
      `Cannot reach the S3 endpoint ${c.store.endpointLabel} (${net}) to ${c.action} ${where}.`,
      {
        hint: "Check --s3-endpoint (or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL), the network, and that the storage service is running.",
        details,
      },
    );
  }
  // HeadBucket answers a bare 404 (no error name) for a missing bucket.
  if (name === "NoSuchBucket" || (c.key === undefined && (name === "NotFound" || status === 404))) {
    return failure("S3.NO_BUCKET", `Bucket ${c.bucket} does not exist ${at}.`, {
      hint: `Create it (e.g. aws s3 mb s3://${c.bucket}) or fix the bucket name; for a non-AWS store check --s3-endpoint and --s3-path-style.`,
      details,
    });
  }
  if (name === "NoSuchKey" || (name === "NotFound" && c.key !== undefined)) {
    return usage("S3.NO_OBJECT", `No object ${where} ${at}.`, {
      hint: `List what is there with: pmadmin backups list s3://${c.bucket}/${c.key?.slice(0, c.key.lastIndexOf("/") + 1) ?? ""}`,
      details,
    });
  }
  if (
    [
      "AccessDenied",
      "InvalidAccessKeyId",
      "SignatureDoesNotMatch",
      "Forbidden",
      "InvalidToken",
      "ExpiredToken",
    ].includes(name) ||
    status === 403
  ) {
    return failure("S3.ACCESS_DENIED", `Access denied (${name}) to ${c.action} ${where} ${at}.`, {
      hint: `Check the credentials the AWS SDK finds (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE) and that they may list, read, write and abort multipart uploads in ${c.bucket}.`,
      details,
    });
  }
  const region = e.$response?.headers?.["x-amz-bucket-region"];
  if (
    [
      "PermanentRedirect",
      "AuthorizationHeaderMalformed",
      "IllegalLocationConstraintException",
    ].includes(name) ||
    status === 301
  ) {
    return failure(
      "S3.WRONG_REGION",
      `Bucket ${c.bucket} is not in the region pmadmin used ${at}${region ? `: it is in ${region}` : ""}.`,
      {
        hint: `Set AWS_REGION=${region ?? "<the bucket's region>"} (or the region in your AWS profile).`,
        details,
      },
    );
  }
  return setupError(e, name, c, { where, at, details });
}

/** What is left: no region, no credentials, or another error of the store. */
function setupError(
  e: SdkError,
  name: string,
  c: S3ErrorContext,
  w: { where: string; at: string; details: Record<string, unknown> },
): PmError {
  const { where, at, details } = w;
  if (/region is missing/i.test(e.message ?? "")) {
    return usage("S3.NO_REGION", `No AWS region is set to ${c.action} ${where}.`, {
      hint: "Set AWS_REGION (or a region in your AWS profile), or give --s3-endpoint for a non-AWS store.",
      details,
    });
  }
  if (name === "CredentialsProviderError" || /could not load credentials/i.test(e.message ?? "")) {
    return failure("S3.NO_CREDENTIALS", `No AWS credentials found to ${c.action} ${where}.`, {
      hint: "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run where an instance or container role applies.",
      details,
    });
  }
  return failure(
    "S3.FAILED",
    `Could not ${c.action} ${where} ${at}: ${name}${e.message && e.message !== name ? `: ${e.message}` : ""}.`,
    {
      hint: "Check that the store supports the S3 API used (multipart upload, ranged GET) and try again; --verbose shows more.",
      details,
    },
  );
}

/** Whether the bucket exists and the credentials may use it (HeadBucket), as an S3.* error. */
export async function checkBucket(store: S3Store, bucket: string, action: string): Promise<void> {
  try {
    await store.client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (e) {
    throw s3Error(e, { action, bucket, store });
  }
}
