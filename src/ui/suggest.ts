// "Did you mean …?" for names a user typed: workspaces, roles, permissions.
import { distance } from "fastest-levenshtein";

export function closest(input: string, candidates: readonly string[]): string | undefined {
  const needle = input.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const hay = c.toLowerCase();
    const d = distance(needle, hay);
    // A substring match beats any typo; among substring matches the nearest one wins
    // ('PM_SETUP_LOGOO' → PM_SETUP_LOGO, not PM_SETUP).
    const score =
      hay.includes(needle) || needle.includes(hay) ? 0.5 + Math.min(d, 999) / 10_000 : d;
    if (score < bestScore) {
      bestScore = score;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  return bestScore <= Math.max(2, Math.floor(input.length / 3)) ? best : undefined;
}

export function didYouMean(input: string, candidates: readonly string[]): string {
  const match = closest(input, candidates);
  return match === undefined ? "" : ` Did you mean '${match}'?`;
}
