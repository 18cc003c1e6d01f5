/** Remembers each (AccessKeyId, SignatureNonce) long enough to refuse a replay inside the Timestamp window. */
import { createHash } from 'node:crypto';
import type { Clock } from '../../shared/clock.ts';

export interface NonceStore {
  /** true when the nonce is new (and now remembered), false when it was used already. */
  claim(accessKeyId: string, nonce: string): boolean;
  readonly size: number;
}

export function createNonceStore(clock: Clock, retentionMs: number): NonceStore {
  const seen = new Map<string, number>();
  let sinceSweep = 0;
  const sweep = (nowMs: number) => {
    for (const [key, expiresEpochMs] of seen) if (expiresEpochMs <= nowMs) seen.delete(key);
  };
  return {
    claim(accessKeyId, nonce) {
      const nowMs = clock.nowMs();
      if (++sinceSweep >= 1000) {
        sinceSweep = 0;
        sweep(nowMs);
      }
      // A digest, not the string itself: the nonce is a slice of the request body, and V8 keeps the whole
      // parent string (both photos) alive for as long as a slice of it is a Map key.
      const key = createHash('sha256').update(`${accessKeyId}\n${nonce}`).digest('base64');
      const expiresEpochMs = seen.get(key);
      if (expiresEpochMs !== undefined && expiresEpochMs > nowMs) return false;
      seen.set(key, nowMs + retentionMs);
      return true;
    },
    get size() {
      return seen.size;
    },
  };
}
