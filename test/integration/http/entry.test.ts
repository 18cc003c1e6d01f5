/**
 * The deployed entry point, functions/verify-http/index.ts, loaded in a fresh process as FC loads it: the
 * environment is validated at cold start (a bad variable fails the instance, naming it) and the exported
 * handler answers an FC event Buffer.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sha256HexOf } from '../../../shared/config.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = `
const { handler } = await import('./functions/verify-http/index.ts');
const event = Buffer.from(JSON.stringify({ rawPath: '/healthz', headers: {}, body: '', isBase64Encoded: false,
  requestContext: { requestId: 'cold-1', http: { method: 'GET', path: '/healthz' } } }));
const reply = await handler(event, { requestId: 'cold-1', function: { timeout: 30 } });
process.stdout.write('REPLY ' + JSON.stringify(reply) + '\\n');
`;

function coldStart(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('functions/verify-http/index.ts', () => {
  it('answers an FC event after a cold start with a valid environment', () => {
    const run = coldStart({ IDV_API_KEYS: sha256HexOf('some-api-key-0123456789') });
    expect(run.status).toBe(0);
    const line = run.stdout.split('\n').find((l) => l.startsWith('REPLY '));
    const reply = JSON.parse(line!.slice(6));
    expect(reply).toMatchObject({
      statusCode: 200,
      isBase64Encoded: false,
      headers: { 'x-request-id': 'cold-1' },
    });
    expect(JSON.parse(reply.body)).toEqual({ status: 'ok' });
  });

  it('fails the cold start naming the variable when no API key is configured', () => {
    const run = coldStart({});
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('IDV_API_KEYS');
  });

  it('fails the cold start naming the variable, without echoing it, when IDV_ENDPOINT is not a URL', () => {
    const run = coldStart({ IDV_API_KEY: 'local-key-0123456789', IDV_ENDPOINT: 'not a url at all' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('IDV_ENDPOINT');
    expect(run.stderr).not.toContain('not a url at all');
  });
});
