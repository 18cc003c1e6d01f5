/**
 * `npm run emulator` (local/emulator/main.ts) as a child process: prints its URL and the generated key pair,
 * answers pop-core with that pair, and stops cleanly on Ctrl-C. Instant mode keeps the face engine unloaded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import RPCClient from '@alicloud/pop-core';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceParameters } from './helpers.ts';

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

function start(env: Record<string, string>) {
  child = spawn(process.execPath, ['--import', 'tsx', 'local/emulator/main.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      IDV_EMULATOR_PORT: '0',
      IDV_EMULATOR_FAULTS: '{"instant":true}',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = child;
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    const check = () => (/Press Ctrl-C to stop/.test(out) ? resolve(out) : undefined);
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => reject(new Error(`emulator exited (${code}) before it was ready:\n${out}`)));
  });
  return { proc, ready, exited, output: () => out };
}

describe('npm run emulator', () => {
  it('prints its URL and a generated key pair that pop-core can use, and stops on SIGINT', async () => {
    const run = start({});
    const banner = await run.ready;
    const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1];
    const accessKeyId = /AccessKeyId:\s+(\S+)/.exec(banner)?.[1];
    const accessKeySecret = /AccessKeySecret:\s+(\S+)\s+\(generated\)/.exec(banner)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(accessKeyId).toMatch(/^LTAIemu[0-9a-f]{16}$/);
    const pop = new RPCClient({
      endpoint: url!,
      apiVersion: '2019-05-21',
      accessKeyId: accessKeyId!,
      accessKeySecret: accessKeySecret!,
    });
    const reply = await pop.request<{ Code: number }>(
      'ExecuteRequest',
      { Service: 'intl_face_verify', ServiceParameters: serviceParameters() },
      { method: 'POST' },
    );
    expect(reply.Code).toBe(200);
    run.proc.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('Stopped.');
  });

  it('uses the configured key pair and never prints its secret', async () => {
    const run = start({
      IDV_EMULATOR_ACCESS_KEY_ID: 'LTAIconfigured',
      IDV_EMULATOR_ACCESS_KEY_SECRET: 'configured-secret-1',
    });
    const banner = await run.ready;
    expect(banner).toContain('LTAIconfigured');
    expect(banner).not.toContain('configured-secret-1');
    run.proc.kill('SIGTERM');
    const code = await run.exited;
    expect(code, run.output()).toBe(0);
  });

  it('with IDV_EMULATOR_QPS=5, answers 50 concurrent signed calls Throttling.User beyond the limit, not billed', async () => {
    const run = start({ IDV_EMULATOR_QPS: '5' });
    const banner = await run.ready;
    expect(banner).toMatch(/QPS limit:\s+5 per AccessKey and API/);
    const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1] as string;
    const pop = new RPCClient({
      endpoint: url,
      apiVersion: '2019-05-21',
      accessKeyId: /AccessKeyId:\s+(\S+)/.exec(banner)?.[1] as string,
      accessKeySecret: /AccessKeySecret:\s+(\S+)\s+\(generated\)/.exec(banner)?.[1] as string,
    });
    const codes = await Promise.all(
      Array.from({ length: 50 }, () =>
        pop
          .request<{ Code: number }>(
            'ExecuteRequest',
            { Service: 'intl_face_verify', ServiceParameters: serviceParameters() },
            { method: 'POST', timeout: 10_000 },
          )
          .then(
            (r) => String(r.Code),
            (err: { data?: { Code?: string } }) => String(err.data?.Code),
          ),
      ),
    );
    const throttled = codes.filter((c) => c === 'Throttling.User').length;
    const answered = codes.filter((c) => c === '200').length;
    expect(throttled + answered).toBe(50);
    expect(answered).toBeGreaterThanOrEqual(5);
    expect(throttled).toBeGreaterThan(0);
    const stats = (await (await fetch(`${url}/__emulator/stats`)).json()) as {
      qpsThrottled: number;
      byOutcome: Record<string, number>;
    };
    expect(stats.qpsThrottled).toBe(throttled);
    expect(stats.byOutcome).toMatchObject({ 'Throttling.User': throttled, instant: answered });
    run.proc.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('fails fast naming the variable when a setting is invalid', async () => {
    const run = start({ IDV_EMULATOR_PORT: 'not-a-port' });
    await expect(run.ready).rejects.toThrow(/invalid setting IDV_EMULATOR_PORT/);
    expect(await run.exited).not.toBe(0);
  });
});
