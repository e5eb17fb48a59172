// Due dates, password hashing settings and the password history format, without a database.
import { describe, expect, it } from "vitest";
import { extendedDueDate, expiredDueDate } from "../../src/admin/account.js";
import { algorithmFromSetting, generatePassword, hashPassword } from "../../src/admin/password.js";
import { nextHistory } from "../../src/admin/password-history.js";
import { phpSerialize, phpUnserialize } from "../../src/admin/php-serialize.js";
import { classify } from "../../src/admin/status.js";
import type { PmError } from "../../src/errors.js";

const NOW = new Date(2026, 10, 25, 12, 0, 0);

describe("due dates", () => {
  it("extends 90 days by default, N days, or to a date; refuses past dates without --force", () => {
    expect(extendedDueDate({ force: false }, NOW)).toBe("2027-02-23");
    expect(extendedDueDate({ days: 1, force: false }, NOW)).toBe("2026-11-26");
    expect(extendedDueDate({ until: "2026-11-25", force: false }, NOW)).toBe("2026-11-25");
    let e: PmError | undefined;
    try {
      extendedDueDate({ until: "2026-11-24", force: false }, NOW);
    } catch (x) {
      e = x as PmError;
    }
    expect([e?.code, e?.exitCode]).toEqual(["ADMIN.DATE_IN_PAST", 3]);
    expect(extendedDueDate({ until: "2026-11-24", force: true }, NOW)).toBe("2026-11-24");
    expect(() => extendedDueDate({ until: "2026-02-30", force: false }, NOW)).toThrow(/not a date/);
    expect(expiredDueDate(NOW)).toBe("2026-11-24");
  });
  it("classifies days left", () => {
    expect([classify(-1, 14), classify(0, 14), classify(14, 14), classify(15, 14)]).toEqual([
      "expired",
      "expiring",
      "expiring",
      "ok",
    ]);
  });
});

describe("passwords", () => {
  it("reads the current algorithm, md5 by default", () => {
    expect(
      algorithmFromSetting('a:2:{s:7:"current";s:6:"sha256";s:8:"previous";s:3:"md5";}').algorithm,
    ).toBe("sha256");
    expect(algorithmFromSetting(undefined).algorithm).toBe("md5");
    expect(algorithmFromSetting("garbage").algorithm).toBe("md5");
  });
  it("hashes as unsalted lowercase hex", () => {
    expect(hashPassword("md5", "admin")).toBe("21232f297a57a5a743894a0e4a801fc3");
  });
  it("generates strong passwords", () => {
    const p = generatePassword();
    expect(p).toHaveLength(24);
    expect(p).toMatch(/[a-z]/);
    expect(p).toMatch(/[A-Z]/);
    expect(p).toMatch(/[0-9]/);
    expect(generatePassword()).not.toBe(p);
  });
  it("keeps the history as ProcessMaker does with PPP_PASSWORD_HISTORY 0", () => {
    expect(nextHistory(null, "h1")).toBe('a:1:{i:0;s:2:"h1";}');
    expect(nextHistory('a:2:{i:0;s:2:"h1";i:1;s:2:"h2";}', "h3")).toBe(
      'a:2:{i:0;s:2:"h2";i:1;s:2:"h3";}',
    );
    const v = phpUnserialize('a:1:{s:2:"ü";s:2:"ä";}');
    expect(phpSerialize(v)).toBe('a:1:{s:2:"ü";s:2:"ä";}');
  });
});
