/**
 * Photo base64 from a JSON body -> bytes. The API forbids a `data:` prefix and line breaks, so both are
 * stripped here (with any whitespace). The alphabet is checked strictly: Buffer.from(s, 'base64') would
 * silently skip invalid characters and hand the paid API garbage.
 */
import { PhotoError } from './errors.ts';

const DATA_URL_PREFIX = /^data:[a-z0-9.+/-]*(;[a-z0-9=.+-]+)*;base64,/i;
const WHITESPACE = /\s+/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes, refusing anything that is not base64 and anything over maxBytes (judged before decoding). */
export function decodePhotoBase64(text: string, field: string, maxBytes: number): Buffer {
  const clean = text.replace(DATA_URL_PREFIX, '').replace(WHITESPACE, '');
  if (clean === '') throw new PhotoError('photo_empty', field, `${field} is empty`);
  if (Math.floor((clean.length * 3) / 4) - 2 > maxBytes) {
    throw new PhotoError('photo_too_large', field, `${field} is larger than ${maxBytes} bytes`);
  }
  if (!BASE64.test(clean) || clean.length % 4 === 1) {
    throw new PhotoError('photo_not_base64', field, `${field} is not valid base64`);
  }
  const bytes = Buffer.from(clean, 'base64');
  if (bytes.length === 0) throw new PhotoError('photo_empty', field, `${field} is empty`);
  if (bytes.length > maxBytes) {
    throw new PhotoError('photo_too_large', field, `${field} is larger than ${maxBytes} bytes`);
  }
  return bytes;
}
