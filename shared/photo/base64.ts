/**
 * Photo base64 from a JSON body -> bytes. The API forbids a `data:` prefix and line breaks, so both are
 * stripped here (with any whitespace). The alphabet is checked strictly: Buffer.from(s, 'base64') would
 * silently skip invalid characters and hand the paid API garbage.
 */
import { decodeStrictBase64, type StrictBase64 } from '../idv/base64.ts';
import { PhotoError } from './errors.ts';

const DATA_URL_PREFIX = /^data:[a-z0-9.+/-]*(;[a-z0-9=.+-]+)*;base64,/i;
const WHITESPACE = /\s+/g;

/**
 * Decodes, refusing anything that is not base64 and anything over maxBytes. Also returns the canonical base64
 * text (equal to `bytes.toString('base64')`), so a photo that passes unchanged is not encoded again.
 */
export function decodePhotoBase64Text(text: string, field: string, maxBytes: number): StrictBase64 {
  const tooLarge = () =>
    new PhotoError('photo_too_large', field, `${field} is larger than ${maxBytes} bytes`);
  const unprefixed = text.startsWith('data:') ? text.replace(DATA_URL_PREFIX, '') : text;
  // Before decoding: a bound that leaves room for line breaks (76-character lines add under 3%).
  if (Math.floor((unprefixed.length * 3) / 4) > maxBytes * 1.05 + 64) throw tooLarge();
  // Fast path: already clean. Otherwise remove whitespace (line breaks) and check again.
  let decoded = decodeStrictBase64(unprefixed);
  if (!decoded) {
    const clean = unprefixed.replace(WHITESPACE, '');
    if (clean === '') throw new PhotoError('photo_empty', field, `${field} is empty`);
    decoded = decodeStrictBase64(clean);
    if (!decoded) throw new PhotoError('photo_not_base64', field, `${field} is not valid base64`);
  }
  if (decoded.bytes.length === 0) throw new PhotoError('photo_empty', field, `${field} is empty`);
  if (decoded.bytes.length > maxBytes) throw tooLarge();
  return decoded;
}
