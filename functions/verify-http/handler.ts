/**
 * Wiring of the verify-http function from an environment: validates it (fails fast naming the variable) and
 * builds the real adapters. index.ts calls it once at cold start; npm start and the tests call it with their
 * own environment, clock and logger.
 */

import path from 'node:path';
import { type Clock, systemClock } from '../../shared/clock.ts';
import {
  type Env,
  loadCredentialsConfig,
  loadHttpConfig,
  loadIdempotencyConfig,
  loadIdvConfig,
} from '../../shared/config.ts';
import { createFcHttpHandler } from '../../shared/fc/http-adapter.ts';
import { functionIdvClient, functionLogger } from '../../shared/fc/wiring.ts';
import { createHttpApp } from '../../shared/http/app.ts';
import { createIdempotency } from '../../shared/http/idempotency.ts';
import type { Credentials } from '../../shared/idv/types.ts';
import type { Logger } from '../../shared/log.ts';
import { createFsStore } from '../../shared/store/fs.ts';
import { createS3Store } from '../../shared/store/s3.ts';

export interface VerifyHttpDeps {
  clock?: Clock;
  logger?: Logger;
  /** HTML served at GET / (the local demo page); none in the cloud. */
  homePage?: string;
}

export function createVerifyHttpHandler(env: Env, deps: VerifyHttpDeps = {}) {
  const idvConfig = loadIdvConfig(env);
  const httpConfig = loadHttpConfig(env);
  const envCredentials = loadCredentialsConfig(env);
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? functionLogger(env, 'verify-http');

  const idv = functionIdvClient(idvConfig, clock, logger);
  const idemConfig = loadIdempotencyConfig(env);
  let latestCredentials: Credentials | undefined;
  const idemStore =
    idemConfig.store?.kind === 'fs'
      ? createFsStore({ root: path.resolve(idemConfig.store.dir) })
      : idemConfig.store?.kind === 'oss'
        ? createS3Store({
            bucket: idemConfig.store.bucket,
            region: idemConfig.store.region,
            endpoint: idemConfig.store.endpoint,
            ...(idemConfig.store.flavour ? { flavour: idemConfig.store.flavour } : {}),
            // Signed with the newest invocation's credentials (FC's STS keys), else the environment's.
            credentials: () => {
              const c = latestCredentials ?? envCredentials;
              if (!c) throw new Error('no credentials for the idempotency bucket');
              return c;
            },
          })
        : undefined;
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
        if (req.credentials) latestCredentials = req.credentials;
        return app.handle(req);
      },
    },
    clock,
    fallbackCredentials: envCredentials,
    requestBudgetMs: httpConfig.requestBudgetMs,
  });
}
