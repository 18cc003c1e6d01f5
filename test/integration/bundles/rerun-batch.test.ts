import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeBundle } from '../../../scripts/deploy/invoke-bundle.ts';
import { createS3Store } from '../../../shared/store/s3.ts';
import type { ObjectStore } from '../../../shared/store/types.ts';
import { buildAlone, type LoneBundle } from './helpers.ts';

const KEY = { accessKeyId: 'S3RVER', accessKeySecret: 'S3RVER' };
const BUCKET = 'bundle-rerun';

const timerEvent = (payload: string) =>
  JSON.stringify({ triggerTime: '2026-11-25T21:00:00Z', triggerName: 'rerun-due', payload });

describe('rerun-batch bundle, alone in an empty folder', () => {
  let bundle: LoneBundle;
  let s3: S3rver;
  let s3dir: string;
  let store: ObjectStore;
  let env: Record<string, string>;

  beforeAll(async () => {
    bundle = await buildAlone('rerun-batch');
    s3dir = mkdtempSync(join(tmpdir(), 'bundle-rerun-s3rver-'));
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
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#777' } })
      .jpeg()
      .toBuffer();
    for (const caseId of ['c1', 'c2']) {
      await store.put(`cases/${caseId}/ref.jpg`, jpeg, { contentType: 'image/jpeg' });
      await store.put(`cases/${caseId}/auth.jpg`, jpeg, { contentType: 'image/jpeg' });
    }
    await store.put('cases/c3/ref.jpg', jpeg, { contentType: 'image/jpeg' });
    env = {
      // Nothing listens there: a dry run must not call the upstream (a call would fail and be counted).
      IDV_ENDPOINT: 'http://127.0.0.1:9',
      IDV_RESOURCE_CODE: '00840000',
      IDV_BUCKET: BUCKET,
      OSS_REGION: 'cn-hangzhou',
      IDV_OSS_ENDPOINT: endpoint,
      IDV_PREFIX: 'cases',
    };
  });
  afterAll(async () => {
    await s3?.close();
    if (s3dir) rmSync(s3dir, { recursive: true, force: true });
    bundle?.cleanup();
  });

  const context = {
    requestId: 'bundle-rerun-1',
    function: { name: 'idv-rerun-batch', timeout: 600 },
    credentials: KEY,
  };

  it('counts the due cases of a dry run from the timer payload and writes nothing', async () => {
    const { reply } = await invokeBundle(bundle.dir, timerEvent('{"dryRun":true}'), { env, context });
    expect(reply).toMatchObject({ ok: true, counts: { due: 2 } });
    expect(await store.head('cases/c1/result.json')).toBeUndefined();
    expect(await store.head('cases/c2/result.json')).toBeUndefined();
  });

  it('answers a payload that is not the rerun JSON with one clear error, not a crash', async () => {
    const { reply, logs } = await invokeBundle(bundle.dir, timerEvent('awesome-fc'), { env, context });
    expect(reply).toMatchObject({ ok: false });
    expect(logs).toContain('rerun not started');
  });
});
