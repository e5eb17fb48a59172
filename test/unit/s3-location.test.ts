// s3:// locations and S3 settings (issue 14): what is an object, what is a prefix, what is refused
// (exit 2), and where the endpoint and path style come from. No secret is ever echoed.
import { describe, expect, it } from "vitest";
import { s3Settings } from "../../src/archive/s3/client.js";
import { isS3Url, parseS3Url } from "../../src/archive/s3/location.js";
import { planBackup } from "../../src/backup/plan.js";
import { isPmError } from "../../src/errors.js";

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isPmError(e) ? `${e.code}/${e.exitCode}` : "not a PmError";
  }
  return undefined;
}

describe("parseS3Url", () => {
  it("tells objects from prefixes", () => {
    expect(parseS3Url("s3://my-bucket/pm/daily/ws.tar.gz")).toEqual({
      bucket: "my-bucket",
      key: "pm/daily/ws.tar.gz",
      isPrefix: false,
    });
    expect(parseS3Url("s3://my.bucket/pm/")).toEqual({
      bucket: "my.bucket",
      key: "pm/",
      isPrefix: true,
    });
    expect(parseS3Url("s3://bkt")).toEqual({ bucket: "bkt", key: "", isPrefix: true });
    expect(isS3Url("S3://bkt/x")).toBe(true);
    expect(isS3Url("/tmp/s3://x")).toBe(false);
  });

  it("refuses malformed locations with exit 2", () => {
    for (const bad of [
      "s3://",
      "s3://ab/x.tar",
      "s3://Upper/x.tar",
      "s3://under_score/x.tar",
      "s3://bkt//x.tar",
      "s3://bkt/a/../x.tar",
      "s3://bkt/a\u0001b.tar",
      "s3://-bkt/x.tar",
    ]) {
      expect(
        codeOf(() => parseS3Url(bad)),
        bad,
      ).toBe("S3.BAD_URL/2");
    }
  });
});

describe("s3Settings", () => {
  it("takes the option, then AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL; PM_S3_PATH_STYLE=1", () => {
    const env = { AWS_ENDPOINT_URL_S3: "http://a:9000", AWS_ENDPOINT_URL: "http://b:9000" };
    expect(s3Settings({ endpoint: "http://c:9000/", env }).endpoint).toBe("http://c:9000");
    expect(s3Settings({ env }).endpoint).toBe("http://a:9000");
    expect(s3Settings({ env: { AWS_ENDPOINT_URL: "http://b:9000" } }).endpoint).toBe(
      "http://b:9000",
    );
    expect(s3Settings({ env: {} })).toMatchObject({ endpoint: undefined, pathStyle: false });
    expect(s3Settings({ env: { PM_S3_PATH_STYLE: "1" } }).pathStyle).toBe(true);
    // A custom endpoint needs some region to sign with; AWS takes the profile's.
    expect(s3Settings({ env }).region).toBe("us-east-1");
    expect(s3Settings({ env: { ...env, AWS_REGION: "eu-west-3" } }).region).toBe("eu-west-3");
  });

  it("refuses an endpoint with credentials in it without echoing them", () => {
    let message = "";
    try {
      s3Settings({ endpoint: "http://key:supersecret@host:9000", env: {} });
    } catch (e) {
      message = (e as Error).message + String((e as { hint?: string }).hint);
      expect(isPmError(e) && e.code).toBe("S3.BAD_ENDPOINT");
    }
    expect(message).not.toBe("");
    expect(message).not.toContain("supersecret");
    expect(codeOf(() => s3Settings({ endpoint: "ftp://x", env: {} }))).toBe("S3.BAD_ENDPOINT/2");
  });
});

describe("planBackup with s3:// targets", () => {
  const base = {
    filesize: undefined,
    keep: undefined,
    skipUnreadable: false,
    sharedDir: "/s",
    cwd: "/",
    platform: "linux" as const,
  };
  it("a prefix gets <ws>.tar; a key keeps its ending's compression", () => {
    const p = planBackup({ ...base, positionals: ["workflow", "s3://bkt/pm/"] });
    expect(p.target).toMatchObject({
      path: "s3://bkt/pm/workflow.tar",
      dir: "s3://bkt/pm/",
      gzip: false,
      s3: { bucket: "bkt", key: "pm/workflow.tar" },
    });
    const g = planBackup({ ...base, positionals: ["workflow", "s3://bkt/x.tgz"] });
    expect(g.target).toMatchObject({ gzip: true, s3: { key: "x.tgz" } });
  });
  it("-s, a bad ending and a bad bucket are usage errors", () => {
    expect(
      codeOf(() => planBackup({ ...base, filesize: "10", positionals: ["w", "s3://bkt/x.tar"] })),
    ).toBe("S3.SPLIT_UNSUPPORTED/2");
    expect(codeOf(() => planBackup({ ...base, positionals: ["w", "s3://bkt/x.zip"] }))).toBe(
      "BACKUP.BAD_SUFFIX/2",
    );
    expect(codeOf(() => planBackup({ ...base, positionals: ["w", "s3://B/x.tar"] }))).toBe(
      "S3.BAD_URL/2",
    );
  });
});
