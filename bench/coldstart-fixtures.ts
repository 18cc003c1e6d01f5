/** Inputs for bench/coldstart-samples.ts: FC-shaped events, a loopback S3 bucket holding a case, a large photo. */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import sharp from 'sharp';
import { createS3Store } from '../shared/store/s3.ts';

export function httpEvent(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string,
): string {
  return JSON.stringify({
    version: 'v1',
    rawPath: path,
    headers,
    queryParameters: {},
    body,
    isBase64Encoded: false,
    requestContext: { http: { method, path, sourceIp: '127.0.0.1' }, requestId: 'bench-1' },
  });
}

/** s3rver on loopback with one case holding only its ID photo: the OSS function reads, finds no pair, answers. */
export async function bucketWithHalfACase(complete = false) {
  const dir = mkdtempSync(join(tmpdir(), 'coldstart-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: 'bench-cases', configs: [] }],
  });
  const { port } = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const key = { accessKeyId: 'S3RVER', accessKeySecret: 'S3RVER' };
  const store = createS3Store({
    bucket: 'bench-cases',
    endpoint,
    region: 'cn-hangzhou',
    credentials: key,
    forcePathStyle: true,
  });
  const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#888' } })
    .jpeg()
    .toBuffer();
  await store.put('cases/bench-1/ref.jpg', jpeg, { contentType: 'image/jpeg' });
  if (complete) await store.put('cases/bench-1/auth.jpg', jpeg, { contentType: 'image/jpeg' });
  return {
    endpoint,
    key,
    stop: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A 4000x3000 JPEG of the face-api demo group photo, upscaled: a worst case a phone camera sends. */
export async function largePhoto(): Promise<Buffer> {
  const demo = join(process.cwd(), 'node_modules/@vladmandic/face-api/demo/sample1.jpg');
  return sharp(demo).resize(4000, 3000, { fit: 'fill' }).jpeg({ quality: 92 }).toBuffer();
}

export function ossEvent(key: string): string {
  return JSON.stringify({
    events: [
      {
        eventName: 'ObjectCreated:PutObject',
        eventSource: 'acs:oss',
        eventTime: '2026-01-01T00:00:00.000Z',
        eventVersion: '1.0',
        region: 'cn-hangzhou',
        oss: {
          bucket: { name: 'bench-cases' },
          object: { key, eTag: 'D41D8CD98F00B204E9800998ECF8427E', size: 1 },
        },
      },
    ],
  });
}
