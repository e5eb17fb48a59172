// Finding a DATA DIRECTORY / INDEX DIRECTORY table option in dump bytes. With it, CREATE TABLE
// makes the server write the table's files into any directory the server process can write
// (MariaDB 10.11 asks for no privilege beyond CREATE, checked by hand), so no privilege model
// stops it: the dump is refused before the statement reaches the server.
//
// The scan must not be fooled by the lexer's modes (an archive can switch NO_BACKSLASH_ESCAPES or
// ANSI_QUOTES on), so it ignores string and comment state and looks at the raw bytes, every line,
// INSERT data included: the word DIRECTORY (any case, not part of a longer identifier) followed by
// blanks or comments, an optional `=`, and a quote opening an absolute path. Inside a value
// written by mysqldump/mariadb-dump a quote is always escaped (\' \"), so table data cannot match;
// a string that merely ends in "directory" is followed by its closing quote and a comma or paren,
// not by a path. Fast: it only looks closer at the bytes 'y'/'Y', found with indexOf.

const DIRECTOR = Buffer.from("director");

function isIdentByte(b: number | undefined): boolean {
  if (b === undefined) return false;
  return (
    (b >= 0x30 && b <= 0x39) ||
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    b === 0x5f ||
    b === 0x24 ||
    b === 0x60 || // a backquoted identifier
    b === 0x2e || // a qualified name: NEW.directory
    b >= 0x80
  );
}

/** Whether the word starting at `start` begins a token (not the tail of an identifier). */
function startsToken(buf: Buffer, start: number): boolean {
  let i = start - 1;
  // /*!50100DIRECTORY*/: the version digits of an executable comment are not part of the word.
  while (i >= 0 && (buf[i] ?? 0) >= 0x30 && (buf[i] ?? 0) <= 0x39) i--;
  if (i < start - 1 && buf[i] === 0x21) return true;
  return !isIdentByte(buf[start - 1]);
}

/** Skips blanks and comments from `i`; -1 when the buffer ends inside them. */
function skipSeparators(buf: Buffer, i: number): number {
  for (;;) {
    const b = buf[i];
    if (b === undefined) return -1;
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c) {
      i++;
    } else if (b === 0x2f && buf[i + 1] === 0x2a) {
      // /* … */ and the executable /*!NNNNN … */, /*M!NNNNN … */ (their inside is code: keep it)
      if (buf[i + 2] === 0x21 || (buf[i + 2] === 0x4d && buf[i + 3] === 0x21)) {
        i += buf[i + 2] === 0x21 ? 3 : 4;
        while ((buf[i] ?? 0) >= 0x30 && (buf[i] ?? 0) <= 0x39) i++;
      } else {
        const end = buf.indexOf("*/", i + 2);
        if (end === -1) return -1;
        i = end + 2;
      }
    } else if (b === 0x2a && buf[i + 1] === 0x2f) {
      i += 2; // the end of an executable comment
    } else if (b === 0x23 || (b === 0x2d && buf[i + 1] === 0x2d)) {
      const end = buf.indexOf(0x0a, i);
      if (end === -1) return -1;
      i = end + 1;
    } else {
      return i;
    }
  }
}

function opensPath(buf: Buffer, i: number): boolean {
  const q = buf[i];
  if (q !== 0x27 && q !== 0x22) return false;
  const c = buf[i + 1];
  if (c === undefined) return true;
  if (c === 0x2f || c === 0x5c) return true; // '/…' or '\…'
  const letter = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
  return letter && buf[i + 2] === 0x3a; // 'C:…'
}

/** The offset of a DIRECTORY table option in `buf`, or -1. */
export function findDirectoryOption(buf: Buffer): number {
  for (const y of [0x79, 0x59]) {
    let at = buf.indexOf(y, 8);
    while (at !== -1) {
      const start = at - 8;
      let word = true;
      for (let k = 0; k < 8; k++) {
        if (((buf[start + k] ?? 0) | 0x20) !== DIRECTOR[k]) {
          word = false;
          break;
        }
      }
      if (word && startsToken(buf, start) && !isIdentByte(buf[at + 1])) {
        let i = skipSeparators(buf, at + 1);
        if (i === -1) return start; // the line ends in blanks or a comment: too close to call
        if (buf[i] === 0x3d) {
          i = skipSeparators(buf, i + 1);
          if (i === -1) return start;
        }
        if (opensPath(buf, i)) return start;
      }
      at = buf.indexOf(y, at + 1);
    }
  }
  return -1;
}
