/** Time comes from an injected clock so tests can move it. */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

const DAY_MS = 86_400_000;

/**
 * When the upstream's daily quota resets: the next midnight at a UTC offset (minutes east of UTC), strictly after
 * nowEpochMs. The bucket door's nextAttemptAt and the HTTP door's Retry-After both count to it.
 */
export function nextQuotaResetEpochMs(nowEpochMs: number, utcOffsetMinutes: number): number {
  const offsetMs = utcOffsetMinutes * 60_000;
  return (Math.floor((nowEpochMs + offsetMs) / DAY_MS) + 1) * DAY_MS - offsetMs;
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    // The abort listener is removed when the timer fires: a long-lived signal shared by many sleeps (the
    // emulator's `closing`) would otherwise collect one listener per call for ever.
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
