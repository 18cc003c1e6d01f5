import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createQpsLimiter } from '../../../local/emulator/qps.ts';

const clockAt = (start = 1_700_000_000_000) => {
  let now = start;
  return { nowMs: () => now, advance: (ms: number) => (now += ms) };
};

describe('createQpsLimiter', () => {
  it('lets every call through when no limit is set', () => {
    const limiter = createQpsLimiter(clockAt(), undefined);
    for (let i = 0; i < 1000; i++) expect(limiter.take('k', 'api')).toBe(true);
  });

  it('lets one second of calls through in a burst and refuses the rest', () => {
    const limiter = createQpsLimiter(clockAt(), 5);
    const results = Array.from({ length: 50 }, () => limiter.take('k', 'api'));
    expect(results.filter(Boolean)).toHaveLength(5);
    expect(results.slice(0, 5)).toEqual([true, true, true, true, true]);
  });

  it('refills at the limit: one more call every 1/qps seconds', () => {
    const clock = clockAt();
    const limiter = createQpsLimiter(clock, 10);
    for (let i = 0; i < 10; i++) limiter.take('k', 'api');
    expect(limiter.take('k', 'api')).toBe(false);
    clock.advance(99);
    expect(limiter.take('k', 'api')).toBe(false);
    clock.advance(1);
    expect(limiter.take('k', 'api')).toBe(true);
    expect(limiter.take('k', 'api')).toBe(false);
  });

  it('keeps one bucket per access key and per API', () => {
    const limiter = createQpsLimiter(clockAt(), 1);
    expect(limiter.take('k1', '2019-05-21/ExecuteRequest')).toBe(true);
    expect(limiter.take('k1', '2019-05-21/ExecuteRequest')).toBe(false);
    expect(limiter.take('k1', '2022-08-09/FaceCompare')).toBe(true);
    expect(limiter.take('k2', '2019-05-21/ExecuteRequest')).toBe(true);
  });

  it('lets a call through now and then when the limit is below 1 QPS', () => {
    const clock = clockAt();
    const limiter = createQpsLimiter(clock, 0.5);
    expect(limiter.take('k', 'api')).toBe(true);
    clock.advance(1000);
    expect(limiter.take('k', 'api')).toBe(false);
    clock.advance(1000);
    expect(limiter.take('k', 'api')).toBe(true);
  });

  it('never lets more than qps x seconds + qps calls through, whatever the arrival times', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 300 }),
        (qps, gapsMs) => {
          const clock = clockAt();
          const limiter = createQpsLimiter(clock, qps);
          let passed = 0;
          let elapsedMs = 0;
          for (const gap of gapsMs) {
            clock.advance(gap);
            elapsedMs += gap;
            if (limiter.take('k', 'api')) passed++;
          }
          expect(passed).toBeLessThanOrEqual(Math.floor(qps + (qps * elapsedMs) / 1000));
        },
      ),
      { seed: 17, numRuns: 200 },
    );
  });

  it('refuses a limit that is not positive', () => {
    expect(() => createQpsLimiter(clockAt(), 0)).toThrow(RangeError);
  });
});
