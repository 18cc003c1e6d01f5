/**
 * JSON.parse keeps the last of two equal keys, so `{"refFaceContent": A, "refFaceContent": B}` would silently
 * verify B. This finds the first top-level key, among `fields`, that the (already valid) JSON text holds twice.
 * Strings are skipped with indexOf (base64 holds no quote), so a 30 MB body costs a few native scans.
 */
export function duplicateTopLevelKey(text: string, fields: ReadonlySet<string>): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x7b || ch === 0x5b) depth++;
    else if (ch === 0x7d || ch === 0x5d) depth--;
    else if (ch === 0x22) {
      const end = stringEnd(text, i);
      if (depth === 1 && nextNonSpace(text, end + 1) === 0x3a) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (fields.has(key)) {
          if (seen.has(key)) return key;
          seen.add(key);
        }
      }
      i = end;
    }
  }
  return undefined;
}

/** Index of the quote that closes the string opened at `start`. */
function stringEnd(text: string, start: number): number {
  let j = text.indexOf('"', start + 1);
  while (j > 0) {
    let backslashes = 0;
    while (text.charCodeAt(j - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return j;
    j = text.indexOf('"', j + 1);
  }
  return text.length;
}

function nextNonSpace(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch !== 0x20 && ch !== 0x09 && ch !== 0x0a && ch !== 0x0d) return ch;
  }
  return -1;
}
