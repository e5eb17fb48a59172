// Just enough of PHP's serialize()/unserialize() for the values ProcessMaker keeps in CONFIGURATION
// and USERS_PROPERTIES: arrays of strings and integers. String lengths count UTF-8 bytes, as PHP does.
export type PhpValue = string | number | boolean | null | PhpArray;
export type PhpArray = Map<string | number, PhpValue>;

export class PhpSerializeError extends Error {}

export function phpUnserialize(text: string): PhpValue {
  const buf = Buffer.from(text, "utf8");
  let pos = 0;
  const readUntil = (ch: string): string => {
    const end = buf.indexOf(ch, pos);
    if (end < 0) throw new PhpSerializeError(`expected '${ch}' after byte ${pos}`);
    const s = buf.toString("utf8", pos, end);
    pos = end + 1;
    return s;
  };
  const expect = (ch: string): void => {
    if (buf.toString("utf8", pos, pos + 1) !== ch)
      throw new PhpSerializeError(`expected '${ch}' at byte ${pos}`);
    pos += 1;
  };
  const value = (): PhpValue => {
    const type = buf.toString("utf8", pos, pos + 1);
    pos += 1;
    if (type === "N") return (expect(";"), null);
    expect(":");
    switch (type) {
      case "i":
      case "d":
        return Number(readUntil(";"));
      case "b":
        return readUntil(";") === "1";
      case "s": {
        const len = Number(readUntil(":"));
        expect('"');
        const s = buf.toString("utf8", pos, pos + len);
        pos += len;
        expect('"');
        expect(";");
        return s;
      }
      case "a": {
        const count = Number(readUntil(":"));
        expect("{");
        const map: PhpArray = new Map();
        for (let i = 0; i < count; i++) {
          const key = value();
          if (typeof key !== "string" && typeof key !== "number")
            throw new PhpSerializeError("array key is not a string or integer");
          map.set(key, value());
        }
        expect("}");
        return map;
      }
      default:
        throw new PhpSerializeError(`unsupported type '${type}' at byte ${pos - 1}`);
    }
  };
  const result = value();
  return result;
}

export function phpSerialize(v: PhpValue): string {
  if (v === null) return "N;";
  if (typeof v === "boolean") return `b:${v ? 1 : 0};`;
  if (typeof v === "number") return Number.isInteger(v) ? `i:${v};` : `d:${v};`;
  if (typeof v === "string") return `s:${Buffer.byteLength(v, "utf8")}:"${v}";`;
  const parts = [...v.entries()].map(([k, x]) => phpSerialize(k) + phpSerialize(x));
  return `a:${v.size}:{${parts.join("")}}`;
}

/** A PHP list (keys 0..n-1) from strings. */
export function phpList(values: readonly string[]): PhpArray {
  return new Map(values.map((s, i) => [i, s]));
}

/** A PHP array with string keys, in the record's order. */
export function phpMap(record: Readonly<Record<string, PhpValue>>): PhpArray {
  return new Map(Object.entries(record));
}
