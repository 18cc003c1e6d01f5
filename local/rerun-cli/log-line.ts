/**
 * The rerun command's log lines on stderr are for people at a terminal: an expected failure (a bucket that
 * cannot be reached, a refused key) is reported by its code and message, without the stack traces the JSON
 * logger records for the functions. LOG_LEVEL=debug keeps them.
 */
const dropStacks = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(dropStacks);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([k]) => k !== 'stack')
      .map(([k, v]) => [k, dropStacks(v)]),
  );
};

export function terminalLogLine(line: string, keepStacks: boolean): string {
  if (keepStacks) return line;
  try {
    return JSON.stringify(dropStacks(JSON.parse(line)));
  } catch {
    return line;
  }
}
