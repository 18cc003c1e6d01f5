/**
 * A small FaceEngine for tests of the emulator's protocol (the real engine is tested with real photos
 * elsewhere). Photos are text "person-variant": same person -> score 92 (passed), different -> 21,
 * byte-identical -> passed with a replay attack, "" -> empty, "noface-*" -> no_face.
 */
import type {
  Comparison,
  FaceEngine,
  Judged,
  PhotoRole,
  UnjudgeableReason,
} from '../../../local/engine/types.ts';

const timingsMs = { decodeMs: 0, detectMs: 0, compareMs: 0, totalMs: 0 };
const report = {
  faces: 1,
  box: { x: 0, y: 0, width: 10, height: 10 },
  detectionScore: 0.9,
  width: 10,
  height: 10,
};

export interface FakeEngine extends FaceEngine {
  calls: Array<{ ref: string; auth: string }>;
  closed: boolean;
}

export function createFakeEngine(options: { fail?: boolean } = {}): FakeEngine {
  const engine: FakeEngine = {
    calls: [],
    closed: false,
    async compare(ref: Buffer, auth: Buffer): Promise<Comparison> {
      engine.calls.push({ ref: ref.toString('utf8'), auth: auth.toString('utf8') });
      if (options.fail) throw new Error('engine exploded');
      for (const [photo, bytes] of [
        ['ref', ref],
        ['auth', auth],
      ] as const) {
        const reason = unjudgeable(bytes);
        if (reason) return unjudged(photo, reason);
      }
      const same = ref.toString('utf8').split('-')[0] === auth.toString('utf8').split('-')[0];
      const replay = ref.equals(auth);
      return judged(same ? 92.04 : 21.5, replay);
    },
    async close() {
      engine.closed = true;
    },
  };
  return engine;
}

function unjudgeable(bytes: Buffer): UnjudgeableReason | undefined {
  if (bytes.length === 0) return 'empty';
  if (bytes.toString('utf8').startsWith('noface')) return 'no_face';
  return undefined;
}

function unjudged(photo: PhotoRole, reason: UnjudgeableReason): Comparison {
  return { outcome: 'unjudgeable', reason, photo, message: `${photo}: ${reason}`, timingsMs };
}

function judged(score: number, faceAttack: boolean): Judged {
  return {
    outcome: 'judged',
    score,
    passed: score >= 60,
    threshold: 60,
    distance: (100 - score) / 100,
    faceAttack,
    attackSignals: [{ name: 'replay', fired: faceAttack, value: faceAttack ? 1 : 0, threshold: 0.5 }],
    ref: report,
    auth: report,
    timingsMs,
  };
}
