/**
 * ObjectStore on OSS through its S3-compatible API (`https://s3.oss-<region>.aliyuncs.com`, virtual-hosted
 * style), or on any plain S3 endpoint. Verified facts:
 * - OSS rejects the SDK's default aws-chunked/CRC checksums, so both checksum settings are 'WHEN_REQUIRED'.
 * - Create-if-absent on OSS is the header `x-oss-forbid-overwrite: true` (409 FileAlreadyExists when the object
 *   exists); plain S3 uses `If-None-Match: *` (412 PreconditionFailed, or 409 ConditionalRequestConflict when a
 *   concurrent conditional write is in flight). Both mean "exists" here.
 * - OSS accepts only virtual-hosted style requests (Alibaba's "Compatibility with Amazon S3"), hence
 *   forcePathStyle false; it derives Content-Type from the key's extension when none is sent.
 * - Not verified here: that OSS maps `x-amz-meta-*` to its `x-oss-meta-*` user metadata (resource-code).
 * - Versioning: OSS documents `x-oss-forbid-overwrite` for unversioned buckets, and its own FileAlreadyExists
 *   page suggests enabling versioning "to keep both objects"; a maintainer of an OSS-compatible client reports
 *   the header does not hold on versioned buckets (IBM COS documents the same for its twin header). A claim that
 *   two writers can both create pays twice, so before the first conditional create the store reads the
 *   bucket's versioning (S3 GetBucketVersioning, which OSS serves) and refuses a versioned bucket (Enabled or
 *   Suspended) with an UnsafeBucket error that names the problem (docs/money-safety.md, docs/deploy.md).
 */
import {
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { quietAwsSdkNodeVersionWarning } from '../config.ts';
import type { Credentials } from '../idv/types.ts';
import { StoreError } from './errors.ts';
import { assertValidKey } from './keys.ts';
import { isMissingObject, mapS3Error, statusOf } from './s3-errors.ts';
import type { ObjectInfo, ObjectStore, PutOptions } from './types.ts';
import { normaliseEtag } from './types.ts';

type S3Flavour = 'oss' | 's3';

interface S3StoreOptions {
  bucket: string;
  /** e.g. `https://s3.oss-ap-southeast-1.aliyuncs.com`. */
  endpoint: string;
  /** e.g. `ap-southeast-1` (OSS: the region id without the `oss-` prefix). */
  region: string;
  /** STS credentials from the FC context, or keys; a function is called for every request that needs signing. */
  credentials: Credentials | (() => Promise<Credentials> | Credentials);
  /** Default false (virtual-hosted style, which OSS requires); loopback test servers need true. */
  forcePathStyle?: boolean;
  /**
   * Which create-if-absent dialect to speak (IDV_OSS_FLAVOUR): 'oss' (`x-oss-forbid-overwrite`, and a versioning
   * check) or 's3' (`If-None-Match: *`); default: 'oss' for *.aliyuncs.com endpoints, else 's3'. A custom
   * domain in front of OSS needs 'oss' set explicitly (OSS answers `If-None-Match: *` with 501).
   */
  flavour?: S3Flavour;
  /** A ready client (tests use aws-sdk-client-mock on it); the options above are then only used for flavour. */
  client?: S3Client;
}

export const flavourOf = (endpoint: string): S3Flavour => {
  try {
    return new URL(endpoint).hostname.endsWith('.aliyuncs.com') ? 'oss' : 's3';
  } catch {
    return 's3';
  }
};

function createS3Client(options: Omit<S3StoreOptions, 'client' | 'flavour'>): S3Client {
  quietAwsSdkNodeVersionWarning();
  const provide = options.credentials;
  return new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: options.forcePathStyle ?? false,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    credentials: async () => {
      const c = typeof provide === 'function' ? await provide() : provide;
      return {
        accessKeyId: c.accessKeyId,
        secretAccessKey: c.accessKeySecret,
        ...(c.securityToken ? { sessionToken: c.securityToken } : {}),
      };
    },
  });
}

const toMetadata = (m: Record<string, string> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k.toLowerCase(), v]));

export function createS3Store(options: S3StoreOptions): ObjectStore {
  const client = options.client ?? createS3Client(options);
  const flavour = options.flavour ?? flavourOf(options.endpoint);
  const Bucket = options.bucket;

  // Read once per store (an instance's life): a versioned OSS bucket is refused before any claim is written.
  let versioningChecked: Promise<void> | undefined;
  const assertClaimsHold = (): Promise<void> => {
    if (flavour !== 'oss') return Promise.resolve();
    versioningChecked ??= checkVersioning(client, Bucket).catch((err: unknown) => {
      // An outage is retried on the next claim; a definite answer (versioned, access denied) is kept.
      if (!(err instanceof StoreError) || err.retryable) versioningChecked = undefined;
      throw err;
    });
    return versioningChecked;
  };

  // HEAD's 404 has no body to say whether the object or the bucket is missing: the first one asks HeadBucket.
  // Only its 404 is taken as an answer. A role without the bucket-level permission gets 403 (the bucket exists:
  // a missing bucket is 404 to anyone); an outage says nothing, and the object is reported missing as before.
  // Once the bucket is seen, it is taken to stay (a deleted bucket then reads as missing objects again).
  let bucketSeen = false;
  const assertBucketExists = async (key: string): Promise<void> => {
    if (bucketSeen) return;
    try {
      await client.send(new HeadBucketCommand({ Bucket }));
    } catch (err) {
      const status = statusOf(err);
      if (status === 404)
        throw new StoreError('NoSuchBucket', `the bucket ${Bucket} does not exist`, { key, httpStatus: 404 });
      if (status !== 403) return;
    }
    bucketSeen = true;
  };

  const putInput = (key: string, body: Buffer, o: PutOptions) => ({
    Bucket,
    Key: key,
    Body: body,
    ContentLength: body.length,
    ...(o.contentType === undefined ? {} : { ContentType: o.contentType }),
    ...(o.metadata === undefined ? {} : { Metadata: o.metadata }),
  });

  return {
    async get(key) {
      assertValidKey(key);
      try {
        const res = await client.send(new GetObjectCommand({ Bucket, Key: key }));
        const body = Buffer.from((await res.Body?.transformToByteArray()) ?? new Uint8Array());
        return {
          key,
          body,
          etag: normaliseEtag(res.ETag ?? ''),
          size: body.length,
          lastModifiedEpochMs: res.LastModified?.getTime() ?? 0,
          contentType: res.ContentType,
          metadata: toMetadata(res.Metadata),
        };
      } catch (err) {
        if (isMissingObject(err)) return undefined;
        return mapS3Error(err, key, 'get');
      }
    },

    async head(key): Promise<ObjectInfo | undefined> {
      assertValidKey(key);
      try {
        const res = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return {
          key,
          etag: normaliseEtag(res.ETag ?? ''),
          size: res.ContentLength ?? 0,
          lastModifiedEpochMs: res.LastModified?.getTime() ?? 0,
          contentType: res.ContentType,
          metadata: toMetadata(res.Metadata),
        };
      } catch (err) {
        if (!isMissingObject(err)) return mapS3Error(err, key, 'head');
        await assertBucketExists(key);
        return undefined;
      }
    },

    async put(key, body, o = {}) {
      assertValidKey(key);
      try {
        const res = await client.send(new PutObjectCommand(putInput(key, body, o)));
        return { etag: normaliseEtag(res.ETag ?? '') };
      } catch (err) {
        return mapS3Error(err, key, 'put');
      }
    },

    async putIfAbsent(key, body, o = {}) {
      assertValidKey(key);
      await assertClaimsHold();
      const command =
        flavour === 's3'
          ? new PutObjectCommand({ ...putInput(key, body, o), IfNoneMatch: '*' })
          : new PutObjectCommand(putInput(key, body, o));
      if (flavour === 'oss') {
        // Added at the build step, before signing, so the header is part of the signed request.
        command.middlewareStack.add(
          (next) => async (args) => {
            const request = args.request as { headers?: Record<string, string> };
            if (request.headers) request.headers['x-oss-forbid-overwrite'] = 'true';
            return next(args);
          },
          { step: 'build', name: 'ossForbidOverwrite' },
        );
      }
      try {
        const res = await client.send(command);
        return { created: true, etag: normaliseEtag(res.ETag ?? '') };
      } catch (err) {
        const status = statusOf(err);
        if (status === 409 || status === 412) return { created: false };
        return mapS3Error(err, key, 'putIfAbsent');
      }
    },

    // ListObjects (v1) with Marker = the last key of the previous page: OSS and S3 both page this way, and
    // s3rver 3.7.1 cannot serve v2 pages (it builds continuation tokens with DES, which OpenSSL 3 lacks: 500).
    async list({ prefix, token, limit }) {
      try {
        const res = await client.send(
          new ListObjectsCommand({
            Bucket,
            Prefix: prefix,
            MaxKeys: Math.min(Math.max(limit ?? 1000, 1), 1000),
            ...(token === undefined ? {} : { Marker: token }),
          }),
        );
        const entries = (res.Contents ?? []).flatMap((c) =>
          c.Key === undefined
            ? []
            : [
                {
                  key: c.Key,
                  etag: normaliseEtag(c.ETag ?? ''),
                  size: c.Size ?? 0,
                  lastModifiedEpochMs: c.LastModified?.getTime() ?? 0,
                },
              ],
        );
        const last = entries.at(-1)?.key;
        return res.IsTruncated && last !== undefined ? { entries, nextToken: last } : { entries };
      } catch (err) {
        return mapS3Error(err, prefix, 'list');
      }
    },

    async delete(key) {
      assertValidKey(key);
      try {
        await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
      } catch (err) {
        if (isMissingObject(err)) return;
        mapS3Error(err, key, 'delete');
      }
    },
  };
}

/** Refuses a bucket with versioning Enabled or Suspended (claims by conditional create would not hold). */
async function checkVersioning(client: S3Client, bucket: string): Promise<void> {
  let status: string | undefined;
  try {
    status = (await client.send(new GetBucketVersioningCommand({ Bucket: bucket })))?.Status;
  } catch (err) {
    if (statusOf(err) === 403) {
      throw new StoreError(
        'AccessDenied',
        `cannot read the versioning status of bucket ${bucket} (grant oss:GetBucketVersioning): refusing to write claims whose exclusivity is unknown`,
        { httpStatus: 403, cause: err },
      );
    }
    return mapS3Error(err, bucket, 'getBucketVersioning');
  }
  if (status === 'Enabled' || status === 'Suspended') {
    throw new StoreError(
      'UnsafeBucket',
      `bucket ${bucket} has versioning ${status}: OSS's x-oss-forbid-overwrite is not known to refuse a second writer on a versioned bucket, so claims could be won twice and pairs paid twice. Use a bucket that never had versioning enabled (docs/money-safety.md)`,
    );
  }
}
