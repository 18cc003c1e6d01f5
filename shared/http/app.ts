/**
 * The HTTP app core, free of FC types: a request (method, path, headers, body bytes) in, a response out.
 * Routing, authentication and the error -> status mapping (status.ts) happen here once for every route.
 */
import type { Clock } from '../clock.ts';
import { IdvError } from '../idv/errors.ts';
import type { Credentials, IdvClient } from '../idv/types.ts';
import type { Logger } from '../log.ts';
import { own } from '../own.ts';
import { PhotoError } from '../photo/errors.ts';
import { isAuthorised } from './auth.ts';
import { parseVerifyBody } from './body.ts';
import { HttpError } from './errors.ts';
import { headerOf } from './headers.ts';
import {
  type Idempotency,
  idempotencyScope,
  parseIdempotencyKey,
  requestContentHash,
  type Ticket,
} from './idempotency.ts';
import { buildOpenApi } from './openapi.ts';
import { type PhotoFields, toErrorReply } from './status.ts';
import { verifyPhotos } from './verify.ts';

export interface AppRequest {
  method: string;
  /** Decoded path, without the query string. */
  path: string;
  /** Header names in any case. */
  headers: Record<string, string>;
  /** The body text as the event carried it, or its bytes when it came base64-encoded. */
  body: Buffer | string;
  requestId: string;
  /** This invocation's credentials (FC STS keys or the environment's); the client's own provider if absent. */
  credentials?: Credentials;
  deadlineEpochMs: number;
}

export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface HttpAppOptions {
  idv: IdvClient;
  clock: Clock;
  logger: Logger;
  apiKeyHashes: readonly string[];
  maxPhotoBytes: number;
  maxPhotoPixels: number;
  defaultResourceCode: string | undefined;
  /** Retry-After of a spent daily quota counts to midnight at this UTC offset (default 0). */
  quotaResetUtcOffsetMinutes?: number;
  version?: string;
  /** Optional HTML for GET / (the local demo page). */
  homePage?: string;
  /** Where Idempotency-Key records live; without it a request carrying the header is refused (400). */
  idempotency?: Idempotency;
  /** IDV_MAX_UNCERTAIN_RETRIES, for the idempotency record's budget (default 1). */
  maxUncertainRetries?: number;
}

/** Per-request facts for the request's log line (what the upstream attempts cost) and its error reply. */
interface RequestFacts {
  ledger: { paid: number; uncertain: number };
  /** The photos' request field names, once the body is parsed: an upstream error naming a photo says which. */
  photoFields?: PhotoFields;
}

type Route = (
  req: AppRequest,
  logger: Logger,
  facts: RequestFacts,
) => Promise<{ status: number; body: unknown; contentType?: string; headers?: Record<string, string> }>;

export function createHttpApp(options: HttpAppOptions) {
  const openapi = JSON.stringify(buildOpenApi(options.version ?? '0.1.0'));
  const verifyDeps = {
    idv: options.idv,
    clock: options.clock,
    limits: { maxPhotoBytes: options.maxPhotoBytes, maxPhotoPixels: options.maxPhotoPixels },
    defaultResourceCode: options.defaultResourceCode,
  };
  const routes: Record<string, Partial<Record<string, Route>>> = {
    '/healthz': { GET: async () => ({ status: 200, body: { status: 'ok' } }) },
    '/openapi.json': {
      GET: async () => ({ status: 200, body: openapi, contentType: 'application/json; charset=utf-8' }),
    },
    '/verify': {
      POST: async (req, logger, facts) => {
        if (!isAuthorised(headerOf(req.headers, 'authorization'), options.apiKeyHashes)) {
          throw new HttpError('unauthorized', 'a valid API key is required: Authorization: Bearer <key>', {
            headers: { 'www-authenticate': 'Bearer' },
          });
        }
        const call = {
          requestId: req.requestId,
          credentials: req.credentials,
          deadlineEpochMs: req.deadlineEpochMs,
          logger,
          ledger: facts.ledger,
        };
        const rawKey = headerOf(req.headers, 'idempotency-key');
        if (rawKey === undefined)
          return {
            status: 200,
            body: await verifyPhotos(verifyDeps, { ...call, input: await parseBody(req, facts) }),
          };
        return idempotentVerify(req, rawKey, call, logger, facts);
      },
    },
  };
  /** The parsed body; notes the photos' request field names for the error reply. */
  async function parseBody(req: AppRequest, facts: RequestFacts) {
    const input = await parseVerifyBody(
      headerOf(req.headers, 'content-type'),
      req.body,
      options.maxPhotoBytes,
    );
    facts.photoFields = { ref: input.ref.field, auth: input.auth.field };
    return input;
  }
  /**
   * POST /verify with an Idempotency-Key: a completed reply is replayed (`Idempotent-Replayed: true`), the same
   * key with another body is 422, a second request while the first is in flight is 409 with Retry-After.
   */
  async function idempotentVerify(
    req: AppRequest,
    rawKey: string,
    call: Omit<Parameters<typeof verifyPhotos>[1], 'input'>,
    logger: Logger,
    facts: RequestFacts,
  ) {
    const idem = options.idempotency;
    if (!idem) {
      throw new HttpError(
        'idempotency_not_configured',
        'Idempotency-Key is not supported here: no idempotency store is configured (IDV_IDEMPOTENCY_DIR or IDV_IDEMPOTENCY_BUCKET); send the request without it or configure one',
        { field: 'Idempotency-Key' },
      );
    }
    const key = parseIdempotencyKey(rawKey);
    if (key === undefined) {
      throw new HttpError(
        'invalid_idempotency_key',
        'Idempotency-Key must be 1-255 visible ASCII characters',
        {
          field: 'Idempotency-Key',
        },
      );
    }
    // A body that does not parse is refused before the key is looked at: nothing is recorded for it.
    const input = await parseBody(req, facts);
    const token = headerOf(req.headers, 'authorization') ?? '';
    const start = await idem.start(idempotencyScope(token, key), requestContentHash(input));
    if (start.kind === 'mismatch') {
      throw new HttpError(
        'idempotency_key_reused',
        'this Idempotency-Key was already used with a different request (other photos, resourceCode or reference); use a new key',
        { field: 'Idempotency-Key' },
      );
    }
    if (start.kind === 'in-flight') {
      throw new HttpError(
        'idempotency_in_flight',
        'a request with this Idempotency-Key is still in progress',
        {
          headers: { 'retry-after': String(start.retryAfterSeconds) },
        },
      );
    }
    if (start.kind === 'replay') {
      logger.info('idempotent replay', { status: start.reply.status });
      return {
        status: start.reply.status,
        body: start.reply.body,
        headers: { 'idempotent-replayed': 'true' },
      };
    }
    const ticket = start.ticket;
    const maxUncertain = options.maxUncertainRetries ?? 1;
    if (ticket.remainingUncertainRetries < 0) {
      const err = new HttpError(
        'upstream_outcome_uncertain',
        `earlier requests with this Idempotency-Key may have been billed without an answer (${ticket.priorUncertain} attempt(s)); not paying again: use a new key to verify again`,
      );
      await settle(ticket, err, true, logger, facts);
      throw err;
    }
    let body: Awaited<ReturnType<typeof verifyPhotos>>;
    try {
      body = await verifyPhotos(verifyDeps, {
        ...call,
        input,
        maxUncertainRetries: ticket.remainingUncertainRetries,
        beforeAttempt: ticket.beforeAttempt,
      });
    } catch (err) {
      const uncertain = ticket.priorUncertain + facts.ledger.uncertain;
      await settle(ticket, err, isFinalFailure(err, uncertain, maxUncertain), logger, facts);
      throw err;
    }
    await ticket
      .finish({ status: 200, body: JSON.stringify(body) }, facts.ledger, true)
      .catch((err: unknown) => logger.error('could not store the idempotent reply', { err }));
    return { status: 200, body };
  }

  async function settle(ticket: Ticket, err: unknown, final: boolean, logger: Logger, facts: RequestFacts) {
    const reply = toErrorReply(
      err,
      'stored',
      options.clock.nowMs(),
      options.quotaResetUtcOffsetMinutes,
      facts.photoFields,
    );
    await ticket
      .finish({ status: reply.status, body: JSON.stringify(reply.body) }, facts.ledger, final)
      .catch((e: unknown) => logger.error('could not store the idempotent reply', { err: e }));
  }

  if (options.homePage !== undefined) {
    const page = options.homePage;
    routes['/'] = { GET: async () => ({ status: 200, body: page, contentType: 'text/html; charset=utf-8' }) };
  }

  async function handle(req: AppRequest): Promise<AppResponse> {
    const startMs = options.clock.nowMs();
    const logger = options.logger.child({ requestId: req.requestId });
    const base = { 'x-request-id': req.requestId, 'cache-control': 'no-store' };
    const facts: RequestFacts = { ledger: { paid: 0, uncertain: 0 } };
    const money = () => ({ paidAttempts: facts.ledger.paid, uncertainAttempts: facts.ledger.uncertain });
    try {
      const methods = own(routes, req.path);
      if (!methods) throw new HttpError('not_found', 'no such route');
      const method = req.method.toUpperCase();
      // HEAD works wherever GET does (the FC platform or the runner drops the body).
      const route = own(methods, method) ?? (method === 'HEAD' ? methods.GET : undefined);
      if (!route) {
        const allowed = Object.keys(methods).flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m]));
        throw new HttpError('method_not_allowed', `use ${allowed.join(', ')}`, {
          headers: { allow: allowed.join(', ') },
        });
      }
      const out = await route(req, logger, facts);
      const status = out.status;
      logger.info('request done', {
        method: req.method,
        path: req.path,
        status,
        outcome: 'ok',
        ...money(),
        durationMs: options.clock.nowMs() - startMs,
      });
      const text = typeof out.body === 'string' ? out.body : JSON.stringify(out.body);
      return {
        status,
        headers: {
          ...base,
          ...out.headers,
          'content-type': out.contentType ?? 'application/json; charset=utf-8',
        },
        body: text,
      };
    } catch (err) {
      const reply = toErrorReply(
        err,
        req.requestId,
        options.clock.nowMs(),
        options.quotaResetUtcOffsetMinutes,
        facts.photoFields,
      );
      const fields = {
        method: req.method,
        path: req.path,
        status: reply.status,
        outcome: reply.body.error.code,
        ...money(),
        durationMs: options.clock.nowMs() - startMs,
      };
      if (reply.serverFault) logger.error('request failed', { ...fields, err });
      else logger.info('request refused', fields);
      return {
        status: reply.status,
        headers: { ...base, ...reply.headers, 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(reply.body),
      };
    }
  }
  return { handle };
}

/**
 * Whether a failed request's reply is kept for replay. Kept: the caller's own mistakes (4xx: the same body gets
 * the same answer), billed or unreadable upstream replies, and possibly-billed outcomes beyond the budget.
 * Not kept (the next request with the key tries again): failures that cost nothing (throttling, a 500, no
 * connection) and possibly-billed ones within IDV_MAX_UNCERTAIN_RETRIES.
 */
function isFinalFailure(err: unknown, uncertainSoFar: number, maxUncertain: number): boolean {
  if (err instanceof HttpError || err instanceof PhotoError) return err.status < 500;
  if (!(err instanceof IdvError)) return false;
  if (err.billing === 'paid' || err.code === 'Unparseable') return true;
  if (err.billing === 'uncertain') return uncertainSoFar > maxUncertain;
  return false;
}
