/**
 * The ID Verification API emulator: an HTTP server that Alibaba's own clients cannot tell from the real one
 * (signatures verified exactly, documented replies), answering from a real FaceEngine. Faults can be injected
 * and changed at run time; `GET /__emulator/stats` reports calls per key and outcome.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, sleep, systemClock } from '../../shared/clock.ts';
import { type Logger, silentLogger } from '../../shared/log.ts';
import type { FaceEngine } from '../engine/types.ts';
import { authenticate } from './auth.ts';
import {
  type EmulatorKey,
  EmulatorKeySchema,
  type FaultConfig,
  MAX_BODY_BYTES,
  MAX_HEADER_BYTES,
  TIMESTAMP_SKEW_MS,
} from './config.ts';
import {
  FACE_COMPARE_VERSION,
  faceCompareError,
  faceCompareMalformedSuccess,
  faceCompareSuccess,
  isFaceCompareAction,
  judgeFaceCompare,
  validateFaceCompare,
} from './face-compare.ts';
import { createFaultState, type FaultState } from './faults.ts';
import { createNonceStore } from './nonces.ts';
import { createQpsLimiter } from './qps.ts';
import { createQuota } from './quota.ts';
import { type EmulatorReply, gatewayError, serviceReply, systemErrorReply } from './replies.ts';
import { BodyTooLargeError, readApiRequest } from './request.ts';
import { createResourceCodeCheck } from './resource-codes.ts';
import { judge, judgedReply, validateService } from './service.ts';
import { createStats, type EmulatorStats } from './stats.ts';
import { SUB_CODES } from './subcodes.ts';

const API_ACTION = 'ExecuteRequest';
const API_VERSION = '2019-05-21';
export const STATS_PATH = '/__emulator/stats';
const HEALTH_PATH = '/__emulator/health';

interface EmulatorOptions {
  /** Required unless every call is answered in `instant` mode (then undefined spares loading the models). */
  engine: FaceEngine | undefined;
  /** 0 (default) lets the OS choose. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  keys: EmulatorKey[];
  faults?: FaultConfig;
  clock?: Clock;
  logger?: Logger;
  /** 8-digit resourceCodes accepted; default the table in resource-codes.ts. */
  resourceCodes?: readonly string[];
  /** For fault shares; default Math.random. */
  random?: () => number;
  /** Largest request body accepted (413 RequestEntityTooLarge above it); default 32 MiB. */
  maxBodyBytes?: number;
  /** Calls per second per AccessKey and per API (qps.ts); beyond it `Throttling.User`, never billed. Off when unset. */
  qps?: number;
}

/** An injected hang: the request is never answered. */
interface Hang {
  hang: true;
  accessKeyId: string;
}

export interface Emulator {
  url: string;
  port: number;
  stats(): EmulatorStats;
  setFaults(faults: FaultConfig): void;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const random = options.random ?? Math.random;
  const keys = new Map(
    options.keys.map((k) => EmulatorKeySchema.parse(k)).map((k) => [k.accessKeyId, k] as const),
  );
  const nonces = createNonceStore(clock, 2 * TIMESTAMP_SKEW_MS);
  const quota = createQuota(clock);
  const qps = createQpsLimiter(clock, options.qps);
  const stats = createStats();
  const isKnownResourceCode = createResourceCodeCheck(options.resourceCodes);
  let faults: FaultState = createFaultState(options.faults, random);
  const closing = new AbortController();
  // Every in-flight latency sleep listens on this signal: many concurrent requests are expected, not a leak.
  setMaxListeners(0, closing.signal);

  async function answer(
    req: http.IncomingMessage,
    requestId: string,
    arrivedAtMs: number,
    meta: { action: string },
  ): Promise<EmulatorReply | Hang> {
    const host = req.headers.host ?? 'localhost';
    let request: Awaited<ReturnType<typeof readApiRequest>>;
    try {
      request = await readApiRequest(req, options.maxBodyBytes ?? MAX_BODY_BYTES);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return gatewayError('RequestEntityTooLarge', requestId, host);
      throw err;
    }
    if (request.method !== 'GET' && request.method !== 'POST') {
      return gatewayError('UnsupportedHTTPMethod', requestId, host);
    }
    if (request.path !== '/') return gatewayError('InvalidAction.NotFound', requestId, host);
    const auth = authenticate(request, { keys, nonces, clock });
    if (!auth.ok)
      return { ...gatewayError(auth.error, requestId, host, auth.detail), accessKeyId: auth.accessKeyId };
    const accessKeyId = auth.key.accessKeyId;
    const withKey = (r: EmulatorReply) => ({ ...r, accessKeyId });
    meta.action = auth.action.slice(0, 64);
    // The gateway's flow control, per key and API, before any work (and any billing) happens.
    if (!qps.take(accessKeyId, `${auth.version}/${auth.action}`)) {
      stats.qpsThrottled();
      return withKey(gatewayError('Throttling.User', requestId, host));
    }
    // One port, two products: saf ExecuteRequest (2019-05-21) and Cloudauth-intl FaceCompare(V2) (2022-08-09).
    const faceCompare = isFaceCompareAction(auth.action);
    if (auth.action !== API_ACTION && !faceCompare) {
      return withKey(gatewayError('InvalidApi.NotFound', requestId, host));
    }
    if (auth.version !== (faceCompare ? FACE_COMPARE_VERSION : API_VERSION)) {
      return withKey(gatewayError('InvalidVersion', requestId, host));
    }

    const { latencyMs, instant } = faults.config;
    const fault = faults.next();
    // Latency counts from the request's arrival, as a remote API's would: reading the body and checking the
    // signature happen within it, so under load the reply still comes latencyMs after the request.
    const wait = arrivedAtMs + latencyMs - clock.nowMs();
    if (latencyMs > 0 && wait > 0) await sleep(wait, closing.signal);
    if (fault === 'hang') return { hang: true, accessKeyId };
    if (faceCompare) return withKey(await answerFaceCompare(auth, fault, instant, requestId, arrivedAtMs));
    if (fault === 'throttle') return withKey(gatewayError('Throttling.User', requestId, host));
    if (fault === 'systemError' || fault === 'processing') return withKey(faultReply(fault, requestId));
    if (fault === 'malformedSuccess') return withKey(malformedSuccessReply(requestId));
    if (fault === 'slowSuccess') {
      await slowSuccessWait(arrivedAtMs);
      return withKey({ ...judgedReply(true, false, 100, requestId), outcome: 'slowSuccess' });
    }
    if (!auth.key.activated) {
      return withKey(
        serviceReply(403, 'The service is not activated or has expired.', requestId, 'notActivated'),
      );
    }
    const photos = validateService(auth.params, requestId, isKnownResourceCode);
    if ('status' in photos) return withKey(photos);
    if (!quota.take(accessKeyId, auth.key.dailyQuota)) {
      return withKey(serviceReply(402, 'The daily quota is exceeded.', requestId, 'quotaExceeded'));
    }
    if (instant) return withKey({ ...judgedReply(true, false, 100, requestId), outcome: 'instant' });
    if (!options.engine) return withKey(faultReply('noEngine', requestId));
    stats.engineCalled();
    return withKey(await judge(options.engine, photos, requestId));
  }

  /** slowSuccess answers `ms` after the request arrived (a paid call the client may no longer be there for). */
  async function slowSuccessWait(arrivedAtMs: number): Promise<void> {
    const slowWait = arrivedAtMs + (faults.config.slowSuccess?.ms ?? 0) - clock.nowMs();
    if (slowWait > 0) await sleep(slowWait, closing.signal);
  }

  /** FaceCompare(V2): the same faults, activation switch, quota and engine, in Cloudauth-intl's replies. */
  async function answerFaceCompare(
    auth: Extract<ReturnType<typeof authenticate>, { ok: true }>,
    fault: ReturnType<FaultState['next']>,
    instant: boolean,
    requestId: string,
    arrivedAtMs: number,
  ): Promise<EmulatorReply> {
    if (fault === 'throttle') return faceCompareError('Throttling.Api', requestId);
    if (fault === 'systemError')
      return faceCompareError('InternalError', requestId, undefined, 'systemError');
    if (fault === 'processing')
      return faceCompareError('ServiceUnavailable', requestId, undefined, 'processing');
    if (fault === 'malformedSuccess') return faceCompareMalformedSuccess(requestId);
    if (fault === 'slowSuccess') {
      await slowSuccessWait(arrivedAtMs);
      return faceCompareSuccess(true, 100, requestId, 'slowSuccess');
    }
    if (!auth.key.activated) {
      return faceCompareError('Forbidden.AccountAccessDenied', requestId, undefined, 'notActivated');
    }
    const photos = validateFaceCompare(auth.params, requestId);
    if ('status' in photos) return photos;
    // Cloudauth-intl documents no daily-quota reply: a spent plan reads as an account that cannot be charged.
    if (!quota.take(auth.key.accessKeyId, auth.key.dailyQuota)) {
      return faceCompareError('Forbidden.AccountAccessDenied', requestId, '(quota spent)', 'quotaExceeded');
    }
    if (instant) return faceCompareSuccess(true, 100, requestId, 'instant');
    if (!options.engine)
      return faceCompareError('InternalError', requestId, '(no face engine)', 'engineError');
    stats.engineCalled();
    return judgeFaceCompare(options.engine, photos, requestId);
  }

  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    if (req.method === 'GET' && req.url === STATS_PATH) return sendJson(res, 200, stats.snapshot());
    if (req.method === 'GET' && req.url === HEALTH_PATH) return sendJson(res, 200, { ok: true });
    const requestId = randomUUID().toUpperCase();
    const t0 = clock.nowMs();
    stats.started();
    const meta = { action: '-' };
    answer(req, requestId, t0, meta)
      .catch((err: unknown): EmulatorReply => {
        if (closing.signal.aborted) return { ...faultReply('systemError', requestId), outcome: 'closing' };
        logger.error('emulator failure', { requestId, err });
        return { ...faultReply('systemError', requestId), outcome: 'emulatorError' };
      })
      .then((reply) => {
        if ('hang' in reply) {
          stats.finished(reply.accessKeyId, 'hang', meta.action);
          logger.info('emulator request', { requestId, accessKeyId: reply.accessKeyId, outcome: 'hang' });
          return; // never answered; close() drops the connection
        }
        const { accessKeyId } = reply;
        // Billed: a Code 200 answer (a number in ExecuteRequest's replies, the string "200" in FaceCompare's).
        if (String(reply.body.Code) === '200') stats.paid(accessKeyId);
        stats.finished(accessKeyId, reply.outcome, meta.action);
        logger.info('emulator request', {
          requestId,
          accessKeyId,
          outcome: reply.outcome,
          durationMs: clock.nowMs() - t0,
        });
        sendJson(res, reply.status, reply.body);
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;
  const hostForUrl = address.includes(':') ? `[${address}]` : address;

  return {
    url: `http://${hostForUrl}:${port}`,
    port,
    stats: () => stats.snapshot(),
    setFaults(next) {
      faults = createFaultState(next, random);
    },
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort(new Error('emulator closing'));
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function faultReply(fault: 'systemError' | 'processing' | 'noEngine', requestId: string): EmulatorReply {
  if (fault === 'noEngine') {
    const { sub, message } = SUB_CODES.engineFailed;
    return systemErrorReply(
      requestId,
      'engineError',
      sub,
      `${message}: no face engine is loaded (instant mode only)`,
    );
  }
  if (fault === 'processing') {
    const { sub, message } = SUB_CODES.processing;
    return serviceReply(200, 'OK', requestId, 'processing', {
      passed: 'false',
      retCode: 'PROCESSING',
      retCodeSub: sub,
      retMessage: message,
    });
  }
  const { sub, message } = SUB_CODES.systemError;
  return systemErrorReply(requestId, 'systemError', sub, message);
}

/** Code 200 / OK_SUCCESS whose verdict cannot be read (a score that is not a number, no faceAttack). */
function malformedSuccessReply(requestId: string): EmulatorReply {
  return {
    status: 200,
    outcome: 'malformedSuccess',
    body: {
      Data: JSON.stringify({
        passed: 'true',
        retCode: 'OK_SUCCESS',
        retCodeSub: SUB_CODES.passed.sub,
        retMessage: SUB_CODES.passed.message,
        extInfo: { result: 'true', score: 'NaN%', faceAttack: 'maybe' },
      }),
      Message: 'OK',
      RequestId: requestId,
      Code: 200,
    },
  };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
