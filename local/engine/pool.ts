/**
 * A small pool of engine worker threads (worker.ts), each with its own tfjs and models. Requests go to the
 * least busy worker, so the two photos of a pair run on two cores and the caller's event loop stays free.
 *
 * The worker is TypeScript: it is started through tsx's ESM API (tsx is a runtime dependency), explicitly,
 * with `execArgv: []` so that it does not depend on how the parent was started (tsx CLI, vitest, node).
 * Worker stdout is sent to the parent's stderr: the product writes JSON log lines on stdout and tfjs/
 * Emscripten may print there.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ENGINE_ERROR_CODES, FaceEngineError } from './errors.ts';
import { type WorkerReply, WorkerReplySchema, type WorkerRequest } from './messages.ts';

const require = createRequire(import.meta.url);

const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
for (const id of workerData.preload) require(id);
const start = workerData.tsxApi
  ? import(workerData.tsxApi).then((api) => { api.register(); return import(workerData.entry); })
  : import(workerData.entry);
start.catch((err) => {
  require('node:worker_threads').parentPort.postMessage({ type: 'startup-failed', message: String(err && err.stack || err) });
});
`;

/**
 * Loaded with plain `require` before tsx is registered: tsx then sees them already loaded, instead of
 * compiling them again (under tsx, loading tfjs takes about twice the memory).
 */
const PRELOAD = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  '@vladmandic/face-api/dist/face-api.node-wasm.js',
  'sharp',
];

const YOUNG_GENERATION_MB = 16;

type Pending = { resolve: (reply: WorkerReply) => void; reject: (err: Error) => void };
type Request = WorkerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  /** Set when the worker crashed or exited: it gets no more requests. */
  dead: boolean;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;
  readonly ready: Promise<void>;

  constructor(size: number, workerData: Record<string, unknown>) {
    const entry = new URL('./worker.ts', import.meta.url).href;
    // The ESM build of tsx's API: its CJS twin (what require.resolve finds) registers a wrong relative path.
    const tsxApi = pathToFileURL(join(dirname(require.resolve('tsx/esm/api')), 'index.mjs')).href;
    const starts: Promise<void>[] = [];
    for (let i = 0; i < size; i++) {
      const worker = new Worker(BOOTSTRAP, {
        eval: true,
        execArgv: [],
        // V8's young generation grows to 3 x 16 MB per thread under this allocation rate; a smaller one
        // costs a few more scavenges and keeps about 20 MB per worker off the peak RSS (bench:engine).
        resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
        stdout: true,
        stderr: true,
        workerData: { ...workerData, entry, tsxApi, preload: PRELOAD.map((id) => require.resolve(id)) },
      });
      worker.stdout.pipe(process.stderr);
      worker.stderr.pipe(process.stderr);
      const slot: Slot = { worker, pending: new Map(), dead: false };
      this.slots.push(slot);
      starts.push(this.watch(slot));
    }
    this.ready = Promise.all(starts).then(() => undefined);
    // A failed start is reported by `ready`; keep it from being an unhandled rejection meanwhile.
    this.ready.catch(() => undefined);
  }

  private watch(slot: Slot): Promise<void> {
    return new Promise((resolve, reject) => {
      slot.worker.on('message', (raw: unknown) => {
        const parsed = WorkerReplySchema.safeParse(raw);
        if (!parsed.success) return;
        const reply = parsed.data;
        if (reply.type === 'ready') return resolve();
        if (reply.type === 'startup-failed') {
          return reject(
            new FaceEngineError(ENGINE_ERROR_CODES.startFailed, `engine worker: ${reply.message}`),
          );
        }
        const waiter = slot.pending.get(reply.id);
        slot.pending.delete(reply.id);
        waiter?.resolve(reply);
      });
      const fail = (err: Error) => {
        slot.dead = true;
        const error = new FaceEngineError(ENGINE_ERROR_CODES.workerFailed, 'an engine worker stopped', {
          cause: err,
        });
        reject(error);
        for (const waiter of slot.pending.values()) waiter.reject(error);
        slot.pending.clear();
      };
      slot.worker.on('error', fail);
      slot.worker.on('exit', (code) => {
        if (!this.closed) fail(new Error(`worker exited with code ${code}`));
      });
    });
  }

  /** Sends a request to the least busy worker and waits for its reply. */
  async run(request: Request, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.closed) throw new FaceEngineError(ENGINE_ERROR_CODES.closed, 'the face engine is closed');
    await this.ready;
    const live = this.slots.filter((s) => !s.dead);
    if (live.length === 0) {
      throw new FaceEngineError(ENGINE_ERROR_CODES.workerFailed, 'every engine worker has stopped');
    }
    const slot = live.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ ...request, id }, transfer);
    });
  }

  /** One request per worker (e.g. to read each worker's tensor count). */
  async runOnEach(request: Request): Promise<WorkerReply[]> {
    await this.ready;
    return Promise.all(
      this.slots
        .filter((slot) => !slot.dead)
        .map((slot) => {
          const id = this.nextId++;
          return new Promise<WorkerReply>((resolve, reject) => {
            slot.pending.set(id, { resolve, reject });
            slot.worker.postMessage({ ...request, id });
          });
        }),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new FaceEngineError(ENGINE_ERROR_CODES.closed, 'the face engine was closed');
    for (const slot of this.slots) {
      for (const waiter of slot.pending.values()) waiter.reject(error);
      slot.pending.clear();
    }
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}
