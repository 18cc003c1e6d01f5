import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Store } from '../../../shared/store/s3.ts';
import { listAll, type ObjectStore } from '../../../shared/store/types.ts';

const credentials = { accessKeyId: 'S3RVER', accessKeySecret: 'S3RVER' };

describe('s3 store against s3rver on loopback', () => {
  let server: S3rver;
  let dir: string;
  let store: ObjectStore;
  let endpoint: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 's3rver-'));
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: dir,
      configureBuckets: [{ name: 'cases-bucket', configs: [] }],
    });
    const { port } = (await server.run()) as AddressInfo;
    endpoint = `http://127.0.0.1:${port}`;
    store = createS3Store({
      bucket: 'cases-bucket',
      endpoint,
      region: 'us-east-1',
      credentials,
      forcePathStyle: true,
    });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('puts and gets bytes with metadata and a normalised ETag', async () => {
    const body = Buffer.from([0xff, 0xd8, 0xff, 1, 2, 3]);
    const { etag } = await store.put('cases/a/ref.jpg', body, {
      contentType: 'image/jpeg',
      metadata: { 'resource-code': '12345678' },
    });
    expect(etag).toMatch(/^[0-9A-F]{32}$/);
    const got = await store.get('cases/a/ref.jpg');
    expect(got?.body).toEqual(body);
    expect(got?.etag).toBe(etag);
    expect(got?.metadata['resource-code']).toBe('12345678');
    const head = await store.head('cases/a/ref.jpg');
    expect(head).toMatchObject({ etag, size: body.length, contentType: 'image/jpeg' });
    expect(head?.metadata['resource-code']).toBe('12345678');
  });

  it('answers undefined for a missing object and deletes idempotently', async () => {
    expect(await store.get('cases/none/ref.jpg')).toBeUndefined();
    expect(await store.head('cases/none/ref.jpg')).toBeUndefined();
    await store.put('cases/del/x', Buffer.from('x'));
    await store.delete('cases/del/x');
    await store.delete('cases/del/x');
    expect(await store.head('cases/del/x')).toBeUndefined();
  });

  it('says the bucket does not exist, instead of reporting its objects as missing', async () => {
    // A misspelt IDV_BUCKET: every case would otherwise read as "waiting for its photos".
    const missing = createS3Store({
      bucket: 'no-such-bucket',
      endpoint,
      region: 'us-east-1',
      credentials,
      forcePathStyle: true,
    });
    const noBucket = { name: 'StoreError', code: 'NoSuchBucket', retryable: false };
    await expect(missing.head('cases/a/ref.jpg')).rejects.toMatchObject({
      ...noBucket,
      message: 'the bucket no-such-bucket does not exist',
    });
    await expect(missing.get('cases/a/ref.jpg')).rejects.toMatchObject(noBucket);
    await expect(missing.list({ prefix: 'cases/' })).rejects.toMatchObject(noBucket);
    await expect(missing.put('cases/a/x', Buffer.from('x'))).rejects.toMatchObject(noBucket);
    await expect(missing.delete('cases/a/x')).rejects.toMatchObject(noBucket);
  });

  it('lists every page in key order', async () => {
    const keys = Array.from({ length: 5 }, (_, i) => `list/c${i}/ref.jpg`);
    for (const key of keys) await store.put(key, Buffer.from(key));
    const first = await store.list({ prefix: 'list/', limit: 2 });
    expect(first.entries.map((e) => e.key)).toEqual(keys.slice(0, 2));
    expect(first.nextToken).toBeDefined();
    const all = await listAll(store, 'list/');
    expect(all.map((e) => e.key)).toEqual(keys);
    expect(all.every((e) => /^[0-9A-F]{32}$/.test(e.etag) && e.size > 0)).toBe(true);
  });
});

describe('s3 store putIfAbsent on the wire', () => {
  let server: Server;
  let url: string;
  const seen: { method?: string; headers: IncomingHttpHeaders }[] = [];
  const existing = new Set<string>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ ...(req.method ? { method: req.method } : {}), headers: req.headers });
      req.resume();
      req.on('end', () => {
        const key = req.url ?? '';
        if (existing.has(key)) {
          res.writeHead(409, { 'content-type': 'application/xml', 'x-oss-request-id': 'R1' });
          res.end(
            '<?xml version="1.0" encoding="UTF-8"?><Error><Code>FileAlreadyExists</Code><Message>The object you specified already exists and can not be overwritten.</Message><RequestId>R1</RequestId></Error>',
          );
          return;
        }
        existing.add(key);
        res.writeHead(200, { etag: '"0CC175B9C0F1B6A831C399E269772661"' });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends x-oss-forbid-overwrite: true (signed) and maps 409 FileAlreadyExists to "exists"', async () => {
    const store = createS3Store({
      bucket: 'b',
      endpoint: url,
      region: 'ap-southeast-1',
      credentials: { accessKeyId: 'AKID', accessKeySecret: 'not-a-real-secret', securityToken: 'sts' },
      forcePathStyle: true,
      flavour: 'oss',
    });
    expect(
      await store.putIfAbsent(`cases/a/.idv-${'a'.repeat(64)}.claim-000001.json`, Buffer.from('a')),
    ).toEqual({
      created: true,
      etag: '0CC175B9C0F1B6A831C399E269772661',
    });
    expect(
      await store.putIfAbsent(`cases/a/.idv-${'a'.repeat(64)}.claim-000001.json`, Buffer.from('b')),
    ).toEqual({
      created: false,
    });
    const put = seen.at(-1);
    expect(put?.method).toBe('PUT');
    expect(put?.headers['x-oss-forbid-overwrite']).toBe('true');
    expect(put?.headers['if-none-match']).toBeUndefined();
    expect(String(put?.headers.authorization)).toContain('x-oss-forbid-overwrite');
    expect(put?.headers['x-amz-security-token']).toBe('sts');
    // WHEN_REQUIRED: no flexible checksum headers or aws-chunked bodies, which OSS rejects.
    expect(Object.keys(put?.headers ?? {}).some((h) => h.startsWith('x-amz-checksum'))).toBe(false);
  });

  it('sends If-None-Match: * for plain S3 endpoints', async () => {
    const store = createS3Store({
      bucket: 'b',
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKID', accessKeySecret: 'not-a-real-secret' },
      forcePathStyle: true,
    });
    await store.putIfAbsent('plain/one', Buffer.from('a'));
    expect(seen.at(-1)?.headers['if-none-match']).toBe('*');
    expect(seen.at(-1)?.headers['x-oss-forbid-overwrite']).toBeUndefined();
  });
});
