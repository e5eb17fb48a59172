// A one-line progress display on stderr, redrawn at most ten times a second; only used when
// stderr is a TTY (the command decides), so logs and pipes never see carriage returns.
import type { OutStream } from "../runtime.js";
import { formatBytes } from "../fsx/walk.js";

export interface Progress {
  phase(text: string): void;
  addBytes(n: number): void;
  addDumpBytes(n: number): void;
  done(): void;
}

export const noProgress: Progress = {
  phase: () => undefined,
  addBytes: () => undefined,
  addDumpBytes: () => undefined,
  done: () => undefined,
};

export function ttyProgress(stderr: OutStream, now: () => number = Date.now): Progress {
  let phase = "";
  let bytes = 0;
  let dump = 0;
  let last = 0;
  let width = 0;
  const draw = (force = false): void => {
    const t = now();
    if (!force && t - last < 100) return;
    last = t;
    const line = `${phase}  files ${formatBytes(bytes)}  dump ${formatBytes(dump)}`;
    stderr.write(`\r${line.padEnd(width)}`);
    width = line.length;
  };
  return {
    phase(text) {
      phase = text;
      draw(true);
    },
    addBytes(n) {
      bytes += n;
      draw();
    },
    addDumpBytes(n) {
      dump += n;
      draw();
    },
    done() {
      if (width > 0) stderr.write(`\r${" ".repeat(width)}\r`);
    },
  };
}
