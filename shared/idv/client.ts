/**
 * The signed ID Verification client: ExecuteRequest (Version 2019-05-21, Service intl_face_verify) through
 * @alicloud/pop-core with method 'POST' (form body, RPC signature v1). Facts from pop-core 1.8.0 lib/rpc.js:
 * - `method` must be exactly 'POST' (it compares `opts.method === 'POST'` for the body; anything else is GET).
 * - Every `request()` call reads its credentials provider and builds a new Timestamp and SignatureNonce, so each
 *   retry below is freshly signed. An RPCClient holds one set of credentials (and builds an http.Agent of its
 *   own, unused here), so we keep the one for the newest credentials read and build another when they rotate.
 * - Its transport (httpx 2.x) times out after 3 s unless `timeout` is passed; `beforeRequest` lets us hand an
 *   AbortSignal to http.request. It never checks the HTTP status, throws on any `Code` other than 200 with the
 *   reply in `err.data`, and a non-JSON body makes json-bigint throw a plain `{name:'SyntaxError'}` object.
 */
import http from 'node:http';
import https from 'node:https';
import RPCClient from '@alicloud/pop-core';
import { z } from 'zod';
import { type Clock, systemClock } from '../clock.ts';
import { type Logger, redactUpstreamText, silentLogger } from '../log.ts';
import { DEFAULT_IDV_API, type IdvApi, MERCHANT_BIZ_ID_PATTERN, UPSTREAM_APIS } from './apis.ts';
import { CheckedBase64, isStrictBase64 } from './base64.ts';
import { classifyTransportError } from './classify.ts';
import { IdvError } from './errors.ts';
import { errorOutcome, verdictOutcome } from './outcome.ts';
import { type RetryPolicy, resolveRetryPolicy, withRetry } from './retry.ts';
import type { Credentials, IdvClient, Verdict, VerifyOptions, VerifyRequest } from './types.ts';

const DEFAULT_IDV_TIMEOUT_MS = 10_000;

export interface IdvClientOptions {
  endpoint: string;
  /** Which upstream API to call (shared/idv/apis.ts); default the seed's intl_face_verify. */
  api?: IdvApi;
  /** Per attempt; pop-core's own default (3 s) is too short for a face comparison. */
  timeoutMs?: number;
  /** Read before every attempt, so rotating STS credentials are always current. */
  credentials: () => Credentials | Promise<Credentials>;
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  logger?: Logger;
  random?: () => number;
  /** Backoff sleep; tests may pass one that records the delays. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const OptionsSchema = z.object({
  endpoint: z.url({ protocol: /^https?$/ }),
  timeoutMs: z.number().int().positive().default(DEFAULT_IDV_TIMEOUT_MS),
});

const CredentialsSchema = z.object({
  accessKeyId: z.string().min(1),
  accessKeySecret: z.string().min(1),
  securityToken: z.string().min(1).optional(),
});

/** Base64 without a data: prefix or line breaks, as the API requires; CheckedBase64 was checked when made. */
const PhotoSchema = z.union([
  z.custom<CheckedBase64>((v) => v instanceof CheckedBase64).transform((b) => b.text),
  z.string().refine(isStrictBase64, 'must be base64 without a data: prefix or line breaks'),
]);
const VerifyRequestSchema = z.object({
  refFaceContent: PhotoSchema,
  authFaceContent: PhotoSchema,
  resourceCode: z.string().min(1),
  merchantBizId: z.string().regex(MERCHANT_BIZ_ID_PATTERN, 'must be 1-32 letters or digits').optional(),
});

export function createIdvClient(options: IdvClientOptions): IdvClient {
  const { endpoint, timeoutMs } = OptionsSchema.parse(options);
  const api = UPSTREAM_APIS[options.api ?? DEFAULT_IDV_API];
  const policy = resolveRetryPolicy(options.retry);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const random = options.random ?? Math.random;
  const agent = endpoint.startsWith('https:')
    ? new https.Agent({ keepAlive: true })
    : new http.Agent({ keepAlive: true });

  async function readCredentials(override?: Credentials): Promise<Credentials> {
    let raw: unknown;
    try {
      raw = override ?? (await options.credentials());
    } catch (err) {
      // The provider's own reason (wiring.ts: which source was missing); it names variables, never values.
      const why = err instanceof Error ? `: ${err.message.slice(0, 200)}` : '';
      throw new IdvError('AuthFailed', `credentials could not be read${why}`, { cause: err });
    }
    const parsed = CredentialsSchema.safeParse(raw);
    if (!parsed.success)
      throw new IdvError('AuthFailed', 'credentials are incomplete (accessKeyId/accessKeySecret)');
    return parsed.data;
  }

  let current: { credentials: Credentials; client: RPCClient } | undefined;
  const rpcClientFor = (c: Credentials): RPCClient => {
    const same =
      current?.credentials.accessKeyId === c.accessKeyId &&
      current.credentials.accessKeySecret === c.accessKeySecret &&
      current.credentials.securityToken === c.securityToken;
    if (!same || !current) {
      current = { credentials: c, client: new RPCClient({ endpoint, apiVersion: api.version, ...c }) };
    }
    return current.client;
  };

  async function attemptOnce(
    params: Record<string, string>,
    credentials: Credentials,
    attemptTimeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Verdict> {
    const client = rpcClientFor(credentials);
    let reply: unknown;
    try {
      reply = await client.request(api.action, params, {
        method: 'POST',
        timeout: attemptTimeoutMs,
        agent,
        beforeRequest: (o: http.RequestOptions) => (signal ? { ...o, signal } : o),
      });
    } catch (err) {
      const e = err as { data?: unknown; entry?: { response?: { statusCode?: number } } };
      if (e && typeof e === 'object' && e.data !== undefined) {
        api.parse(e.data, { httpStatus: e.entry?.response?.statusCode });
        throw new IdvError('Protocol', 'pop-core rejected a reply that parses as a success');
      }
      const code = signal?.aborted ? 'Aborted' : classifyTransportError(err);
      throw new IdvError(code, transportMessage(code, attemptTimeoutMs), { cause: safeCause(err) });
    }
    return api.parse(reply);
  }

  return {
    async verify(request: VerifyRequest, verifyOptions: VerifyOptions = {}): Promise<Verdict> {
      const started = clock.nowMs();
      const log = verifyOptions.logger ?? logger;
      const checked = VerifyRequestSchema.safeParse(request);
      if (!checked.success) {
        const field = checked.error.issues[0]?.path.join('.') ?? 'request';
        throw new IdvError('InvalidParameters', `${field} is invalid: ${checked.error.issues[0]?.message}`, {
          attempts: 0,
        });
      }
      // Built once: every retry sends the same parameters (the same MerchantBizId), signed anew.
      const params = api.params(checked.data);
      const ledger = { paid: 0, uncertain: 0 };
      try {
        const verdict = await withRetry(
          async (attempt, timeLeftMs) => {
            const credentials = await readCredentials(verifyOptions.credentials);
            const attemptTimeoutMs = Math.max(1, Math.min(timeoutMs, timeLeftMs ?? timeoutMs));
            await verifyOptions.beforeAttempt?.(attempt);
            const t0 = clock.nowMs();
            try {
              const verdict = await attemptOnce(params, credentials, attemptTimeoutMs, verifyOptions.signal);
              return { ...verdict, attempts: attempt, paidAttempts: ledger.paid + 1 };
            } finally {
              log.debug('idv attempt', { attempt, durationMs: clock.nowMs() - t0 });
            }
          },
          {
            policy,
            clock,
            random,
            deadlineEpochMs: verifyOptions.deadlineEpochMs,
            signal: verifyOptions.signal,
            sleep: options.sleep,
            ledger,
            ...(verifyOptions.maxUncertainRetries === undefined
              ? {}
              : { maxUncertainRetries: verifyOptions.maxUncertainRetries }),
            onRetry: (error, attempt, delayMs) =>
              log.warn('idv retry', {
                attempt,
                delayMs,
                code: error.code,
                upstreamCode: error.upstreamCode,
                upstreamRequestId: error.requestId,
              }),
          },
        );
        verdict.uncertainAttempts = ledger.uncertain;
        log.info('idv verify', {
          outcome: verdictOutcome(verdict),
          upstreamRequestId: verdict.requestId,
          attempts: verdict.attempts,
          paidAttempts: verdict.paidAttempts,
          uncertainAttempts: verdict.uncertainAttempts,
          durationMs: clock.nowMs() - started,
        });
        return verdict;
      } catch (err) {
        // Not an IdvError: beforeAttempt failed (nothing was sent for that attempt); the caller decides.
        if (!(err instanceof IdvError)) throw err;
        const error = err;
        error.paidAttempts = ledger.paid;
        error.uncertainAttempts = ledger.uncertain;
        log.warn('idv verify failed', {
          outcome: errorOutcome(error.code),
          code: error.code,
          upstreamCode: error.upstreamCode,
          upstreamRequestId: error.requestId,
          attempts: error.attempts,
          paidAttempts: error.paidAttempts,
          uncertainAttempts: error.uncertainAttempts,
          durationMs: clock.nowMs() - started,
        });
        throw error;
      }
    },
  };
}

function transportMessage(code: string, timeoutMs: number): string {
  if (code === 'Timeout') return `no answer from the ID Verification API within ${timeoutMs} ms`;
  if (code === 'Protocol') return 'the ID Verification API answered with something that is not JSON';
  if (code === 'Aborted') return 'the call was aborted by the caller';
  return 'could not reach the ID Verification API';
}

/** Keeps the name/code/message of a transport error, never json-bigint's `text` (the whole body). */
function safeCause(err: unknown): Error {
  const e = (err ?? {}) as { name?: unknown; code?: unknown; message?: unknown };
  const cause = new Error(
    typeof e.message === 'string' ? redactUpstreamText(e.message).slice(0, 300) : 'unknown',
  );
  cause.name = typeof e.name === 'string' ? e.name : 'Error';
  if (typeof e.code === 'string') (cause as Error & { code?: string }).code = e.code;
  return cause;
}
