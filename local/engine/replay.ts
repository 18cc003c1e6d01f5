/**
 * Replay of the reference photo: the auth photo is the ID photo itself re-used (a copy, re-encode, crop,
 * resize, mirror, small rotation or brightness change of it). Two different photos of one person have close
 * descriptors but different fine detail; a re-used photo has near-identical descriptors AND near-identical
 * detail. The detail test correlates the image gradients of the two canonical-pose face thumbnails
 * (dlib-chip.ts, the face and its surroundings; zero mean, unit variance: brightness and contrast changes
 * cancel), searching small shifts (landmark jitter) and the mirrored thumbnail. The signal is gradient
 * similarity minus descriptor distance (the flip-averaged descriptor: a mirrored copy stays close): on
 * faces-dev and face-api's demo faces genuine same-person pairs reach 0.37 and replays go down to 0.52
 * (calibration.ts).
 *
 * The eye-aligned thumbnail used before (thumb.ts, now the quality gate's) placed a face by two eye centres:
 * landmark jitter on a mirrored or brightened copy of a small face moved it enough to miss 4 of 72 replays
 * of the demo faces, and the genuine pairs reached 0.42 against a threshold of 0.465.
 */
import { REPLAY_MIN_VALUE } from './calibration.ts';
import { THUMB_SIZE } from './messages.ts';
import type { AttackSignal } from './types.ts';

const MAX_SHIFT = 2;
/** Border left out of the correlation (covers the shift search and the thumbnail's edges). */
const MARGIN = 6;

type Gradients = [Float64Array, Float64Array];

function gradients(thumb: readonly number[], mirror: boolean): Gradients {
  const n = THUMB_SIZE;
  const at = (x: number, y: number) => thumb[y * n + (mirror ? n - 1 - x : x)]!;
  const gx = new Float64Array(n * n);
  const gy = new Float64Array(n * n);
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) {
      gx[y * n + x] = at(x + 1, y) - at(x - 1, y);
      gy[y * n + x] = at(x, y + 1) - at(x, y - 1);
    }
  }
  return [gx, gy];
}

/** Normalised cross-correlation of a's central window with b's window shifted by (dx, dy). */
function windowCorrelation(a: Float64Array, b: Float64Array, dx: number, dy: number): number {
  const n = THUMB_SIZE;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  let count = 0;
  for (let y = MARGIN; y < n - MARGIN; y++) {
    for (let x = MARGIN; x < n - MARGIN; x++) {
      const va = a[y * n + x]!;
      const vb = b[(y + dy) * n + (x + dx)]!;
      sa += va;
      sb += vb;
      saa += va * va;
      sbb += vb * vb;
      sab += va * vb;
      count++;
    }
  }
  const cov = sab / count - (sa / count) * (sb / count);
  const varA = saa / count - (sa / count) ** 2;
  const varB = sbb / count - (sb / count) ** 2;
  return varA > 0 && varB > 0 ? cov / Math.sqrt(varA * varB) : 0;
}

/** Gradient similarity of two canonical-pose thumbnails, -1..1 (1 = same fine detail). */
export function detailSimilarity(ref: readonly number[], auth: readonly number[]): number {
  const size = THUMB_SIZE * THUMB_SIZE;
  if (ref.length !== size || auth.length !== size) return 0;
  const [rx, ry] = gradients(ref, false);
  let best = -1;
  for (const mirror of [false, true]) {
    const [ax, ay] = gradients(auth, mirror);
    for (let dy = -MAX_SHIFT; dy <= MAX_SHIFT; dy++) {
      for (let dx = -MAX_SHIFT; dx <= MAX_SHIFT; dx++) {
        const value = (windowCorrelation(rx, ax, dx, dy) + windowCorrelation(ry, ay, dx, dy)) / 2;
        if (value > best) best = value;
      }
    }
  }
  return best;
}

export function replaySignal(distance: number, similarity: number): AttackSignal {
  const value = Math.round((similarity - distance) * 1000) / 1000;
  return { name: 'replay', fired: value >= REPLAY_MIN_VALUE, value, threshold: REPLAY_MIN_VALUE };
}
