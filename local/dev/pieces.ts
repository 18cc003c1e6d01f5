/**
 * The local stack as a composition of start/stop pieces. Each piece starts, says what it offers (lines to
 * print), and stops; `npm start` starts them in order and stops them in reverse. A bucket watcher or a timer
 * is one more piece.
 */
import { createRequire } from 'node:module';
import path, { dirname, join } from 'node:path';
import { type VerifyHttpConfig, verifyHttpHandlerFromConfig } from '../../functions/verify-http/handler.ts';
import { type BucketConfig, defaultResourceCodeFor, type IdvConfig } from '../../shared/config.ts';
import { UPSTREAM_APIS } from '../../shared/idv/apis.ts';
import type { Credentials } from '../../shared/idv/types.ts';
import type { Logger } from '../../shared/log.ts';
import { STATS_PATH, startEmulator } from '../emulator/server.ts';
import { emulatorOptionsFrom } from '../emulator/settings.ts';
import { createFaceEngine } from '../engine/engine.ts';
import { startFcHttpRunner } from '../runner/fc-http.ts';
import type { DevConfig } from './config.ts';
import { DEMO_PAGE } from './demo-page.ts';

export interface Piece {
  name: string;
  /** What it offers, printed under "Local stack ready" once everything is up. */
  lines: string[];
  /** A "Try ..." section (a heading and its commands), printed after every piece's lines. */
  tryIt?: string[];
  stop(): Promise<void>;
}

/** Where the HTTP function sends its signed calls. */
export interface Upstream {
  endpoint: string;
  credentials: Credentials;
  /** resourceCode used when a request has none. */
  defaultResourceCode: string | undefined;
  /** The secret was generated for this run and printed already, so printed commands may carry it too. */
  secretOnScreen: boolean;
}

/** resourceCode the local stack uses by default: the documented example, known to the emulator. */
const LOCAL_DEFAULT_RESOURCE_CODE = '00840000';

class DevConfigError extends Error {
  override readonly name = 'DevConfigError';
  readonly code = 'InvalidDevConfig';
}

/**
 * With IDV_ENDPOINT and ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET: that endpoint, no emulator. Otherwise the emulator
 * with the face engine, on IDV_EMULATOR_PORT (default: chosen by the OS) with the IDV_EMULATOR_* key pair.
 */
export async function startUpstream(
  config: Pick<DevConfig, 'idv' | 'credentials' | 'emulator'>,
  logger: Logger,
): Promise<Piece & { upstream: Upstream }> {
  const { idv, credentials, emulator: settings } = config;
  if (!settings) {
    if (!credentials) {
      throw new DevConfigError(
        'IDV_ENDPOINT is set: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET too, or unset it to use the emulator',
      );
    }
    return {
      name: 'upstream',
      lines: [
        `  ID Verification:  ${idv.endpoint} (${idv.api}, real endpoint, AccessKeyId ${credentials.accessKeyId})`,
      ],
      upstream: {
        endpoint: idv.endpoint,
        credentials,
        defaultResourceCode: idv.resourceCode,
        secretOnScreen: false,
      },
      stop: async () => {},
    };
  }
  const engine = await createFaceEngine();
  try {
    const emulator = await startEmulator({
      engine,
      ...emulatorOptionsFrom(settings),
      logger: logger.child({ component: 'emulator' }),
    });
    const { accessKeyId, accessKeySecret, securityToken } = settings.key;
    return {
      name: 'emulator',
      lines: [
        `  Emulator:         ${emulator.url} (${idv.api}; AccessKeyId ${accessKeyId}; stats ${emulator.url}${STATS_PATH})`,
        ...(settings.generatedKey ? [`  Emulator secret:  ${accessKeySecret} (generated)`] : []),
      ],
      upstream: {
        endpoint: emulator.url,
        credentials: { accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) },
        defaultResourceCode:
          idv.resourceCode ??
          (UPSTREAM_APIS[idv.api].usesResourceCode ? LOCAL_DEFAULT_RESOURCE_CODE : undefined),
        secretOnScreen: settings.generatedKey,
      },
      stop: async () => {
        await emulator.close();
        await engine.close();
      },
    };
  } catch (err) {
    await engine.close();
    throw err;
  }
}

/**
 * Two photos that exist on a fresh clone (face-api's demo group photos), for the printed curl command. Their
 * largest faces are two different people, far apart for the engine (distance about 0.78, score about 11): many
 * other pairs of these demo faces score near or above the threshold (see docs/face-engine.md, "Limits worth knowing").
 */
export function samplePhotoPaths(): [string, string] {
  const demo = join(
    dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')),
    'demo',
  );
  return [join(demo, 'sample1.jpg'), join(demo, 'sample6.jpg')];
}

/** The functions' upstream section pointed at this stack's upstream: its endpoint and default resourceCode. */
export function idvTowards(idv: IdvConfig, upstream: Upstream): IdvConfig {
  return {
    ...idv,
    endpoint: upstream.endpoint,
    resourceCode: upstream.defaultResourceCode,
    defaultResourceCode: defaultResourceCodeFor(idv.api, upstream.defaultResourceCode),
  };
}

/** The bucket section on the local folder (IDV_BUCKET_DIR, default ./bucket), whatever IDV_STORE says. */
export function localBucket(bucket: BucketConfig, idv: IdvConfig): BucketConfig {
  return {
    store: { ...bucket.store, kind: 'fs', dir: path.resolve(bucket.store.dir) },
    settings: { ...bucket.settings, defaultResourceCode: idv.defaultResourceCode },
  };
}

/** The verify-http function behind the FC-style runner on PORT (default 9000). */
export async function startHttpFunction(
  config: DevConfig,
  upstream: Upstream,
  logger: Logger,
): Promise<Piece & { url: string; apiKey: string }> {
  const { local } = config;
  const apiKey = local.apiKey;
  const httpConfig: VerifyHttpConfig = {
    idv: idvTowards(config.idv, upstream),
    http: config.http,
    credentials: upstream.credentials,
    // Idempotency-Key records go to the local bucket folder (prefix `idempotency/`) unless set otherwise.
    idempotency: {
      ...config.idempotency,
      store: config.idempotency.store ?? { kind: 'fs', dir: config.bucket.store.dir },
    },
  };
  const handler = verifyHttpHandlerFromConfig(httpConfig, {
    logger: logger.child({ fn: 'verify-http' }),
    homePage: DEMO_PAGE,
  });
  const runner = await startFcHttpRunner({
    handler,
    port: local.port,
    host: local.host,
    bodyTimeoutMs: local.bodyTimeoutMs,
    logger,
  });
  const [ref, auth] = samplePhotoPaths();
  return {
    name: 'verify-http',
    url: runner.url,
    apiKey,
    lines: [
      `  HTTP function:    ${runner.url} (POST /verify, GET /healthz, GET /openapi.json, demo page at /)`,
      `  API key:          ${apiKey}${local.apiKeyGenerated ? ' (generated; set IDV_API_KEY to choose one)' : ''}`,
    ],
    tryIt: [
      'Try it (two different people, so expect "result": false):',
      `  curl -s ${runner.url}/verify -H 'Authorization: Bearer ${apiKey}' -F ref=@${ref} -F auth=@${auth}`,
    ],
    stop: () => runner.close(),
  };
}
