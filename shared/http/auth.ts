/**
 * Caller authentication: `Authorization: Bearer <key>`, keys configured as SHA-256 hex hashes. The presented
 * key is hashed and compared with every configured hash in constant time (no early exit), so neither the
 * match position nor a common prefix leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^Bearer[ \t]+([\x21-\x7e]{1,512})[ \t]*$/i;

export function bearerKey(authorization: string | undefined): string | undefined {
  return authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
}

export function isAuthorised(authorization: string | undefined, keyHashesHex: readonly string[]): boolean {
  const key = bearerKey(authorization);
  if (key === undefined) return false;
  const presented = createHash('sha256').update(key, 'utf8').digest();
  let match = false;
  for (const hex of keyHashesHex) {
    const expected = Buffer.from(hex, 'hex');
    if (expected.length === presented.length && timingSafeEqual(expected, presented)) match = true;
  }
  return match;
}
