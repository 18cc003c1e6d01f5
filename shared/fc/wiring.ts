/** Cold-start wiring shared by the three function handlers: their logger and their ID Verification client. */
import type { Clock } from '../clock.ts';
import { type Env, type IdvConfig, loadLogConfig } from '../config.ts';
import { createIdvClient } from '../idv/client.ts';
import type { IdvClient } from '../idv/types.ts';
import { createLogger, type Logger } from '../log.ts';

export const functionLogger = (env: Env, fn: string): Logger =>
  createLogger({ level: loadLogConfig(env).level, fields: { fn } });

/**
 * The signed client as every function uses it: credentials come with each call (context.credentials first,
 * then ALIBABA_CLOUD_*), so the client's own provider is reached only when an invocation has neither.
 */
export const functionIdvClient = (config: IdvConfig, clock: Clock, logger: Logger): IdvClient =>
  createIdvClient({
    endpoint: config.endpoint,
    timeoutMs: config.timeoutMs,
    credentials: () => {
      throw new Error(
        'no credentials: no context.credentials (function role) and ALIBABA_CLOUD_ACCESS_KEY_ID unset',
      );
    },
    clock,
    logger,
  });
