/** Loopback helpers for the emulator tests: a test key pair, a recording/tampering proxy, raw resends. */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as OpenApi from '@alicloud/openapi-client';
import * as TeaUtil from '@alicloud/tea-util';

export const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** A key pair generated for this test run (never a real credential). */
export function testKey(extra: Record<string, unknown> = {}) {
  return {
    accessKeyId: `LTAItest${randomBytes(6).toString('hex')}`,
    accessKeySecret: randomBytes(18).toString('base64url'),
    ...extra,
  };
}

export const serviceParameters = (ref = 'alice-1', auth = 'alice-2', resourceCode = '00840000') =>
  JSON.stringify({ refFaceContent: b64(ref), authFaceContent: b64(auth), resourceCode });

export interface Captured {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RawReply {
  status: number;
  json: Record<string, unknown>;
}

export interface Proxy {
  url: string;
  captured: Captured[];
  close(): Promise<void>;
}

/** Forwards every request to `target`, recording it and letting `tamper` change it on the way. */
export async function startProxy(target: string, tamper?: (req: Captured) => Captured): Promise<Proxy> {
  const captured: Captured[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const original: Captured = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: { ...req.headers },
      body: Buffer.concat(chunks),
    };
    captured.push(original);
    const copy = { ...original, headers: { ...original.headers }, body: Buffer.from(original.body) };
    const sent = tamper ? tamper(copy) : original;
    const reply = await send(target, sent);
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reply.json));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    captured,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** Sends a captured request as it is (same method, path, headers, body) to `target`. */
export function send(target: string, req: Captured): Promise<RawReply> {
  const url = new URL(req.url, target);
  // Sent with a length whatever the client used (openapi-client streams its body chunked).
  const { 'transfer-encoding': _chunked, ...rest } = req.headers;
  const headers = { ...rest, 'content-length': String(req.body.length) };
  return new Promise((resolve, reject) => {
    const out = http.request(url, { method: req.method, headers, agent: false }, async (res) => {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
    });
    out.on('error', reject);
    out.end(req.body);
  });
}

/** Replaces one form/query parameter's value in a urlencoded string. */
export function replaceParam(encoded: string, name: string, value: string): string {
  const params = new URLSearchParams(encoded);
  params.set(name, value);
  return params.toString().replace(/\+/g, '%20');
}

// openapi-client and tea-util are CommonJS with `exports.default = Client`.
const oa = OpenApi as unknown as {
  default: new (config: unknown) => OpenApiClient;
  Config: new (c: unknown) => unknown;
  Params: new (p: unknown) => unknown;
  OpenApiRequest: new (r: unknown) => unknown;
};
const tu = TeaUtil as unknown as { RuntimeOptions: new (o: unknown) => unknown };

interface OpenApiClient {
  doRPCRequest(...args: unknown[]): Promise<{ body: Record<string, unknown>; statusCode: number }>;
  callApi(...args: unknown[]): Promise<{ body: Record<string, unknown>; statusCode: number }>;
}

export interface OpenApiCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export function openApiClient(url: string, credentials: OpenApiCredentials) {
  const client = new oa.default(
    new oa.Config({ ...credentials, endpoint: url.replace(/^http:\/\//, ''), protocol: 'HTTP' }),
  );
  const runtime = () => new tu.RuntimeOptions({ autoretry: false, readTimeout: 10_000 });
  return {
    /** Signature v1, parameters in a form body (method POST) or the query (GET). */
    rpc: (params: Record<string, string>, method: 'POST' | 'GET' = 'POST') =>
      client.doRPCRequest(
        'ExecuteRequest',
        '2019-05-21',
        'HTTP',
        method,
        'AK',
        'json',
        new oa.OpenApiRequest(method === 'POST' ? { body: params } : { query: params }),
        runtime(),
      ),
    /** V3 (ACS3-HMAC-SHA256), parameters in the query (as the saf SDK sends them) or a form body. */
    v3: (
      params: Record<string, string>,
      where: 'query' | 'body' = 'query',
      method: 'POST' | 'GET' = 'POST',
    ) =>
      client.callApi(
        new oa.Params({
          action: 'ExecuteRequest',
          version: '2019-05-21',
          protocol: 'HTTP',
          pathname: '/',
          method,
          authType: 'AK',
          style: 'RPC',
          reqBodyType: 'formData',
          bodyType: 'json',
        }),
        new oa.OpenApiRequest({ [where]: params }),
        runtime(),
      ),
  };
}

/** Error codes and bodies thrown by openapi-client / pop-core, for assertions. */
export async function rejection(
  promise: Promise<unknown>,
): Promise<{ code?: string; data?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    return err as { code?: string; data?: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}
