import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../local/emulator/server.ts';
import { createFaceEngine } from '../../../local/engine/engine.ts';
import type { FaceEngine } from '../../../local/engine/types.ts';
import { invokeBundle } from '../../../scripts/deploy/invoke-bundle.ts';
import { createS3Store } from '../../../shared/store/s3.ts';
import type { ObjectStore } from '../../../shared/store/types.ts';
import { ossEvent } from '../../helpers/oss-events.ts';
import { samplePhoto } from '../../helpers/photos.ts';
import { buildAlone, type LoneBundle } from './helpers.ts';

// s3rver accepts only its own key pair; the emulator is given the same one, as FC hands one STS pair to both.
const KEY = { accessKeyId: 'S3RVER', accessKeySecret: 'S3RVER' };
const BUCKET = 'bundle-cases';

describe('verify-oss bundle, alone in an empty folder', () => {
  let bundle: LoneBundle;
  let engine: FaceEngine & { close(): Promise<void> };
  let emulator: Emulator;
  let s3: S3rver;
  let s3dir: string;
  let store: ObjectStore;
  let env: Record<string, string>;

  beforeAll(async () => {
    bundle = await buildAlone('verify-oss');
    engine = await createFaceEngine();
    emulator = await startEmulator({ engine, port: 0, keys: [KEY] });
    s3dir = mkdtempSync(join(tmpdir(), 'bundle-s3rver-'));
    s3 = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: s3dir,
      configureBuckets: [{ name: BUCKET, configs: [] }],
    });
    const { port } = (await s3.run()) as AddressInfo;
    const endpoint = `http://127.0.0.1:${port}`;
    store = createS3Store({
      bucket: BUCKET,
      endpoint,
      region: 'cn-hangzhou',
      credentials: KEY,
      forcePathStyle: true,
    });
    env = {
      IDV_ENDPOINT: emulator.url,
      IDV_RESOURCE_CODE: '00840000',
      IDV_BUCKET: BUCKET,
      OSS_REGION: 'cn-hangzhou',
      // An IP endpoint: the SDK then addresses the bucket path-style (OSS itself is virtual-hosted).
      IDV_OSS_ENDPOINT: endpoint,
      IDV_PREFIX: 'cases',
      // The face engine on a loaded 2-core machine can take longer than the production 10 s per attempt.
      IDV_TIMEOUT_MS: '120000',
    };
  });
  afterAll(async () => {
    await s3?.close();
    await emulator?.close();
    await engine?.close();
    if (s3dir) rmSync(s3dir, { recursive: true, force: true });
    bundle?.cleanup();
  });

  const context = {
    requestId: 'bundle-oss-1',
    function: { name: 'idv-verify-oss', timeout: 300 },
    credentials: KEY,
  };
  const invoke = (key: string) =>
    invokeBundle(bundle.dir, JSON.stringify(ossEvent([key], BUCKET, 'cn-hangzhou')), { env, context });

  it('waits for the second photo when only one has arrived', async () => {
    await store.put('cases/c1/ref.jpg', await samplePhoto(1), { contentType: 'image/jpeg' });
    const { reply } = await invoke('cases/c1/ref.jpg');
    expect(reply).toMatchObject({ ok: true });
    expect(await store.head('cases/c1/result.json')).toBeUndefined();
  });

  it('verifies a complete pair once and writes result.json beside the photos', async () => {
    await store.put('cases/c1/auth.jpg', await samplePhoto(1), { contentType: 'image/jpeg' });
    const before = emulator.stats().engineCalls;
    const { reply } = await invoke('cases/c1/auth.jpg');
    expect(reply).toMatchObject({ ok: true });
    const stored = await store.get('cases/c1/result.json');
    if (!stored) throw new Error('no result.json was written');
    const result = JSON.parse(stored.body.toString('utf8')) as { status: string };
    expect(['verified', 'rejected']).toContain(result.status);
    expect(emulator.stats().engineCalls).toBe(before + 1);
  });

  it('does not pay twice when the same event is delivered again', async () => {
    const before = emulator.stats().engineCalls;
    const { reply } = await invoke('cases/c1/auth.jpg');
    expect(reply).toMatchObject({ ok: true });
    expect(emulator.stats().engineCalls).toBe(before);
  });
});
