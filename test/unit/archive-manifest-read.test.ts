// The streaming manifest reader splits "entries" out element by element, whatever the chunking,
// and reports JSON syntax errors inside the array as well as around it.
import { describe, expect, it } from "vitest";
import { ManifestEntriesSplitter } from "../../src/archive/manifest-read.js";

function split(text: string, size: number): { head: string; elems: unknown[]; error?: string } {
  const s = new ManifestEntriesSplitter();
  const elems: unknown[] = [];
  for (let i = 0; i < text.length; i += size) elems.push(...s.feed(text.slice(i, i + size)));
  const head = s.end();
  return s.syntaxError === undefined ? { head, elems } : { head, elems, error: s.syntaxError };
}

describe("ManifestEntriesSplitter", () => {
  const doc = {
    format: "pmadmin-backup",
    note: 'a "entries": [1] string, \\ and ünïcode',
    workspaces: [{ name: "w", entries: [9] }],
    entries: [
      { name: "a", size: 1, sha256: "x", linkname: "b]}" },
      { name: "c/d", size: 0, sha256: "y" },
      "str,]",
      42,
      [1, [2]],
    ],
    after: true,
  };
  for (const text of [JSON.stringify(doc), JSON.stringify(doc, null, 2)]) {
    for (const size of [1, 3, 7, 64, 1 << 20]) {
      it(`pretty=${text.includes("\n")} chunk ${size}`, () => {
        const r = split(text, size);
        expect(r.error).toBeUndefined();
        expect(r.elems).toEqual(doc.entries);
        expect(JSON.parse(r.head)).toEqual({ ...doc, entries: [] });
      });
    }
  }

  it("reports syntax errors in the array: missing or trailing comma, bad element, not closed", () => {
    for (const bad of [
      '{"entries": [{"a":1} {"b":2}]}',
      '{"entries": [{"a":1},]}',
      '{"entries": [,{"a":1}]}',
      '{"entries": [{"a":1,}]}',
      '{"entries": [tru]}',
      '{"entries": [{"a":1}',
    ])
      expect(split(bad, 5).error, bad).toBeDefined();
  });

  it("leaves an entries value that is not an array in the head", () => {
    const r = split('{"entries": "xx", "k": [1]}', 4);
    expect(r.elems).toEqual([]);
    expect(JSON.parse(r.head)).toEqual({ entries: "xx", k: [1] });
  });
});
