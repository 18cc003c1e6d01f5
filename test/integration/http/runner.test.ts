/** The FC-style runner on loopback: real HTTP in, the FC 3.0 event the handler sees, the reply written back. */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type FcHttpHandler, type RunningServer, startFcHttpRunner } from '../../../local/runner/fc-http.ts';
import { type FcHttpEvent, fcHttpEventSchema } from '../../../shared/fc/http-event.ts';

const servers: RunningServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** Starts a runner whose handler records the event and context, answering with `reply`. */
async function recording(
  reply: Awaited<ReturnType<FcHttpHandler>> | Error,
  options: { maxBodyBytes?: number } = {},
) {
  const seen: { event?: FcHttpEvent; context?: Record<string, unknown> } = {};
  const server = await startFcHttpRunner({
    handler: async (event, context) => {
      seen.event = fcHttpEventSchema.parse(JSON.parse(event.toString('utf8')));
      seen.context = context as Record<string, unknown>;
      if (reply instanceof Error) throw reply;
      return reply;
    },
    context: () => ({ function: { timeout: 30 } }),
    ...options,
  });
  servers.push(server);
  return { server, seen };
}

const ok = {
  statusCode: 201,
  headers: { 'x-test': 'yes', 'content-type': 'text/plain' },
  body: 'created',
  isBase64Encoded: false,
};

/** Raw request, so repeated headers can be sent. */
function raw(
  url: string,
  path: string,
  headers: Record<string, string | string[]>,
  body?: Buffer,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: body ? 'POST' : 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('FC HTTP runner', () => {
  it('builds the FC event: decoded path, encoded rawPath, joined repeated query values and headers', async () => {
    const { server, seen } = await recording(ok);
    const res = await raw(server.url, '/a%20b?x=1&x=2&y=z', { 'X-Multi': ['one', 'two'] });
    expect(res.status).toBe(201);
    expect(res.headers['x-test']).toBe('yes');
    expect(res.body.toString()).toBe('created');
    expect(seen.event).toMatchObject({
      rawPath: '/a%20b',
      queryParameters: { x: '1,2', y: 'z' },
      isBase64Encoded: false,
      requestContext: { http: { method: 'GET', path: '/a b' } },
    });
    expect(seen.event!.headers['x-multi']).toBe('one,two');
    expect(seen.context).toMatchObject({
      requestId: seen.event!.requestContext.requestId,
      function: { timeout: 30 },
    });
  });

  it('base64-encodes a binary body and passes a JSON body as text', async () => {
    const { server, seen } = await recording(ok);
    const bytes = Buffer.from([0xff, 0xd8, 0x00, 0x01]);
    await raw(server.url, '/bin', { 'content-type': 'application/octet-stream' }, bytes);
    expect(seen.event).toMatchObject({ isBase64Encoded: true, body: bytes.toString('base64') });
    await raw(server.url, '/json', { 'content-type': 'application/json' }, Buffer.from('{"a":1}'));
    expect(seen.event).toMatchObject({ isBase64Encoded: false, body: '{"a":1}' });
  });

  it('writes a base64 reply body as bytes', async () => {
    const { server } = await recording({
      statusCode: 200,
      headers: {},
      body: Buffer.from([1, 2, 3]).toString('base64'),
      isBase64Encoded: true,
    });
    const res = await raw(server.url, '/', {});
    expect([...res.body]).toEqual([1, 2, 3]);
  });

  it('answers 413 without calling the handler when the body is over the limit', async () => {
    const { server, seen } = await recording(ok, { maxBodyBytes: 1000 });
    const res = await raw(
      server.url,
      '/big',
      { 'content-type': 'application/json' },
      Buffer.alloc(5000, 0x20),
    );
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString()).error.code).toBe('payload_too_large');
    expect(seen.event).toBeUndefined();
  });

  it('answers 502 function_error without details when the handler throws', async () => {
    const { server } = await recording(new Error('secret detail'));
    const res = await raw(server.url, '/', {});
    expect(res.status).toBe(502);
    expect(res.body.toString()).not.toContain('secret detail');
    expect(res.headers['x-request-id']).toBeDefined();
  });

  it('stops accepting connections when closed', async () => {
    const server = await startFcHttpRunner({ handler: async () => ok });
    await server.close();
    await expect(fetch(`${server.url}/`)).rejects.toThrow();
  });

  it('lets a request in progress finish before close() resolves (its upstream call may be paid)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let entered!: () => void;
    const started = new Promise<void>((r) => {
      entered = r;
    });
    const server = await startFcHttpRunner({
      handler: async () => {
        entered();
        await gate;
        return ok;
      },
    });
    // fetch keeps its connection alive, as curl does.
    const reply = fetch(`${server.url}/verify`, { method: 'POST', body: 'x' });
    await started;
    let closed = false;
    const closing = server.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(false);
    release();
    const res = await reply;
    expect(res.status).toBe(ok.statusCode);
    expect(await res.text()).toBe(ok.body);
    await closing;
    expect(closed).toBe(true);
    await expect(fetch(`${server.url}/`)).rejects.toThrow();
  });

  it('cuts a request still in progress once the drain time is over', async () => {
    const server = await startFcHttpRunner({
      handler: () => new Promise<never>(() => {}),
      drainTimeoutMs: 200,
    });
    const reply = fetch(`${server.url}/`).then(
      () => 'answered',
      () => 'cut',
    );
    await new Promise((r) => setTimeout(r, 50));
    await server.close();
    expect(await reply).toBe('cut');
  });
});
