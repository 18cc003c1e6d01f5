/**
 * Wiring of the verify-http function from an environment: validates it (fails fast naming the variable) and
 * builds the real adapters. index.ts calls it once at cold start; npm start and the tests call it with their
 * own environment, clock and logger.
 */

import { type Clock, systemClock } from '../../shared/clock.ts';
import { type Env, loadCredentialsConfig, loadHttpConfig, loadIdvConfig } from '../../shared/config.ts';
import { createFcHttpHandler } from '../../shared/fc/http-adapter.ts';
import { functionIdvClient, functionLogger } from '../../shared/fc/wiring.ts';
import { createHttpApp } from '../../shared/http/app.ts';
import type { Logger } from '../../shared/log.ts';

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
  const app = createHttpApp({
    idv,
    clock,
    logger,
    apiKeyHashes: httpConfig.apiKeyHashes,
    maxPhotoBytes: httpConfig.maxPhotoBytes,
    maxPhotoPixels: httpConfig.maxPhotoPixels,
    defaultResourceCode: idvConfig.defaultResourceCode,
    quotaResetUtcOffsetMinutes: httpConfig.quotaResetUtcOffsetMinutes,
    ...(deps.homePage === undefined ? {} : { homePage: deps.homePage }),
  });
  return createFcHttpHandler({
    app,
    clock,
    fallbackCredentials: envCredentials,
    requestBudgetMs: httpConfig.requestBudgetMs,
  });
}
