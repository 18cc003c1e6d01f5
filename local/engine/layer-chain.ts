/**
 * Runs a network's layers one after the other without tf.tidy's cost: each intermediate result is freed as
 * soon as the next exists, so only two layers' outputs are ever allocated (tfjs' wasm heap never shrinks, so
 * its peak is what a worker keeps). Used by the lean detectors (tiny-detector.ts, ssd-detector.ts).
 */
import type { Tensor4D } from '@tensorflow/tfjs';

/** `steps` applied in turn to `x`; frees every intermediate result, never `x` (its owner frees it). */
export function chain(x: Tensor4D, ...steps: ((t: Tensor4D) => Tensor4D)[]): Tensor4D {
  let out = x;
  for (const step of steps) {
    const next = step(out);
    if (out !== x) out.dispose();
    out = next;
  }
  return out;
}
