import { describe, expect, it } from "vitest";
import {
  decodeHashInstallation,
  encodeHashInstallation,
  scramble,
  unscramble,
} from "../../src/install/hash.js";

const SYSTEM_HASH = "4ba8a7d6f5b3bd0a3e1f7a2b9c8d7e6f";

describe("HASH_INSTALLATION", () => {
  it("matches a hand-computed vector (key index (i mod len) - 1, -1 = last char)", () => {
    // 'A'+'b' = 163, 'B'+'a' = 163 → base64 "o6M=" → padding dropped
    expect(scramble("AB", "ab")).toBe("o6M");
    expect(unscramble("o6M", "ab")).toBe("AB");
  });

  it("writes '/' as '°' and decodes it back", () => {
    // Found by search: with this key, high ASCII characters yield a '/' in the base64 text.
    const password = "~~x~~~";
    const s = encodeHashInstallation(
      { host: "db.example:3307", user: "root", password },
      SYSTEM_HASH,
    );
    expect(s).toContain("\u00b0");
    expect(s).not.toContain("/");
    expect(s).not.toMatch(/=$/);
    expect(decodeHashInstallation(s, SYSTEM_HASH)).toEqual({
      host: "db.example:3307",
      user: "root",
      password,
    });
  });

  it.each(["s3cr/et", "a+b=c", "what?now", "p=", "//??==++", "ünïcødé"])(
    "round-trips password %j",
    (password) => {
      const s = encodeHashInstallation(
        { host: "localhost", user: "admin_user", password },
        SYSTEM_HASH,
      );
      expect(decodeHashInstallation(s, SYSTEM_HASH)).toEqual({
        host: "localhost",
        user: "admin_user",
        password,
      });
    },
  );

  it("accepts the 4-field form written by regenerateCredentiaslPathInstalled", () => {
    const s = scramble(["127.0.0.1", "root", "pw", "1"].join(SYSTEM_HASH), SYSTEM_HASH);
    expect(decodeHashInstallation(s, SYSTEM_HASH)).toEqual({
      host: "127.0.0.1",
      user: "root",
      password: "pw",
    });
  });

  it("rejects a hash that does not decode with this key", () => {
    const s = encodeHashInstallation({ host: "h", user: "u", password: "p" }, SYSTEM_HASH);
    expect(() => decodeHashInstallation(s, "0".repeat(32))).toThrow(/does not decode/);
  });
});
