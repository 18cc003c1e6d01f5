/**
 * An FC-style HTTP runner: a real HTTP request -> an FC 3.0 HTTP trigger event (as a Buffer of JSON) ->
 * the function's handler -> the FC reply written back as the HTTP response. Shared by `npm start` and the
 * integration tests so both exercise exactly the deployed handler.
 *
 * Event facts copied from FC (test/fixtures/events/http/get.json): repeated header and query values are
 * joined with commas, rawPath stays URL-encoded while requestContext.http.path is decoded, a binary body is
 * base64 with isBase64Encoded=true. The sync request body limit is 32 MB.
 *
 * The request target is taken as a path, never parsed as a URL against a base: `new URL('//verify', base)`
 * reads `verify` as a host name, and `/%2e%2e/` is normalised to `/`; here `//verify` and `/%2e%2e/` stay what
 * they are and match no route (404). A body must arrive within `bodyTimeoutMs` (IDV_BODY_TIMEOUT_MS, default
 * 30 s), else 408; Node's own requestTimeout would wait 300 s.
 *
 * HTTP that Node's parser refuses before there is a request (headers over its 16 KB maxHeaderSize, a malformed
 * request line, headers that never finish) would get Node's bare `431`/`400`/`408` with no body; the server's
 * 'clientError' answers it like every other reply instead: the JSON error body and an x-request-id.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FcHttpEvent, FcHttpReply } from '../../shared/fc/http-event.ts';
import { fcHttpReplySchema } from '../../shared/fc/http-event.ts';
import { type EdgeErrorCode, type HttpErrorCode, statusOfCode } from '../../shared/http/errors.ts';
import type { Logger } from '../../shared/log.ts';
import { dict } from '../../shared/own.ts';

export type FcHttpHandler = (event: Buffer, context: unknown) => Promise<FcHttpReply>;

interface FcHttpRunnerOptions {
  handler: FcHttpHandler;
  port?: number;
  host?: string;
  maxBodyBytes?: number;
  /** Time for the whole body to arrive once the headers are in (default 30 s), then 408. */
  bodyTimeoutMs?: number;
  /**
   * How long close() lets requests in progress finish (default 60 s) before it cuts their connections: a
   * request in progress may already have paid for its upstream call, so its caller should get the answer.
   */
  drainTimeoutMs?: number;
  /** Extra context fields per invocation (function timeout, STS credentials in tests). */
  context?: (requestId: string) => Record<string, unknown>;
  logger?: Logger;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Open connections (the tests check that refused ones are closed). */
  connections(): Promise<number>;
  close(): Promise<void>;
}

const FC_SYNC_BODY_LIMIT = 32 * 1024 * 1024;
const DEFAULT_BODY_TIMEOUT_MS = 30_000;
const DEFAULT_DRAIN_TIMEOUT_MS = 60_000;

/**
 * Stops accepting connections, closes the idle ones (and each keep-alive connection as its response ends),
 * and resolves once every request in progress has been answered; after `drainTimeoutMs` it cuts the rest.
 */
function closeGracefully(server: http.Server, drainTimeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const cut = setTimeout(() => server.closeAllConnections(), drainTimeoutMs);
    cut.unref();
    server.on('request', (_req, res) => res.setHeader('connection', 'close'));
    server.close((err) => {
      clearTimeout(cut);
      if (err) reject(err);
      else resolve();
    });
    server.closeIdleConnections();
    // A keep-alive connection whose request was in flight becomes idle when its response ends.
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    idle.unref();
    server.once('close', () => clearInterval(idle));
  });
}
const TEXTUAL = /^(text\/|application\/(json|[\w.+-]+\+json|x-www-form-urlencoded|xml))/i;

const joinValues = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : (v ?? ''));

function toFcHttpEvent(
  req: http.IncomingMessage,
  body: Buffer,
  requestId: string,
  nowEpochMs: number,
): FcHttpEvent {
  const { rawPath, query } = splitTarget(req.url ?? '/');
  const headers = dict<string>();
  // headersDistinct keeps repeated headers apart (req.headers joins them with ", "); FC joins with ",".
  for (const [name, value] of Object.entries(req.headersDistinct)) headers[name] = joinValues(value);
  const queryParameters = dict<string>();
  for (const key of new Set(query.keys())) queryParameters[key] = query.getAll(key).join(',');
  let path = rawPath;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    // A malformed escape stays as it came; the app answers 404.
  }
  const textual = body.length === 0 || TEXTUAL.test(headers['content-type'] ?? '');
  return {
    version: 'v1',
    rawPath,
    headers,
    queryParameters,
    body: textual ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: !textual,
    requestContext: {
      requestId,
      http: {
        method: req.method ?? 'GET',
        path,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '',
        userAgent: headers['user-agent'] ?? '',
      },
      time: new Date(nowEpochMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      timeEpoch: String(nowEpochMs),
    },
  };
}

/**
 * The request target as FC's rawPath and query. Origin form (`/a/b?x=1`) is split at the first `?`, with no
 * normalisation; an absolute form (`http://host/a`, sent to proxies) contributes its path only.
 */
export function splitTarget(target: string): { rawPath: string; query: URLSearchParams } {
  let rest = target;
  if (/^https?:\/\//i.test(rest)) {
    const afterScheme = rest.indexOf('//') + 2;
    const slash = rest.indexOf('/', afterScheme);
    rest = slash < 0 ? '/' : rest.slice(slash);
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const rawPath = q < 0 ? rest : rest.slice(0, q);
  return {
    rawPath: rawPath === '' ? '/' : rawPath,
    query: new URLSearchParams(q < 0 ? '' : rest.slice(q + 1)),
  };
}

type BodyRead = Buffer | 'too_large' | 'timeout';

function readBody(req: http.IncomingMessage, limit: number, timeoutMs: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const timer = setTimeout(() => {
      req.removeAllListeners('data');
      req.pause();
      resolve('timeout');
    }, timeoutMs);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve(over ? 'too_large' : Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function send(res: http.ServerResponse, reply: FcHttpReply): void {
  const body = Buffer.from(reply.body, reply.isBase64Encoded ? 'base64' : 'utf8');
  res.writeHead(reply.statusCode, { ...reply.headers, 'content-length': String(body.length) });
  res.end(body);
}

/** The codes the runner answers with itself (their statuses are in shared/http/errors.ts). */
type RunnerErrorCode = Exclude<EdgeErrorCode, 'invalid_event'> | Extract<HttpErrorCode, 'payload_too_large'>;

const failure = (code: RunnerErrorCode, message: string, requestId: string): FcHttpReply => ({
  statusCode: statusOfCode(code),
  headers: {
    'content-type': 'application/json; charset=utf-8',
    'x-request-id': requestId,
    'cache-control': 'no-store',
  },
  body: JSON.stringify({ error: { code, message }, requestId }),
  isBase64Encoded: false,
});

/** How long a refused connection may stay half-open for the client to read the reply and close its side. */
const CLIENT_ERROR_LINGER_MS = 2_000;

/** Node's parse error codes (`err.code`) and what the runner answers to them. */
function clientErrorReply(errCode: string | undefined): { code: RunnerErrorCode; message: string } {
  switch (errCode) {
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'headers_too_large', message: 'the request headers are over the size limit (16 KB)' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'request_timeout', message: 'the request did not arrive in time' };
    default:
      return { code: 'bad_request', message: 'the request is not valid HTTP/1.1' };
  }
}

/**
 * Answers a connection Node's HTTP parser gave up on ('clientError'): there is no request or response object,
 * so the reply is written to the socket as raw HTTP/1.1, then the socket is ended (FIN after the reply, so the
 * client reads it rather than a reset) and destroyed once the client closes its side, or after a short linger.
 * Nothing is written when the socket is no longer writable or a response on it has begun: it is destroyed.
 */
function answerClientError(
  err: Error & { code?: string },
  socket: Duplex,
  responding: WeakMap<Duplex, http.ServerResponse>,
  logger: Logger | undefined,
): void {
  if (err.code === 'ECONNRESET' || !socket.writable || responding.get(socket)?.headersSent) {
    socket.destroy();
    return;
  }
  const requestId = randomUUID();
  const { code, message } = clientErrorReply(err.code);
  const reply = failure(code, message, requestId);
  const body = Buffer.from(reply.body, 'utf8');
  const head = [
    `HTTP/1.1 ${reply.statusCode} ${http.STATUS_CODES[reply.statusCode] ?? 'Error'}`,
    ...Object.entries(reply.headers).map(([name, value]) => `${name}: ${value}`),
    `content-length: ${body.length}`,
    'connection: close',
  ].join('\r\n');
  // Only the parser's code is logged: the raw packet holds the request's headers (an API key, perhaps).
  logger?.info('request refused', {
    requestId,
    status: reply.statusCode,
    outcome: code,
    parseError: err.code,
  });
  const linger = setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS);
  linger.unref();
  socket.once('close', () => clearTimeout(linger));
  socket.end(Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), body]));
}

export async function startFcHttpRunner(options: FcHttpRunnerOptions): Promise<RunningServer> {
  const limit = options.maxBodyBytes ?? FC_SYNC_BODY_LIMIT;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  // The response in flight on each connection, so a parse error after it has begun does not write into it.
  const responding = new WeakMap<Duplex, http.ServerResponse>();
  const server = http.createServer(async (req, res) => {
    const requestId = randomUUID();
    responding.set(req.socket, res);
    res.once('close', () => {
      if (responding.get(req.socket) === res) responding.delete(req.socket);
    });
    try {
      const body = await readBody(req, limit, bodyTimeoutMs);
      if (body === 'timeout') {
        // The rest of the body is not read: answer and close the connection.
        res.setHeader('connection', 'close');
        send(
          res,
          failure('request_timeout', `the body did not arrive within ${bodyTimeoutMs} ms`, requestId),
        );
        res.once('finish', () => req.socket.destroySoon?.());
        return;
      }
      if (body === 'too_large') {
        send(res, failure('payload_too_large', `the request body is over ${limit} bytes`, requestId));
        return;
      }
      const event = toFcHttpEvent(req, body, requestId, Date.now());
      const context = { requestId, ...(options.context?.(requestId) ?? {}) };
      const reply = fcHttpReplySchema.parse(
        await options.handler(Buffer.from(JSON.stringify(event)), context),
      );
      send(res, reply);
    } catch (err) {
      // FC answers a crashed or malformed invocation with an error; so do we, without details.
      options.logger?.error('function invocation failed', { requestId, err });
      if (!res.headersSent) send(res, failure('function_error', 'the function failed', requestId));
      else res.destroy();
    }
  });
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) =>
    answerClientError(err, socket, responding, options.logger),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    connections: () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((err, count) => (err ? reject(err) : resolve(count))),
      ),
    close: () => closeGracefully(server, options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS),
  };
}
