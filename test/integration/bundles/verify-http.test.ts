import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../local/emulator/server.ts';
import { createFaceEngine } from '../../../local/engine/engine.ts';
import type { FaceEngine } from '../../../local/engine/types.ts';
import { invokeBundle } from '../../../scripts/deploy/invoke-bundle.ts';
import { httpEvent } from '../../helpers/http-events.ts';
import { samplePhoto } from '../../helpers/photos.ts';
import { buildAlone, type LoneBundle } from './helpers.ts';

const API_KEY = 'bundle-test-api-key-0001';
const KEY = { accessKeyId: 'bundle-test-id', accessKeySecret: 'bundle-test-secret-0001' };

describe('verify-http bundle, alone in an empty folder', () => {
  let bundle: LoneBundle;
  let engine: FaceEngine & { close(): Promise<void> };
  let emulator: Emulator;
  let env: Record<string, string>;

  beforeAll(async () => {
    bundle = await buildAlone('verify-http');
    engine = await createFaceEngine();
    emulator = await startEmulator({ engine, port: 0, keys: [KEY] });
    env = {
      IDV_ENDPOINT: emulator.url,
      IDV_API_KEYS: createHash('sha256').update(API_KEY).digest('hex'),
      IDV_RESOURCE_CODE: '00840000',
      // The face engine on a loaded 2-core machine can take longer than the production 10 s per attempt; the
      // test is about the bundle working alone, not about latency.
      IDV_TIMEOUT_MS: '120000',
      IDV_REQUEST_BUDGET_MS: '170000',
    };
  });
  afterAll(async () => {
    await emulator?.close();
    await engine?.close();
    bundle?.cleanup();
  });

  const context = {
    requestId: 'bundle-1',
    function: { name: 'idv-verify-http', timeout: 180 },
    credentials: KEY,
  };
  const call = (event: unknown) => invokeBundle(bundle.dir, JSON.stringify(event), { env, context });

  it('holds only the entry, its source map, chunks and sharp (no engine, no emulator)', () => {
    const names = readdirSync(bundle.dir).filter((n) => !/^index\.mjs(\.map|\.LEGAL\.txt)?$/.test(n));
    expect(names.every((n) => n === 'chunks' || n === 'node_modules')).toBe(true);
    expect(
      bundle.built.inputs.some(
        (p) => p.startsWith('local/') || p.includes('@vladmandic') || p.includes('@tensorflow'),
      ),
    ).toBe(false);
  });

  it('answers a verify request through the emulator with a signed call', async () => {
    const before = emulator.stats().engineCalls;
    const [ref, auth] = await Promise.all([samplePhoto(1), samplePhoto(1)]);
    const body = JSON.stringify({
      refFaceContent: ref.toString('base64'),
      authFaceContent: auth.toString('base64'),
    });
    const event = httpEvent({
      method: 'POST',
      path: '/verify',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body,
    });
    const { reply } = await call(event);
    expect(reply).toMatchObject({ statusCode: 200 });
    const parsed = JSON.parse((reply as { body: string }).body) as Record<string, unknown>;
    expect(typeof parsed.upstreamRequestId).toBe('string');
    expect(typeof parsed.passed).toBe('boolean');
    expect(emulator.stats().engineCalls).toBe(before + 1);
  });

  it('refuses a caller without the API key, before any upstream call', async () => {
    const event = httpEvent({
      method: 'POST',
      path: '/verify',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const before = emulator.stats().requests;
    const { reply, logs } = await call(event);
    expect(reply).toMatchObject({ statusCode: 401 });
    expect(emulator.stats().requests).toBe(before);
    expect(logs).not.toContain(KEY.accessKeySecret);
  });
});
