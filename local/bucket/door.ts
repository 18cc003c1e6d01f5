/**
 * The bucket door as a piece of `npm start`: the verify-oss handler on a folder store (IDV_BUCKET_DIR, default
 * ./bucket) fed by the bucket watcher, calling the same upstream as the HTTP function.
 */
import path from 'node:path';
import { verifyOssHandlerFromConfig } from '../../functions/verify-oss/handler.ts';
import { caseFolder } from '../../shared/cases/layout.ts';
import type { Logger } from '../../shared/log.ts';
import type { DevConfig } from '../dev/config.ts';
import { idvTowards, localBucket, type Piece, type Upstream } from '../dev/pieces.ts';
import { startBucketWatcher } from './watcher.ts';

export async function startBucketDoor(
  config: Pick<DevConfig, 'idv' | 'bucket'>,
  upstream: Upstream,
  logger: Logger,
): Promise<Piece> {
  const idv = idvTowards(config.idv, upstream);
  const bucket = localBucket(config.bucket, idv);
  const { dir } = bucket.store;
  const { settings } = bucket;
  const handler = verifyOssHandlerFromConfig(
    { idv, bucket, credentials: upstream.credentials },
    { logger: logger.child({ fn: 'verify-oss' }) },
  );
  const watcher = await startBucketWatcher({ dir, prefix: settings.prefix, handler, logger });
  const example = path.join(dir, ...caseFolder({ prefix: settings.prefix, caseId: 'my-case' }).split('/'));
  return {
    name: 'bucket-door',
    lines: [`  Bucket folder:    ${dir} (watched; result.json appears beside each complete photo pair)`],
    tryIt: [
      'Try the bucket door:',
      `  mkdir -p ${example} && cp <ID photo> ${example}/ref.jpg && cp <face photo> ${example}/auth.jpg`,
      `  cat ${example}/result.json`,
    ],
    stop: () => watcher.close(),
  };
}
