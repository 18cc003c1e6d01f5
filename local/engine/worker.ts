/**
 * Engine worker thread: loads the models once, then analyses one photo per request. Started by pool.ts.
 * Replies are plain objects (structured clone); the pool validates them with messages.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { analysePhoto } from './analyse.ts';
import type { WorkerReply, WorkerRequest } from './messages.ts';
import { preloadPassive } from './passive.ts';
import { loadRuntime } from './runtime.ts';

const port = parentPort;
if (!port) throw new Error('local/engine/worker.ts must run as a worker thread');

function send(reply: WorkerReply): void {
  port!.postMessage(reply);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// libvips' operation cache (process-wide) keeps decoded photos alive for reuse that never happens here: the
// engine decodes each photo once. Off, peak RSS over faces-dev drops by a few hundred MB.
sharp.cache(false);

try {
  const rt = await loadRuntime();
  if ((workerData as { passiveSignals?: boolean } | undefined)?.passiveSignals) await preloadPassive(rt);
  // Requests are handled one at a time: tfjs in one thread is single-threaded anyway, and serialising keeps
  // peak memory at one photo per worker.
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    queue = queue.then(async () => {
      try {
        if (request.op === 'tensors') {
          send({ type: 'tensors', id: request.id, numTensors: rt.tf.memory().numTensors });
        } else {
          send({
            type: 'analysis',
            id: request.id,
            analysis: await analysePhoto(rt, request.bytes, request.settings),
          });
        }
      } catch (err) {
        send({ type: 'failed', id: request.id, message: messageOf(err) });
      }
    });
  });
  send({ type: 'ready' });
} catch (err) {
  send({ type: 'startup-failed', message: messageOf(err) });
}
