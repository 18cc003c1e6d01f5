/**
 * `npm start`'s configuration, read once from the environment and handed to every piece as typed values: the
 * functions' sections (the same loaders as functions/*), the local runner's, and the emulator's when no
 * IDV_ENDPOINT is set. The API key is chosen here (IDV_API_KEY, else generated for this run).
 */
import { randomBytes } from 'node:crypto';
import {
  type Env,
  loadBucketConfig,
  loadCredentialsConfig,
  loadHttpConfig,
  loadIdempotencyConfig,
  loadIdvConfig,
  loadLocalConfig,
  loadRerunConfig,
} from '../../shared/config.ts';
import { loadEmulatorSettings } from '../emulator/settings.ts';

export function loadDevConfig(env: Env) {
  const idv = loadIdvConfig(env);
  const credentials = loadCredentialsConfig(env);
  const local = loadLocalConfig(env);
  const apiKey = local.apiKey ?? randomBytes(24).toString('base64url');
  return {
    idv,
    credentials,
    /** The emulator's settings when npm start runs one (IDV_ENDPOINT unset). */
    emulator: idv.endpointFromEnv ? undefined : loadEmulatorSettings(env, 0),
    local: { ...local, apiKey, apiKeyGenerated: local.apiKey === undefined },
    http: loadHttpConfig(env, { apiKey }),
    idempotency: loadIdempotencyConfig(env),
    bucket: loadBucketConfig(env),
    rerun: loadRerunConfig(env),
  };
}
export type DevConfig = ReturnType<typeof loadDevConfig>;
