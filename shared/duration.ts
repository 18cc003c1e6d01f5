/** Durations as FC's `@every` and our settings write them: `1h30m`, `90s`, `500ms`. */
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `1h30m`, `90s`, `500ms` -> milliseconds; a bare number is milliseconds; undefined for anything else. */
export function parseDurationMs(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  if (!/^(?:\d+(?:ms|s|m|h))+$/.test(t)) return undefined;
  let total = 0;
  for (const [, n, unit] of t.matchAll(/(\d+)(ms|s|m|h)/g))
    total += Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return total;
}
