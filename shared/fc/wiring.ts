/** Cold-start wiring shared by the three function handlers: their logger and their ID Verification client. */
import type { Clock } from '../clock.ts';
import { type Env, type IdvConfig, loadLogConfig } from '../config.ts';
import { createIdvClient } from '../idv/client.ts';
import type { RetryPolicy } from '../idv/retry.ts';
import type { IdvClient } from '../idv/types.ts';
import { createLogger, type Logger } from '../log.ts';

export const functionLogger = (env: Env, fn: string): Logger =>
  createLogger({ level: loadLogConfig(env).level, fields: { fn } });

/**
 * The signed client as every function uses it: credentials come with each call (context.credentials first,
 * then ALIBABA_CLOUD_*), so the client's own provider is reached only when an invocation has neither.
 */
export const functionIdvClient = (
  config: IdvConfig,
  clock: Clock,
  logger: Logger,
  retry?: Partial<RetryPolicy>,
): IdvClient =>
  createIdvClient({
    ...(retry ? { retry } : {}),
    api: config.api,
    endpoint: config.endpoint,
    timeoutMs: config.timeoutMs,
    retry: { maxUncertainRetries: config.maxUncertainRetries },
    credentials: () => {
      throw new Error(
        'no credentials: no context.credentials (function role) and ALIBABA_CLOUD_ACCESS_KEY_ID unset',
      );
    },
    clock,
    logger,
  });

/**
 * Retry policy of the bucket door and the rerun, where nobody waits for the answer: an attempt the gateway
 * refused with `Throttling.User` was not billed, so it is retried (full jitter, at most 2 s apart) until the
 * invocation's deadline rather than given up after 3 attempts. Under reserved concurrency sized for the
 * upstream's QPS (docs/scaling.md) that wait is short; giving up would leave the pair to the timer's rerun.
 */
export const QUEUED_WORK_RETRY: Partial<RetryPolicy> = { maxThrottledAttempts: 200 };
