/**
 * The bucket door as a piece of `npm start`: the verify-oss handler on a folder store (IDV_BUCKET_DIR, default
 * ./bucket) fed by the bucket watcher, calling the same upstream as the HTTP function.
 */
import path from 'node:path';
import { createVerifyOssHandler } from '../functions/verify-oss/handler.ts';
import { caseFolder } from '../shared/cases/layout.ts';
import { type Env, loadBucketConfig } from '../shared/config.ts';
import type { Logger } from '../shared/log.ts';
import { startBucketWatcher } from './bucket-watcher.ts';
import type { Piece, Upstream } from './dev/pieces.ts';

export async function startBucketDoor(env: Env, upstream: Upstream, logger: Logger): Promise<Piece> {
  const { store, settings } = loadBucketConfig({ ...env, IDV_STORE: 'fs' });
  const dir = path.resolve(store.dir);
  const handler = createVerifyOssHandler(
    {
      ...env,
      IDV_STORE: 'fs',
      IDV_BUCKET_DIR: dir,
      IDV_ENDPOINT: upstream.endpoint,
      ALIBABA_CLOUD_ACCESS_KEY_ID: upstream.credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: upstream.credentials.accessKeySecret,
      ALIBABA_CLOUD_SECURITY_TOKEN: upstream.credentials.securityToken,
      IDV_RESOURCE_CODE: upstream.defaultResourceCode,
    },
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
