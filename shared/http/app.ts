/**
 * The HTTP app core, free of FC types: a request (method, path, headers, body bytes) in, a response out.
 * Routing, authentication and the error -> status mapping (status.ts) happen here once for every route.
 */
import type { Clock } from '../clock.ts';
import type { Credentials, IdvClient } from '../idv/types.ts';
import type { Logger } from '../log.ts';
import { isAuthorised } from './auth.ts';
import { HttpError } from './errors.ts';
import { buildOpenApi } from './openapi.ts';
import { toErrorReply } from './status.ts';
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

export interface HttpAppOptions {
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
}

/** Per-request facts for the request's log line (what the upstream attempts cost). */
interface RequestFacts {
  ledger: { paid: number; uncertain: number };
}

type Route = (
  req: AppRequest,
  logger: Logger,
  facts: RequestFacts,
) => Promise<{ status: number; body: unknown; contentType?: string; headers?: Record<string, string> }>;

const header = (headers: Record<string, string>, name: string) =>
  Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];

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
        if (!isAuthorised(header(req.headers, 'authorization'), options.apiKeyHashes)) {
          throw new HttpError('unauthorized', 'a valid API key is required: Authorization: Bearer <key>', {
            headers: { 'www-authenticate': 'Bearer' },
          });
        }
        const body = await verifyPhotos(verifyDeps, {
          requestId: req.requestId,
          contentType: header(req.headers, 'content-type'),
          body: req.body,
          credentials: req.credentials,
          deadlineEpochMs: req.deadlineEpochMs,
          logger,
          ledger: facts.ledger,
        });
        return { status: 200, body };
      },
    },
  };
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
      const methods = routes[req.path];
      if (!methods) throw new HttpError('not_found', 'no such route');
      const method = req.method.toUpperCase();
      // HEAD works wherever GET does (the FC platform or the runner drops the body).
      const route = methods[method] ?? (method === 'HEAD' ? methods.GET : undefined);
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
export type HttpApp = ReturnType<typeof createHttpApp>;
