/** Remembers each (AccessKeyId, SignatureNonce) long enough to refuse a replay inside the Timestamp window. */
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
      const key = `${accessKeyId}\n${nonce}`;
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
