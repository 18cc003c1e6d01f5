/**
 * Wiring from typed configuration, shared by the three functions, the rerun CLI and the local pieces: their
 * logger, the object store (a folder or OSS through the S3 API), the credentials the store signs with, and the
 * ID Verification client. The core (shared/cases, shared/rerun, shared/http) takes what these build.
 */
import type { Clock } from './clock.ts';
import { type Env, type IdvConfig, loadLogConfig, type StoreTarget } from './config.ts';
import { createIdvClient } from './idv/client.ts';
import type { RetryPolicy } from './idv/retry.ts';
import type { Credentials, IdvClient } from './idv/types.ts';
import { createLogger, type Logger } from './log.ts';
import { createFsStore } from './store/fs.ts';
import type { ObjectStore } from './store/types.ts';

const functionLogger = (env: Env, fn: string): Logger =>
  createLogger({ level: loadLogConfig(env).level, fields: { fn } });

/**
 * A function's factory from its environment (index.ts, at cold start; tests): validates the function's
 * sections once (fails fast naming the variable), then builds it from that typed configuration, logging as `fn`
 * unless the caller brings a logger. npm start's pieces call the typed factory directly.
 */
export const fromEnv =
  <C, D extends { logger?: Logger }, H>(
    load: (env: Env) => C,
    build: (config: C, deps: D & { logger: Logger }) => H,
    fn: string,
  ) =>
  (env: Env, deps: D = {} as D): H => {
    const config = load(env);
    return build(config, { ...deps, logger: deps.logger ?? functionLogger(env, fn) });
  };

/**
 * The credentials an instance's S3 clients sign with: the newest invocation's (FC's STS keys from
 * context.credentials), else the fallback (ALIBABA_CLOUD_*). Built once per instance; `use` at each invocation.
 */
export function latestCredentials(fallback: Credentials | undefined, what: string) {
  let latest: Credentials | undefined;
  return {
    use(credentials: Credentials | undefined): void {
      if (credentials) latest = credentials;
    },
    get(): Credentials {
      const c = latest ?? fallback;
      if (!c) throw new Error(`no credentials for ${what}`);
      return c;
    },
  };
}

/** The store a target names: a local folder, or an OSS bucket signed with `credentials` at every request. */
export function storeFromConfig(target: StoreTarget, credentials: () => Credentials): ObjectStore {
  if (target.kind === 'fs') return createFsStore({ root: target.dir });
  // The S3 SDK (about 125 ms to initialise, 300 KiB) is imported on the store's first use, not at cold start:
  // verify-http needs it only for Idempotency-Key records on OSS, and only when a request carries a key.
  let loaded: Promise<ObjectStore> | undefined;
  const store = () => {
    loaded ??= import('./store/s3.ts').then(({ createS3Store }) =>
      createS3Store({
        bucket: target.bucket,
        region: target.region,
        endpoint: target.endpoint,
        ...(target.flavour ? { flavour: target.flavour } : {}),
        credentials,
      }),
    );
    return loaded;
  };
  return {
    get: async (key) => (await store()).get(key),
    head: async (key) => (await store()).head(key),
    put: async (key, body, options) => (await store()).put(key, body, options),
    putIfAbsent: async (key, body, options) => (await store()).putIfAbsent(key, body, options),
    list: async (request) => (await store()).list(request),
    delete: async (key) => (await store()).delete(key),
  };
}

const noCredentials = (): never => {
  throw new Error(
    'no credentials: no context.credentials (function role) and ALIBABA_CLOUD_ACCESS_KEY_ID unset',
  );
};

/**
 * The signed client as everything here uses it. The functions pass credentials with each call
 * (context.credentials first, then ALIBABA_CLOUD_*), so their client's own provider is reached only when an
 * invocation has neither; the rerun CLI gives its configured keys as that provider.
 */
export const idvClientFromConfig = (
  config: IdvConfig,
  deps: { clock?: Clock; logger: Logger; retry?: Partial<RetryPolicy>; credentials?: () => Credentials },
): IdvClient =>
  createIdvClient({
    api: config.api,
    endpoint: config.endpoint,
    timeoutMs: config.timeoutMs,
    // The caller's policy (QUEUED_WORK_RETRY for the bucket door and the rerun) with the configured budget.
    retry: {
      ...deps.retry,
      maxUncertainRetries: config.maxUncertainRetries,
      minAttemptMs: config.minAttemptMs,
    },
    credentials: deps.credentials ?? noCredentials,
    ...(deps.clock ? { clock: deps.clock } : {}),
    logger: deps.logger,
  });

/**
 * Retry policy of the bucket door and the rerun, where nobody waits for the answer: an attempt the gateway
 * refused with `Throttling.User` was not billed, so it is retried (full jitter, at most 2 s apart) until the
 * invocation's deadline rather than given up after 3 attempts. Under reserved concurrency sized for the
 * upstream's QPS (docs/scaling.md) that wait is short; giving up would leave the pair to the timer's rerun.
 */
export const QUEUED_WORK_RETRY: Partial<RetryPolicy> = { maxThrottledAttempts: 200 };
