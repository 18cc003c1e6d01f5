/**
 * Wiring of the verify-oss function from an environment: validates it once (fails fast naming the variable),
 * builds the object store (OSS through the S3 API with this invocation's STS credentials, or a local folder)
 * and the ID Verification client, then hands every record's key to the case core. index.ts calls it at cold
 * start; npm start's bucket watcher and the tests call it with their own environment, clock and logger.
 */

import { handleObjectKey } from '../../shared/cases/batch.ts';
import { type Clock, systemClock } from '../../shared/clock.ts';
import {
  type BucketConfig,
  bucketStoreTarget,
  type Env,
  type IdvConfig,
  loadBucketConfig,
  loadCredentialsConfig,
  loadIdvConfig,
} from '../../shared/config.ts';
import { credentialsFor, deadlineFor, fcContextSchema } from '../../shared/fc/context.ts';
import { EventParseError, parseJsonWith } from '../../shared/fc/json.ts';
import { ossEventSchema, parseOssRecords } from '../../shared/fc/oss-event.ts';
import type { Credentials, IdvClient } from '../../shared/idv/types.ts';
import type { Logger } from '../../shared/log.ts';
import type { ObjectStore } from '../../shared/store/types.ts';
import {
  fromEnv,
  idvClientFromConfig,
  latestCredentials,
  QUEUED_WORK_RETRY,
  storeFromConfig,
} from '../../shared/wiring.ts';
import { type OssReply, summarise } from './reply.ts';

interface VerifyOssDeps {
  clock?: Clock;
  logger?: Logger;
  /** Replaces the configured store (tests wrap a store to inject faults). */
  store?: ObjectStore;
  /** Replaces the signed client (the burst simulator's upstream). */
  client?: IdvClient;
}

/** What the function reads from its environment, validated. */
interface VerifyOssConfig {
  idv: IdvConfig;
  bucket: BucketConfig;
  /** ALIBABA_CLOUD_*: used when an invocation brings no context.credentials. */
  credentials: Credentials | undefined;
}

const loadVerifyOssConfig = (env: Env): VerifyOssConfig => ({
  idv: loadIdvConfig(env),
  bucket: loadBucketConfig(env),
  credentials: loadCredentialsConfig(env),
});

export type OssHandler = (event: Buffer, context: unknown) => Promise<OssReply>;

/** The function from its environment (index.ts, at cold start). */
export const createVerifyOssHandler = fromEnv(loadVerifyOssConfig, verifyOssHandlerFromConfig, 'verify-oss');

/** The function from typed configuration (npm start's bucket door points it at its own folder and upstream). */
export function verifyOssHandlerFromConfig(
  config: VerifyOssConfig,
  deps: VerifyOssDeps & { logger: Logger },
): OssHandler {
  const { bucket, credentials: envCredentials } = config;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger;
  const client = deps.client ?? idvClientFromConfig(config.idv, { clock, logger, retry: QUEUED_WORK_RETRY });

  // One S3 client per bucket for the life of the instance; it signs with the newest invocation's credentials.
  const signing = latestCredentials(undefined, 'OSS');
  const stores = new Map<string, ObjectStore>();
  const storeFor = (name: string, region: string): ObjectStore => {
    if (deps.store) return deps.store;
    const target = bucketStoreTarget(bucket.store, { bucket: name, region });
    const cacheKey = target.kind === 'fs' ? '' : `${region}/${name}`;
    let store = stores.get(cacheKey);
    if (!store) {
      store = storeFromConfig(target, signing.get);
      stores.set(cacheKey, store);
    }
    return store;
  };

  return async (event, rawContext) => {
    const startEpochMs = clock.nowMs();
    const context = fcContextSchema.parse(rawContext);
    const log = logger.child({ requestId: context.requestId });
    let envelope: ReturnType<typeof ossEventSchema.parse>;
    try {
      envelope = parseJsonWith(ossEventSchema, event);
    } catch (err) {
      // Redelivering an event that is not an OSS event cannot help: report it and finish.
      if (err instanceof EventParseError) {
        log.error('not an OSS trigger event', { code: err.code, path: err.path, err });
        return { ok: false, error: { code: err.code, message: err.message }, counts: {}, reports: [] };
      }
      throw err;
    }
    const credentials = credentialsFor(context, envCredentials);
    signing.use(credentials);
    const deadlineEpochMs = deadlineFor(context, startEpochMs, bucket.settings.leaseMs);
    const records = parseOssRecords(envelope);
    const reports = [];
    for (const r of records) {
      if (!r.ok) {
        log.warn('skipping an OSS record that does not validate', { path: r.path, message: r.message });
        continue;
      }
      const store = storeFor(r.record.oss.bucket.name, r.record.region);
      const caseDeps = {
        store,
        client,
        clock,
        logger: log,
        settings: bucket.settings,
        ...(credentials ? { credentials } : {}),
      };
      reports.push(await handleObjectKey(caseDeps, r.record.oss.object.key, { deadlineEpochMs }));
    }
    const reply = summarise(records.length, reports, records.filter((r) => !r.ok).length);
    log.info('oss event handled', {
      outcome: reply.ok ? 'ok' : 'failed',
      counts: reply.counts,
      durationMs: clock.nowMs() - startEpochMs,
    });
    // Failing the invocation makes FC redeliver the event (async retries): safe, processing is idempotent.
    if (!reply.ok) throw new Error(`verify-oss: ${reply.counts.error ?? 0} record(s) failed; see the log`);
    return reply;
  };
}
