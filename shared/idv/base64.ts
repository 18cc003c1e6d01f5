/**
 * Is `s` base64 as the API wants it: only A-Z a-z 0-9 + /, `=` padding at the end only, no `data:` prefix,
 * no line breaks or spaces. A negated character class runs at about 1 GB/s in V8, where the anchored
 * `^[A-Za-z0-9+/]+={0,2}$` took 7-18 ms on a 400 KB photo: this check sits on every request's hot path.
 */
const NOT_BASE64 = /[^A-Za-z0-9+/=]/;

export function isStrictBase64(s: string): boolean {
  if (s.length === 0 || s.length % 4 === 1 || NOT_BASE64.test(s)) return false;
  const pad = s.indexOf('=');
  return pad === -1 || (pad >= s.length - 2 && s.endsWith('='.repeat(s.length - pad)));
}
