import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
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
