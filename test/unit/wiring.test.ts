import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDevConfig } from '../../local/dev/config.ts';
import { idvTowards, localBucket } from '../../local/dev/pieces.ts';
import { bucketStoreTarget, ConfigError, loadBucketConfig } from '../../shared/config.ts';
import { latestCredentials, storeFromConfig } from '../../shared/wiring.ts';

const keys = (id: string) => ({ accessKeyId: id, accessKeySecret: `${id}-secret` });

describe('bucketStoreTarget', () => {
  it('names the folder of the fs store', () => {
    expect(bucketStoreTarget(loadBucketConfig({ IDV_BUCKET_DIR: '/tmp/b' }).store)).toEqual({
      kind: 'fs',
      dir: '/tmp/b',
    });
  });

  it("names IDV_BUCKET in OSS_REGION's endpoint, or the bucket and region an event names", () => {
    const { store } = loadBucketConfig({ IDV_BUCKET: 'cases-bucket', OSS_REGION: 'ap-southeast-1' });
    expect(bucketStoreTarget(store)).toEqual({
      kind: 'oss',
      bucket: 'cases-bucket',
      region: 'ap-southeast-1',
      endpoint: 'https://s3.oss-ap-southeast-1.aliyuncs.com',
      flavour: undefined,
    });
    expect(bucketStoreTarget(store, { bucket: 'other', region: 'cn-hangzhou' })).toMatchObject({
      bucket: 'other',
      endpoint: 'https://s3.oss-cn-hangzhou.aliyuncs.com',
    });
  });

  it('fails naming the variable when the OSS store has no bucket or no region', () => {
    const noRegion = loadBucketConfig({ IDV_BUCKET: 'cases-bucket' }).store;
    expect(() => bucketStoreTarget(noRegion)).toThrow(ConfigError);
    expect(() => bucketStoreTarget(noRegion)).toThrow(/^OSS_REGION:/);
    const noBucket = loadBucketConfig({ IDV_STORE: 'oss', OSS_REGION: 'ap-southeast-1' }).store;
    expect(() => bucketStoreTarget(noBucket)).toThrow(/^IDV_BUCKET:/);
  });
});

describe('latestCredentials', () => {
  it('signs with the newest invocation credentials, else the fallback', () => {
    const signing = latestCredentials(keys('env'), 'OSS');
    expect(signing.get()).toEqual(keys('env'));
    signing.use(keys('sts-1'));
    signing.use(undefined);
    expect(signing.get()).toEqual(keys('sts-1'));
    signing.use(keys('sts-2'));
    expect(signing.get()).toEqual(keys('sts-2'));
  });

  it('throws, saying for what, when there are none', () => {
    expect(() => latestCredentials(undefined, 'OSS').get()).toThrow('no credentials for OSS');
  });
});

describe('storeFromConfig', () => {
  it('builds a folder store for an fs target', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'wiring-'));
    try {
      const store = storeFromConfig({ kind: 'fs', dir }, () => keys('unused'));
      await store.put('a/b.txt', Buffer.from('hello'));
      expect(await readFile(path.join(dir, 'a', 'b.txt'), 'utf8')).toBe('hello');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('npm start configuration', () => {
  const upstream = {
    endpoint: 'http://127.0.0.1:1',
    credentials: keys('emu'),
    defaultResourceCode: undefined,
    secretOnScreen: true,
  };

  it('generates an API key that the HTTP function accepts when IDV_API_KEY is unset', () => {
    const config = loadDevConfig({});
    expect(config.local.apiKeyGenerated).toBe(true);
    expect(config.http.apiKeyHashes).toHaveLength(1);
    expect(config.emulator).toBeDefined();
  });

  it('starts no emulator when IDV_ENDPOINT is set', () => {
    expect(loadDevConfig({ IDV_ENDPOINT: 'https://example.test' }).emulator).toBeUndefined();
  });

  it('points the functions at the upstream and the local folder, keeping the rest of the settings', () => {
    const config = loadDevConfig({
      IDV_API: 'face_compare',
      IDV_STORE: 'oss',
      IDV_BUCKET: 'cases-bucket',
      IDV_BUCKET_DIR: 'some/dir',
      IDV_MAX_ATTEMPTS: '7',
    });
    const idv = idvTowards(config.idv, upstream);
    expect(idv).toMatchObject({ endpoint: upstream.endpoint, defaultResourceCode: 'unused' });
    const bucket = localBucket(config.bucket, idv);
    expect(bucket.store).toMatchObject({ kind: 'fs', dir: path.resolve('some/dir') });
    expect(bucket.settings).toMatchObject({ maxAttempts: 7, defaultResourceCode: 'unused' });
    expect(idvTowards(config.idv, { ...upstream, defaultResourceCode: '00840000' }).defaultResourceCode).toBe(
      '00840000',
    );
  });
});
