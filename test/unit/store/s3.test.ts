import {
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { loadBucketConfig } from '../../../shared/config.ts';
import { StoreError } from '../../../shared/store/errors.ts';
import { createS3Store, flavourOf } from '../../../shared/store/s3.ts';

const serviceError = (name: string, status: number) =>
  new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });

const client = new S3Client({
  region: 'ap-southeast-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});
const s3 = mockClient(client);
const store = (flavour: 'oss' | 's3' = 'oss') =>
  createS3Store({
    bucket: 'b',
    endpoint: 'https://s3.oss-ap-southeast-1.aliyuncs.com',
    region: 'ap-southeast-1',
    credentials: { accessKeyId: 'a', accessKeySecret: 'b' },
    client,
    flavour,
  });

describe('s3 store error mapping', () => {
  afterEach(() => s3.reset());

  it('maps 409 FileAlreadyExists and 412 PreconditionFailed on putIfAbsent to created: false', async () => {
    s3.on(PutObjectCommand)
      .rejectsOnce(serviceError('FileAlreadyExists', 409))
      .rejectsOnce(serviceError('PreconditionFailed', 412));
    expect(await store().putIfAbsent('k/1', Buffer.from('x'))).toEqual({ created: false });
    expect(await store('s3').putIfAbsent('k/1', Buffer.from('x'))).toEqual({ created: false });
  });

  it('sends IfNoneMatch * only for the s3 flavour', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"abc"' });
    await store('s3').putIfAbsent('k/1', Buffer.from('x'));
    await store('oss').putIfAbsent('k/2', Buffer.from('x'));
    const inputs = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(inputs[0]?.IfNoneMatch).toBe('*');
    expect(inputs[1]?.IfNoneMatch).toBeUndefined();
  });

  it('maps 503 SlowDown to a retryable Throttled error', async () => {
    s3.on(GetObjectCommand).rejects(serviceError('SlowDown', 503));
    const err = await store()
      .get('k/1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'Throttled', httpStatus: 503, retryable: true });
  });

  it('maps other 5xx to a retryable Unavailable error', async () => {
    s3.on(PutObjectCommand).rejects(serviceError('InternalError', 500));
    await expect(store().put('k/1', Buffer.from('x'))).rejects.toMatchObject({
      code: 'Unavailable',
      retryable: true,
    });
  });

  it('maps 403 to AccessDenied, not retryable', async () => {
    s3.on(HeadObjectCommand).rejects(serviceError('AccessDenied', 403));
    await expect(store().head('k/1')).rejects.toMatchObject({ code: 'AccessDenied', retryable: false });
  });

  it('maps connection errors to a retryable Network error', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    s3.on(GetObjectCommand).rejects(refused);
    await expect(store().get('k/1')).rejects.toMatchObject({ code: 'Network', retryable: true });
  });

  it('maps 404 on get and head to undefined', async () => {
    s3.on(GetObjectCommand).rejects(serviceError('NoSuchKey', 404));
    s3.on(HeadObjectCommand).rejects(serviceError('NotFound', 404));
    expect(await store().get('k/1')).toBeUndefined();
    expect(await store().head('k/1')).toBeUndefined();
  });

  it('asks HeadBucket once, at the first HEAD 404, whether the bucket itself is missing', async () => {
    s3.on(HeadObjectCommand).rejects(serviceError('NotFound', 404));
    s3.on(HeadBucketCommand).resolves({});
    const one = store();
    expect(await one.head('k/1')).toBeUndefined();
    expect(await one.head('k/2')).toBeUndefined();
    expect(s3.commandCalls(HeadBucketCommand)).toHaveLength(1);

    s3.on(HeadBucketCommand).rejects(serviceError('NotFound', 404));
    const other = store();
    await expect(other.head('k/1')).rejects.toMatchObject({ code: 'NoSuchBucket', retryable: false });
    // Not cached as seen: asked again, still an error.
    await expect(other.head('k/1')).rejects.toMatchObject({ code: 'NoSuchBucket' });

    // A role without the bucket-level permission (403) or an outage cannot tell: the object is missing.
    s3.on(HeadBucketCommand).rejects(serviceError('AccessDenied', 403));
    expect(await store().head('k/1')).toBeUndefined();
    s3.on(HeadBucketCommand).rejects(serviceError('InternalError', 500));
    expect(await store().head('k/1')).toBeUndefined();
  });

  it('maps a 404 NoSuchBucket on get to NoSuchBucket, not to a missing object', async () => {
    s3.on(GetObjectCommand).rejects(serviceError('NoSuchBucket', 404));
    await expect(store().get('k/1')).rejects.toMatchObject({
      code: 'NoSuchBucket',
      message: 'object store get failed: the bucket does not exist, NoSuchBucket (HTTP 404)',
    });
  });

  it('keeps secrets out of the error message', async () => {
    s3.on(PutObjectCommand).rejects(serviceError('InternalError', 500));
    const err = (await store()
      .put('k/1', Buffer.from('secret-bytes'))
      .catch((e: unknown) => e)) as Error;
    expect(err.message).not.toContain('secret-bytes');
  });
});

describe('flavourOf', () => {
  it('speaks OSS to aliyuncs.com endpoints and S3 elsewhere', () => {
    expect(flavourOf('https://s3.oss-ap-southeast-1.aliyuncs.com')).toBe('oss');
    expect(flavourOf('https://s3.oss-ap-southeast-1-internal.aliyuncs.com')).toBe('oss');
    expect(flavourOf('https://s3.amazonaws.com')).toBe('s3');
    expect(flavourOf('http://127.0.0.1:9000')).toBe('s3');
    expect(flavourOf('not a url')).toBe('s3');
  });
});

describe('s3 store on a versioned OSS bucket', () => {
  afterEach(() => s3.reset());

  it.each(['Enabled', 'Suspended'] as const)(
    'refuses to write a claim when versioning is %s, and sends no PutObject',
    async (Status) => {
      s3.on(GetBucketVersioningCommand).resolves({ Status });
      s3.on(PutObjectCommand).resolves({ ETag: '"E"' });
      await expect(store('oss').putIfAbsent('k/claim', Buffer.from('x'))).rejects.toMatchObject({
        code: 'UnsafeBucket',
        message: expect.stringContaining(`versioning ${Status}`),
      });
      expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    },
  );

  it('checks the versioning once per store, then writes claims with the OSS header', async () => {
    s3.on(GetBucketVersioningCommand).resolves({});
    s3.on(PutObjectCommand).resolves({ ETag: '"E"' });
    const oss = store('oss');
    expect(await oss.putIfAbsent('k/1', Buffer.from('x'))).toEqual({ created: true, etag: 'E' });
    expect(await oss.putIfAbsent('k/2', Buffer.from('x'))).toEqual({ created: true, etag: 'E' });
    expect(s3.commandCalls(GetBucketVersioningCommand)).toHaveLength(1);
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.IfNoneMatch).toBeUndefined();
  });

  it('refuses when the versioning cannot be read (403), naming the permission', async () => {
    s3.on(GetBucketVersioningCommand).rejects(
      Object.assign(new Error('AccessDenied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
    );
    await expect(store('oss').putIfAbsent('k/1', Buffer.from('x'))).rejects.toMatchObject({
      code: 'AccessDenied',
      message: expect.stringContaining('oss:GetBucketVersioning'),
    });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('does not check versioning for the s3 flavour (If-None-Match holds on versioned S3 buckets)', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"E"' });
    await store('s3').putIfAbsent('k/1', Buffer.from('x'));
    expect(s3.commandCalls(GetBucketVersioningCommand)).toHaveLength(0);
  });

  it('speaks OSS to a custom domain when IDV_OSS_FLAVOUR=oss (no If-None-Match, which OSS answers 501)', async () => {
    s3.on(GetBucketVersioningCommand).resolves({});
    s3.on(PutObjectCommand).resolves({ ETag: '"E"' });
    const custom = createS3Store({
      bucket: 'b',
      endpoint: 'https://files.example.com',
      region: 'ap-southeast-1',
      credentials: { accessKeyId: 'a', accessKeySecret: 'b' },
      client,
      flavour: loadBucketConfig({ IDV_OSS_FLAVOUR: 'oss' }).store.flavour ?? 's3',
    });
    await custom.putIfAbsent('k/1', Buffer.from('x'));
    expect(s3.commandCalls(GetBucketVersioningCommand)).toHaveLength(1);
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.IfNoneMatch).toBeUndefined();
    expect(flavourOf('https://files.example.com')).toBe('s3');
  });
});

describe('OSS endpoint default', () => {
  it('is the same-region internal endpoint inside FC, the public one elsewhere', () => {
    const inFc = loadBucketConfig({ FC_REGION: 'ap-southeast-1' }).store;
    expect(inFc.endpointFor('ap-southeast-1')).toBe('https://s3.oss-ap-southeast-1-internal.aliyuncs.com');
    expect(inFc.endpointFor('cn-hangzhou')).toBe('https://s3.oss-cn-hangzhou.aliyuncs.com');
    expect(loadBucketConfig({}).store.endpointFor('ap-southeast-1')).toBe(
      'https://s3.oss-ap-southeast-1.aliyuncs.com',
    );
    expect(
      loadBucketConfig({
        FC_REGION: 'ap-southeast-1',
        IDV_OSS_ENDPOINT: 'https://oss.example.com',
      }).store.endpointFor('ap-southeast-1'),
    ).toBe('https://oss.example.com');
  });
});
