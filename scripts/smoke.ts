/**
 * `npm run smoke -- <URL> [--key KEY]`: checks a deployed HTTP trigger (or `npm start`): GET /healthz answers
 * {"status":"ok"}; POST /verify without a key is refused with 401; with a key (--key or IDV_SMOKE_KEY) one
 * verification of two sample photos (two different people, from @vladmandic/face-api's demo folder) answers a
 * verdict. That last step is one paid call on a real deployment. Exit 0 when every step passed, 1 otherwise,
 * 2 for bad arguments.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export function samplePhotos(): [Buffer, Buffer] {
  const demo = join(
    dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')),
    'demo',
  );
  return [readFileSync(join(demo, 'sample1.jpg')), readFileSync(join(demo, 'sample6.jpg'))];
}

type Step = { name: string; ok: boolean; detail: string };

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json().catch(() => ({}))) as Record<string, unknown>;
}

export async function smoke(base: string, key: string | undefined, timeoutMs = 60_000): Promise<Step[]> {
  const url = base.replace(/\/+$/, '');
  const steps: Step[] = [];
  const step = async (name: string, run: () => Promise<[boolean, string]>) => {
    try {
      const [ok, detail] = await run();
      steps.push({ name, ok, detail });
    } catch (err) {
      steps.push({ name, ok: false, detail: err instanceof Error ? err.message : String(err) });
    }
  };
  const signal = () => AbortSignal.timeout(timeoutMs);
  await step('GET /healthz', async () => {
    const res = await fetch(`${url}/healthz`, { signal: signal() });
    const body = await json(res);
    return [res.status === 200 && body.status === 'ok', `HTTP ${res.status} ${JSON.stringify(body)}`];
  });
  await step('POST /verify without a key is refused', async () => {
    const res = await fetch(`${url}/verify`, { method: 'POST', signal: signal() });
    const body = await json(res);
    const code = (body.error as { code?: string } | undefined)?.code;
    return [res.status === 401 && code === 'unauthorized', `HTTP ${res.status} ${code ?? ''}`.trim()];
  });
  if (key) {
    await step('POST /verify with the key and two sample photos (one paid call)', async () => {
      const [ref, auth] = samplePhotos();
      const form = new FormData();
      form.append('ref', new Blob([new Uint8Array(ref)], { type: 'image/jpeg' }), 'ref.jpg');
      form.append('auth', new Blob([new Uint8Array(auth)], { type: 'image/jpeg' }), 'auth.jpg');
      const res = await fetch(`${url}/verify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
        body: form,
        signal: signal(),
      });
      const body = await json(res);
      if (res.status !== 200) {
        const error = body.error as { code?: string; message?: string } | undefined;
        return [false, `HTTP ${res.status} ${error?.code ?? ''}: ${error?.message ?? ''}`];
      }
      return [
        typeof body.result === 'boolean' && typeof body.score === 'number',
        `result ${body.result}, score ${body.score}, upstream RequestId ${body.upstreamRequestId}`,
      ];
    });
  }
  return steps;
}
