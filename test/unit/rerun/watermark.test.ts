import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createWatermark } from '../../../shared/rerun/watermark.ts';

const at = (i: number) => ({ folder: `cases/c${i}/`, pageToken: i >= 5 ? 'p2' : undefined });

describe('createWatermark', () => {
  it('stays at the start until the first case finishes, then follows the unbroken run', () => {
    const w = createWatermark({ folder: 'cases/a/', pageToken: 't' });
    w.finish(1, at(1));
    expect(w.position()).toEqual({ folder: 'cases/a/', pageToken: 't' });
    w.finish(0, at(0));
    expect(w.position()).toEqual(at(1));
  });

  it('is the last case of the finished prefix, whatever the finishing order (property)', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 30 })
          .chain((n) =>
            fc.tuple(fc.constant(n), fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i))),
          ),
        ([, finished]) => {
          const w = createWatermark();
          for (const seq of finished) w.finish(seq, at(seq));
          let prefix = -1;
          while (finished.includes(prefix + 1)) prefix += 1;
          expect(w.position()).toEqual(prefix < 0 ? undefined : at(prefix));
        },
      ),
    );
  });
});
