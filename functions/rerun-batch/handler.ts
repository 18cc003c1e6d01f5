/**
 * Wiring of the rerun-batch function (FC 3.0 timer trigger) from an environment: validates it once, builds the
 * store (OSS through the S3 API, or a folder), the ID Verification client and the case runner (inline, or
 * fan-out to the OSS function), then runs the rerun core with a deadline of start + context.function.timeout
 * minus IDV_RERUN_MARGIN_MS. A payload that does not validate is one clear logged error and a failed reply,
 * never a crash (FC would retry an invocation that throws, and the payload would still be wrong).
 */

import { type Clock, systemClock } from '../../shared/clock.ts';
import {
  type BucketConfig,
  bucketStoreTarget,
  type Env,
  type IdvConfig,
  loadBucketConfig,
  loadCredentialsConfig,
  loadIdvConfig,
  loadRerunConfig,
  type RerunConfig,
} from '../../shared/config.ts';
import { credentialsFor, fcContextSchema } from '../../shared/fc/context.ts';
import { EventParseError, parseJsonWith } from '../../shared/fc/json.ts';
import { fcTimerEventSchema, parseTimerPayload } from '../../shared/fc/timer-event.ts';
import type { Credentials } from '../../shared/idv/types.ts';
import type { Logger } from '../../shared/log.ts';
import { createFanoutRunner, createFc3Client, type FcInvokeClient } from '../../shared/rerun/fanout.ts';
import { type RerunReport, runRerun } from '../../shared/rerun/run.ts';
import { type CaseRunner, createInlineRunner } from '../../shared/rerun/runner.ts';
import { type RerunPayload, rerunPayloadSchema } from '../../shared/rerun/schemas.ts';
import type { ObjectStore } from '../../shared/store/types.ts';
import {
  fromEnv,
  idvClientFromConfig,
  latestCredentials,
  QUEUED_WORK_RETRY,
  storeFromConfig,
} from '../../shared/wiring.ts';

interface RerunBatchDeps {
  clock?: Clock;
  logger?: Logger;
  store?: ObjectStore;
  /** Fan-out mode: replaces the FC 3.0 client (tests record what it receives). */
  fcClient?: (credentials: Credentials | undefined) => FcInvokeClient;
}

/** What the function reads from its environment, validated. */
interface RerunBatchConfig {
  idv: IdvConfig;
  bucket: BucketConfig;
  rerun: RerunConfig;
  /** ALIBABA_CLOUD_*: used when an invocation brings no context.credentials. */
  credentials: Credentials | undefined;
}

const loadRerunBatchConfig = (env: Env): RerunBatchConfig => ({
  idv: loadIdvConfig(env),
  bucket: loadBucketConfig(env),
  rerun: loadRerunConfig(env),
  credentials: loadCredentialsConfig(env),
});

type RerunBatchReply =
  | ({ ok: true } & Omit<RerunReport, 'error'> & { error?: RerunReport['error'] })
  | { ok: false; error: { code: string; message: string; variable?: string }; report?: RerunReport };

type RerunBatchHandler = (event: Buffer, context: unknown) => Promise<RerunBatchReply>;

/** Time kept after the last upstream call for the result write and the cursor. */
const CALL_MARGIN_MS = 2_000;

/** The function from its environment (index.ts, at cold start). */
export const createRerunBatchHandler = fromEnv(
  loadRerunBatchConfig,
  rerunBatchHandlerFromConfig,
  'rerun-batch',
);

/** The function from typed configuration (npm start's rerun timer points it at its own folder and upstream). */
export function rerunBatchHandlerFromConfig(
  config: RerunBatchConfig,
  deps: RerunBatchDeps & { logger: Logger },
): RerunBatchHandler {
  const { bucket, rerun, credentials: envCredentials } = config;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger;
  const signing = latestCredentials(undefined, 'OSS');
  const store = deps.store ?? storeFromConfig(bucketStoreTarget(bucket.store), signing.get);
  const client = idvClientFromConfig(config.idv, { clock, logger, retry: QUEUED_WORK_RETRY });

  return async (event, rawContext) => {
    const startEpochMs = clock.nowMs();
    const context = fcContextSchema.parse(rawContext);
    const log = logger.child({ requestId: context.requestId });
    const payload = readPayload(event, log);
    if ('ok' in payload) return payload;
    if (rerun.mode === 'fanout' && payload.force) {
      return refuse(
        log,
        'ForceNotFannedOut',
        'force is not available in fan-out mode (the OSS function never re-verifies a fresh verdict)',
      );
    }
    const credentials = credentialsFor(context, envCredentials);
    signing.use(credentials);
    const timeoutS = context.function?.timeout;
    const endEpochMs = timeoutS === undefined ? undefined : startEpochMs + timeoutS * 1000;
    if (timeoutS !== undefined && timeoutS * 1000 <= rerun.marginMs) {
      // Every run would stop at once with nothing done and report ok: say why instead.
      return refuse(
        log,
        'TimeoutBelowMargin',
        `the function timeout (${timeoutS} s) is not longer than IDV_RERUN_MARGIN_MS (${rerun.marginMs} ms): no case could start; raise the timeout or lower the margin`,
      );
    }
    const prefix = payload.prefix ?? bucket.settings.prefix;
    let runner: CaseRunner;
    if (rerun.mode === 'fanout') {
      if (!credentials && !deps.fcClient) {
        return refuse(
          log,
          'NoCredentials',
          'fan-out needs credentials (the function role) to invoke the OSS function',
        );
      }
      runner = await fanoutRunner(config, { ...deps, clock }, credentials);
    } else {
      runner = createInlineRunner(
        {
          store,
          client,
          clock,
          logger: log,
          settings: { ...bucket.settings, prefix },
          ...(credentials ? { credentials } : {}),
        },
        endEpochMs === undefined ? {} : { deadlineEpochMs: endEpochMs - CALL_MARGIN_MS },
      );
    }
    const report = await runRerun(
      { store, clock, logger: log, runner },
      {
        prefix,
        concurrency: payload.concurrency ?? rerun.concurrency,
        ...(payload.force ? { force: true } : {}),
        ...(payload.dryRun ? { dryRun: true } : {}),
        ...(payload.limit === undefined ? {} : { limit: payload.limit }),
        ...(endEpochMs === undefined ? {} : { workDeadlineEpochMs: endEpochMs - rerun.marginMs }),
      },
    );
    // Wrong credentials, an account not activated or a missing setting: the invocation fails with the reason
    // (no case spent an attempt on it).
    if (report.stopReason === 'run-level-error' && report.error)
      return { ok: false, error: report.error, report };
    return { ok: true, ...report };
  };
}

type Refusal = Extract<RerunBatchReply, { ok: false }>;

/** A run that does not start: one clear logged error and a failed reply (FC would retry a throw, uselessly). */
function refuse(log: Logger, code: string, message: string): Refusal {
  log.error('rerun not started', { code, message });
  return { ok: false, error: { code, message } };
}

/** The timer event's payload, or the reply refusing an event or payload that does not validate. */
function readPayload(event: Buffer, log: Logger): RerunPayload | Refusal {
  try {
    return parseTimerPayload(rerunPayloadSchema, parseJsonWith(fcTimerEventSchema, event));
  } catch (err) {
    if (!(err instanceof EventParseError)) throw err;
    log.error(
      'rerun not started: the timer payload must be a JSON string {prefix?, force?, limit?, concurrency?, dryRun?}',
      {
        code: err.code,
        path: err.path,
        message: err.message,
      },
    );
    return { ok: false, error: { code: err.code, message: err.message } };
  }
}

/** Fan-out: a runner that hands each due case to the OSS function (async invocation through the FC 3.0 API). */
async function fanoutRunner(
  config: RerunBatchConfig,
  deps: RerunBatchDeps & { clock: Clock },
  credentials: Credentials | undefined,
): Promise<CaseRunner> {
  const { bucket, rerun } = config;
  const fc =
    deps.fcClient?.(credentials) ??
    (await createFc3Client({
      region: rerun.fanout.region ?? bucket.store.region ?? '',
      ...(rerun.fanout.endpoint ? { endpoint: rerun.fanout.endpoint } : {}),
      ...(rerun.fanout.accountId ? { accountId: rerun.fanout.accountId } : {}),
      credentials: credentials as Credentials,
    }));
  return createFanoutRunner(
    fc,
    {
      functionName: rerun.fanout.functionName as string,
      ...(rerun.fanout.qualifier ? { qualifier: rerun.fanout.qualifier } : {}),
      bucket: bucket.store.bucket ?? 'local',
      region: bucket.store.region ?? 'local',
    },
    deps.clock,
  );
}
