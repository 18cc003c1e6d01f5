/**
 * Wiring of the verify-http function from an environment: validates it (fails fast naming the variable) and
 * builds the real adapters. index.ts calls it once at cold start; npm start and the tests call it with their
 * own environment, clock and logger.
 */

import { type Clock, systemClock } from '../../shared/clock.ts';
import {
  type Env,
  type HttpConfig,
  type IdempotencyConfig,
  type IdvConfig,
  loadCredentialsConfig,
  loadHttpConfig,
  loadIdempotencyConfig,
  loadIdvConfig,
} from '../../shared/config.ts';
import { createFcHttpHandler } from '../../shared/fc/http-adapter.ts';
import { createHttpApp } from '../../shared/http/app.ts';
import { createIdempotency } from '../../shared/http/idempotency.ts';
import type { Credentials } from '../../shared/idv/types.ts';
import type { Logger } from '../../shared/log.ts';
import { fromEnv, idvClientFromConfig, latestCredentials, storeFromConfig } from '../../shared/wiring.ts';

interface VerifyHttpDeps {
  clock?: Clock;
  logger?: Logger;
  /** HTML served at GET / (the local demo page); none in the cloud. */
  homePage?: string;
}

/** What the function reads from its environment, validated. */
export interface VerifyHttpConfig {
  idv: IdvConfig;
  http: HttpConfig;
  idempotency: IdempotencyConfig;
  /** ALIBABA_CLOUD_*: used when an invocation brings no context.credentials. */
  credentials: Credentials | undefined;
}

const loadVerifyHttpConfig = (env: Env): VerifyHttpConfig => ({
  idv: loadIdvConfig(env),
  http: loadHttpConfig(env),
  credentials: loadCredentialsConfig(env),
  idempotency: loadIdempotencyConfig(env),
});

/** The function from its environment (index.ts, at cold start). */
export const createVerifyHttpHandler = fromEnv(
  loadVerifyHttpConfig,
  verifyHttpHandlerFromConfig,
  'verify-http',
);

/** The function from typed configuration (npm start points it at its upstream, key and bucket folder). */
export function verifyHttpHandlerFromConfig(
  config: VerifyHttpConfig,
  deps: VerifyHttpDeps & { logger: Logger },
) {
  const { idv: idvConfig, http: httpConfig, idempotency: idemConfig, credentials: envCredentials } = config;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger;

  const idv = idvClientFromConfig(idvConfig, { clock, logger });
  // Signed with the newest invocation's credentials (FC's STS keys), else the environment's.
  const signing = latestCredentials(envCredentials, 'the idempotency bucket');
  const idemStore = idemConfig.store ? storeFromConfig(idemConfig.store, signing.get) : undefined;
  const idempotency = idemStore
    ? createIdempotency({
        store: idemStore,
        prefix: idemConfig.prefix,
        ttlMs: idemConfig.ttlMs,
        // A request holds its key for its whole budget, plus a margin for writing the reply.
        leaseMs: httpConfig.requestBudgetMs + 10_000,
        maxUncertainRetries: idvConfig.maxUncertainRetries,
        clock,
      })
    : undefined;
  const app = createHttpApp({
    idv,
    clock,
    logger,
    apiKeyHashes: httpConfig.apiKeyHashes,
    maxPhotoBytes: httpConfig.maxPhotoBytes,
    maxPhotoPixels: httpConfig.maxPhotoPixels,
    defaultResourceCode: idvConfig.defaultResourceCode,
    quotaResetUtcOffsetMinutes: httpConfig.quotaResetUtcOffsetMinutes,
    maxUncertainRetries: idvConfig.maxUncertainRetries,
    ...(idempotency ? { idempotency } : {}),
    ...(deps.homePage === undefined ? {} : { homePage: deps.homePage }),
  });
  return createFcHttpHandler({
    app: {
      handle: (req) => {
        signing.use(req.credentials);
        return app.handle(req);
      },
    },
    clock,
    fallbackCredentials: envCredentials,
    requestBudgetMs: httpConfig.requestBudgetMs,
  });
}
