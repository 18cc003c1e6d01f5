/**
 * Virtual time for the burst simulator: a Clock whose `nowMs` moves only when the scheduler jumps to its next
 * timer, and a `sleep` that waits in that time. The code under test is the real code (it takes a clock and a
 * sleep); nothing it awaits does real I/O, so between two timers every promise chain settles within one turn
 * of the event loop, and `run()` then jumps to the next timer. Hours of simulated traffic take seconds.
 */
import type { Clock } from '../../shared/clock.ts';

interface Timer {
  atMs: number;
  seq: number;
  fire: () => void;
}

export interface VirtualTime extends Clock {
  /** Calls `fire` at virtual time `atMs` (now when in the past). */
  at(atMs: number, fire: () => void): void;
  /** Resolves after `ms` of virtual time (or rejects when the signal aborts first). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Runs timers in time order until none is left; resolves with the virtual time of the last one. */
  run(): Promise<number>;
}

export function createVirtualTime(startEpochMs: number): VirtualTime {
  let now = startEpochMs;
  let seq = 0;
  const heap: Timer[] = [];
  const less = (a: Timer, b: Timer) => a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
  const push = (t: Timer) => {
    heap.push(t);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i] as Timer, heap[p] as Timer)) break;
      [heap[i], heap[p]] = [heap[p] as Timer, heap[i] as Timer];
      i = p;
    }
  };
  const pop = (): Timer | undefined => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l] as Timer, heap[m] as Timer)) m = l;
        if (r < heap.length && less(heap[r] as Timer, heap[m] as Timer)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m] as Timer, heap[i] as Timer];
        i = m;
      }
    }
    return top;
  };
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  const at = (atMs: number, fire: () => void) => push({ atMs: Math.max(atMs, now), seq: seq++, fire });
  return {
    nowMs: () => now,
    at,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        at(now + Math.max(0, ms), resolve);
      }),
    async run() {
      for (;;) {
        await settle();
        const next = pop();
        if (!next) return now;
        now = next.atMs;
        next.fire();
        // Every timer due at the same instant fires before the promise chains settle.
        while (heap.length > 0 && (heap[0] as Timer).atMs === now) (pop() as Timer).fire();
      }
    },
  };
}
