/**
 * The offline face engine: `createFaceEngine()` starts the worker threads and loads the models (a few
 * seconds: create one per process), `compare(ref, auth)` judges a pair, `close()` stops the workers and frees
 * every model and tensor. Safe under concurrent `compare` calls.
 */
import { ANTISPOOF_MIN_REAL, LIVENESS_MIN_LIVE } from './calibration.ts';
import { ENGINE_ERROR_CODES, FaceEngineError } from './errors.ts';
import { readImageHeader } from './header.ts';
import type { AnalyseSettings, Analysis, FaceAnalysis } from './messages.ts';
import { type FaceEngineOptions, FaceEngineOptionsSchema, type ResolvedEngineOptions } from './options.ts';
import { WorkerPool } from './pool.ts';
import { detailSimilarity, replaySignal } from './replay.ts';
import { euclideanDistance, scoreFromDistance } from './score.ts';
import type {
  AttackSignal,
  Comparison,
  FaceEngine,
  PhotoReport,
  PhotoRole,
  Timings,
  Unjudged,
} from './types.ts';

export type { FaceEngineOptions } from './options.ts';

export interface LocalFaceEngine extends FaceEngine {
  /** Live tfjs tensors, summed over the workers (stable between compares when nothing leaks). */
  numTensors(): Promise<number>;
  /** The resolved options (threshold, limits, workers). */
  readonly options: Readonly<ResolvedEngineOptions>;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

function timings(decodeMs: number, detectMs: number, compareMs: number, startedMs: number): Timings {
  return {
    decodeMs: round(decodeMs),
    detectMs: round(detectMs),
    compareMs: round(compareMs),
    totalMs: round(performance.now() - startedMs),
  };
}

/** Header checks run on the caller's thread: empty, not an image, truncated header, over the limits. */
function checkHeader(bytes: Buffer, photo: PhotoRole, options: ResolvedEngineOptions) {
  const header = readImageHeader(bytes);
  if (!header.ok) {
    const messages = {
      empty: `the ${photo} photo is empty (0 bytes)`,
      not_an_image: `the ${photo} photo is not a JPEG, PNG or WebP image`,
      truncated: `the ${photo} photo ends inside its header (truncated file)`,
      undecodable: `the ${photo} photo has a malformed header`,
    };
    return { reason: header.reason, message: messages[header.reason] };
  }
  const { width, height } = header;
  if (width > options.maxDimension || height > options.maxDimension || width * height > options.maxPixels) {
    return {
      reason: 'too_large' as const,
      message: `the ${photo} photo is ${width}x${height} px, over the limit of ${options.maxDimension} px per side and ${options.maxPixels} px in all`,
    };
  }
  return undefined;
}

function report(a: FaceAnalysis): PhotoReport {
  return { faces: a.faces, box: a.box, detectionScore: a.detectionScore, width: a.width, height: a.height };
}

function passiveSignals(auth: FaceAnalysis): AttackSignal[] {
  const signals: AttackSignal[] = [];
  if (auth.antispoof !== undefined) {
    const fired = auth.antispoof < ANTISPOOF_MIN_REAL;
    signals.push({ name: 'antispoof', fired, value: auth.antispoof, threshold: ANTISPOOF_MIN_REAL });
  }
  if (auth.liveness !== undefined) {
    const fired = auth.liveness < LIVENESS_MIN_LIVE;
    signals.push({ name: 'liveness', fired, value: auth.liveness, threshold: LIVENESS_MIN_LIVE });
  }
  return signals;
}

export async function createFaceEngine(input: FaceEngineOptions = {}): Promise<LocalFaceEngine> {
  const parsed = FaceEngineOptionsSchema.safeParse(input);
  if (!parsed.success) {
    throw new FaceEngineError(
      ENGINE_ERROR_CODES.badOptions,
      `invalid face engine options: ${parsed.error.message}`,
    );
  }
  const options = parsed.data;
  const settings: AnalyseSettings = {
    detectMaxSide: options.detectMaxSide,
    minFaceSize: options.minFaceSize,
    passiveSignals: options.passiveSignals,
  };
  const pool = new WorkerPool(options.workers, { passiveSignals: options.passiveSignals });
  try {
    await pool.ready;
  } catch (err) {
    await pool.close();
    throw err;
  }

  // The passive models judge the live face photo only: the ID photo is a reproduction by nature.
  const refSettings: AnalyseSettings = { ...settings, passiveSignals: false };

  async function analyse(bytes: Buffer, photo: PhotoRole): Promise<Analysis> {
    const reply = await pool.run({
      op: 'analyse',
      bytes,
      settings: photo === 'ref' ? refSettings : settings,
    });
    if (reply.type === 'analysis') return reply.analysis;
    const detail = reply.type === 'failed' ? reply.message : reply.type;
    throw new FaceEngineError(ENGINE_ERROR_CODES.workerFailed, `engine worker failed: ${detail}`);
  }

  async function compare(ref: Buffer, auth: Buffer): Promise<Comparison> {
    const startedMs = performance.now();
    for (const [photo, bytes] of [
      ['ref', ref],
      ['auth', auth],
    ] as const) {
      const bad = checkHeader(bytes, photo, options);
      if (bad) return { outcome: 'unjudgeable', photo, ...bad, timingsMs: timings(0, 0, 0, startedMs) };
    }
    const [refA, authA] = await Promise.all([analyse(ref, 'ref'), analyse(auth, 'auth')]);
    const decodeMs = Math.max(refA.decodeMs, authA.decodeMs);
    const detectMs = Math.max(refA.detectMs, authA.detectMs);
    for (const [photo, a] of [
      ['ref', refA],
      ['auth', authA],
    ] as const) {
      if (!a.ok) {
        const unjudged: Unjudged = {
          outcome: 'unjudgeable',
          reason: a.reason,
          photo,
          message: `the ${photo} photo: ${a.message}`,
          timingsMs: timings(decodeMs, detectMs, 0, startedMs),
        };
        return unjudged;
      }
    }
    if (!refA.ok || !authA.ok) throw new Error('unreachable');
    const compareStartMs = performance.now();
    const distance = euclideanDistance(refA.descriptor, authA.descriptor);
    const score = scoreFromDistance(distance);
    const attackSignals = [
      replaySignal(distance, detailSimilarity(refA.thumb, authA.thumb)),
      ...passiveSignals(authA),
    ];
    return {
      outcome: 'judged',
      score,
      passed: score >= options.threshold,
      threshold: options.threshold,
      distance: Math.round(distance * 10_000) / 10_000,
      faceAttack: attackSignals.some((s) => s.fired),
      attackSignals,
      ref: report(refA),
      auth: report(authA),
      timingsMs: timings(decodeMs, detectMs, performance.now() - compareStartMs, startedMs),
    };
  }

  async function numTensors(): Promise<number> {
    const replies = await pool.runOnEach({ op: 'tensors' });
    return replies.reduce((sum, r) => sum + (r.type === 'tensors' ? r.numTensors : 0), 0);
  }

  return { compare, close: () => pool.close(), numTensors, options };
}
