/**
 * Is `s` base64 as the API wants it: only A-Z a-z 0-9 + /, `=` padding at the end only, no `data:` prefix,
 * no line breaks or spaces. Checked by a round trip rather than a regex over the whole string, which is faster
 * on this hot path (docs/benchmarks.md, "HTTP door overhead"). Buffer's decoder skips characters outside the
 * alphabet and reads base64url, but its encoder writes only the canonical alphabet with end padding, so any
 * other character makes the texts differ.
 */

/**
 * Base64 text known to be strict: made only by decodeStrictBase64 (checked) or by Buffer's encoder. The
 * client sends it without checking a photo a second time.
 */
export class CheckedBase64 {
  private constructor(readonly text: string) {}

  /** The canonical base64 of `bytes`. */
  static encode(bytes: Buffer): CheckedBase64 {
    return new CheckedBase64(bytes.toString('base64'));
  }

  /** Decodes `s` when it is strict base64 (missing end padding allowed, non-canonical final bits refused). */
  static decode(s: string): StrictBase64 | undefined {
    if (s.length === 0 || s.length % 4 === 1) return undefined;
    const bytes = Buffer.from(s, 'base64');
    const again = bytes.toString('base64');
    if (again === s) return { bytes, base64: new CheckedBase64(s) };
    // Without (all of) its padding, `s` must be the canonical text minus some trailing `=`.
    const padded = s.length % 4 === 0 ? s.length : s.length + 4 - (s.length % 4);
    if (again.length !== padded || !again.startsWith(s)) return undefined;
    return { bytes, base64: new CheckedBase64(again) };
  }
}

export interface StrictBase64 {
  bytes: Buffer;
  /** The canonical text, equal to `bytes.toString('base64')`: `s` itself, padded when it came without `=`. */
  base64: CheckedBase64;
}

export const decodeStrictBase64 = (s: string): StrictBase64 | undefined => CheckedBase64.decode(s);

export const isStrictBase64 = (s: string): boolean => decodeStrictBase64(s) !== undefined;
