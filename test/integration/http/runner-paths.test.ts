/** The runner takes request targets as paths, times out trickled bodies, and answers HEAD like GET. */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, splitTarget, startFcHttpRunner } from '../../../local/runner/fc-http.ts';
import { sha256HexOf } from '../../../shared/config.ts';
import { createFcHttpHandler } from '../../../shared/fc/http-adapter.ts';
import { createHttpApp } from '../../../shared/http/app.ts';
import { silentLogger } from '../../../shared/log.ts';
import { fakeIdv } from '../../helpers/http-events.ts';

const servers: RunningServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const HOME = '<html>demo page</html>';

async function start(bodyTimeoutMs?: number) {
  const clock = { nowMs: () => Date.now() };
  const app = createHttpApp({
    idv: fakeIdv(),
    clock,
    logger: silentLogger,
    apiKeyHashes: [sha256HexOf('test-key-0123456789abcdef')],
    maxPhotoBytes: 1024 * 1024,
    maxPhotoPixels: 50_000_000,
    defaultResourceCode: '12345678',
    homePage: HOME,
  });
  const handler = createFcHttpHandler({
    app,
    clock,
    fallbackCredentials: { accessKeyId: 'id', accessKeySecret: 'secret' },
    requestBudgetMs: 20_000,
  });
  const server = await startFcHttpRunner({ handler, ...(bodyTimeoutMs ? { bodyTimeoutMs } : {}) });
  servers.push(server);
  return server;
}

/** Sends `head` (request line and headers) as written, then `body` parts; resolves with the raw response. */
function rawExchange(server: RunningServer, head: string, bodyParts: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1');
    let text = '';
    socket.on('data', (d) => {
      text += d.toString('latin1');
    });
    socket.on('end', () => resolve(text));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    socket.write(`${head}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    for (const part of bodyParts) socket.write(part);
  });
}

const statusOf = (response: string) => Number(response.split(' ')[1]);
const bodyOf = (response: string) => response.slice(response.indexOf('\r\n\r\n') + 4);

describe('FC HTTP runner paths', () => {
  it('splits targets without reading a host from //x or normalising dot segments', () => {
    expect(splitTarget('//verify').rawPath).toBe('//verify');
    expect(splitTarget('/%2e%2e/').rawPath).toBe('/%2e%2e/');
    expect(splitTarget('/a?x=1&x=2').query.getAll('x')).toEqual(['1', '2']);
    expect(splitTarget('http://h:1/healthz?y=1').rawPath).toBe('/healthz');
    expect(splitTarget('?q').rawPath).toBe('/');
  });

  it('answers POST //verify with 404, never as a request to a host named verify', async () => {
    const server = await start();
    const response = await rawExchange(server, 'POST //verify HTTP/1.1\r\nContent-Length: 0');
    expect(statusOf(response)).toBe(404);
    expect(JSON.parse(bodyOf(response)).error.code).toBe('not_found');
  });

  it('does not serve the demo page for GET //healthz or /%2e%2e/', async () => {
    const server = await start();
    for (const target of ['//healthz', '/%2e%2e/', '/..%2f', '//']) {
      const response = await rawExchange(server, `GET ${target} HTTP/1.1`);
      expect(statusOf(response), target).toBe(404);
      expect(response).not.toContain('demo page');
    }
  });

  it('answers HEAD /healthz with 200 and no body', async () => {
    const server = await start();
    const response = await rawExchange(server, 'HEAD /healthz HTTP/1.1');
    expect(statusOf(response)).toBe(200);
    expect(bodyOf(response)).toBe('');
  });

  it('names HEAD beside GET in the Allow header of a 405', async () => {
    const server = await start();
    const response = await rawExchange(server, 'DELETE /healthz HTTP/1.1');
    expect(statusOf(response)).toBe(405);
    expect(response.toLowerCase()).toMatch(/allow: get, head/);
  });

  it('answers 408 when the body does not arrive within the body timeout', async () => {
    const server = await start(300);
    // Announces 100 bytes, sends 10, then stalls: the runner answers 408 and closes the connection.
    const response = await rawExchange(
      server,
      'POST /verify HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 100',
      ['{"refFace"'],
    );
    expect(statusOf(response)).toBe(408);
    expect(JSON.parse(bodyOf(response)).error.code).toBe('request_timeout');
  });
});
