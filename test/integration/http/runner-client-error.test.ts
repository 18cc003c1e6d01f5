/**
 * HTTP that Node's parser refuses before there is a request (oversized headers, a malformed request line or
 * header, a broken chunk) gets the project's JSON error and an x-request-id from the runner, over real HTTP on
 * loopback, and the connection is ended, not left open.
 */
import { request } from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, startFcHttpRunner } from '../../../local/runner/fc-http.ts';
import { allErrorCodes } from '../../../shared/http/openapi.ts';
import { createLogger } from '../../../shared/log.ts';

const servers: RunningServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function start(lines: string[] = []) {
  let invocations = 0;
  const server = await startFcHttpRunner({
    handler: async () => {
      invocations += 1;
      return { statusCode: 200, headers: {}, body: '{"status":"ok"}', isBase64Encoded: false };
    },
    logger: createLogger({ write: (l) => lines.push(l) }),
  });
  servers.push(server);
  return { server, invocations: () => invocations };
}

interface RawReply {
  status: number;
  headers: Map<string, string>;
  body: string;
  /** The server ended the connection (FIN) on its own. */
  serverEnded: boolean;
}

/** Writes `data` as is and reads until the server ends the connection (the client never ends it first). */
function rawExchange(server: RunningServer, data: string): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1');
    let text = '';
    let serverEnded = false;
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      text += d;
    });
    socket.on('end', () => {
      serverEnded = true;
      socket.end();
    });
    socket.on('close', () => {
      const split = text.indexOf('\r\n\r\n');
      const [statusLine = '', ...headerLines] = text.slice(0, split).split('\r\n');
      const headers = new Map(
        headerLines.map((l) => [
          l.slice(0, l.indexOf(':')).toLowerCase(),
          l.slice(l.indexOf(':') + 1).trim(),
        ]),
      );
      resolve({
        status: Number(statusLine.split(' ')[1]),
        headers,
        body: text.slice(split + 4),
        serverEnded,
      });
    });
    socket.on('error', reject);
    socket.write(data);
  });
}

function expectJsonError(reply: RawReply, status: number, code: string) {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(reply.headers.get('connection')).toBe('close');
  expect(Number(reply.headers.get('content-length'))).toBe(Buffer.byteLength(reply.body));
  const body = JSON.parse(reply.body);
  const requestId = reply.headers.get('x-request-id');
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(body).toEqual({ error: { code, message: expect.any(String) }, requestId });
  expect(allErrorCodes()).toContain(code);
  expect(reply.serverEnded).toBe(true);
}

const LONG = 'a'.repeat(20_000);

describe('FC HTTP runner: requests the HTTP parser refuses', () => {
  it('answers oversized headers with 431 headers_too_large, a JSON body and x-request-id', async () => {
    const lines: string[] = [];
    const { server, invocations } = await start(lines);
    const reply = await rawExchange(
      server,
      `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: ${LONG}\r\n\r\n`,
    );
    expectJsonError(reply, 431, 'headers_too_large');
    expect(invocations()).toBe(0);
    // One refusal line with the request id; never the request's headers.
    const refused = lines.filter((l) => l.includes('request refused'));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toContain(reply.headers.get('x-request-id'));
    expect(refused[0]).toContain('"status":431');
    expect(lines.join('\n')).not.toContain('aaaaaaaaaa');
  });

  it('answers an HTTP client (node:http, as curl) sending oversized headers with the JSON 431', async () => {
    const { server } = await start();
    const reply = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
      (resolve, reject) => {
        const req = request(`${server.url}/healthz`, { headers: { 'x-long': LONG } }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            body += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      },
    );
    expect(reply.status).toBe(431);
    expect(JSON.parse(reply.body)).toMatchObject({
      error: { code: 'headers_too_large' },
      requestId: reply.headers['x-request-id'],
    });
  });

  it.each([
    ['a header line without a colon', 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n'],
    ['a malformed request line', 'GET\r\n\r\n'],
    ['a request that is not HTTP', 'HELLO THERE\r\n\r\n'],
    [
      'a broken chunk size',
      'POST /verify HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n',
    ],
  ])('answers %s with 400 bad_request, a JSON body and x-request-id', async (_what, data) => {
    const { server } = await start();
    expectJsonError(await rawExchange(server, data), 400, 'bad_request');
  });

  it('keeps serving after refusing a connection', async () => {
    const { server, invocations } = await start();
    await rawExchange(server, `GET /healthz HTTP/1.1\r\nX-Long: ${LONG}\r\n\r\n`);
    const ok = await rawExchange(
      server,
      'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    expect(ok.status).toBe(200);
    expect(invocations()).toBe(1);
  });

  it('closes a refused connection whose client reads the reply but never closes its side', async () => {
    const { server } = await start();
    // allowHalfOpen: the client does not answer the server's FIN with its own, and sends nothing more.
    const socket = net.connect({ port: server.port, host: '127.0.0.1', allowHalfOpen: true });
    socket.on('error', () => {});
    socket.resume();
    const ended = new Promise<void>((resolve) => socket.once('end', resolve));
    socket.write(`GET /healthz HTTP/1.1\r\nX-Long: ${LONG}\r\n\r\n`);
    await ended;
    try {
      expect(await server.connections()).toBe(1);
      // The runner waits a short linger (2 s) for the client to close, then closes the connection itself.
      const t0 = Date.now();
      while ((await server.connections()) > 0 && Date.now() - t0 < 5_000)
        await new Promise((r) => setTimeout(r, 100));
      expect(await server.connections()).toBe(0);
    } finally {
      socket.destroy();
    }
  });

  it('closes a refused connection as soon as the client closes its side', async () => {
    const { server } = await start();
    await rawExchange(server, `GET /healthz HTTP/1.1\r\nX-Long: ${LONG}\r\n\r\n`);
    const t0 = Date.now();
    while ((await server.connections()) > 0 && Date.now() - t0 < 1_000)
      await new Promise((r) => setTimeout(r, 20));
    expect(await server.connections()).toBe(0);
    expect(Date.now() - t0).toBeLessThan(1_000);
  });
});
