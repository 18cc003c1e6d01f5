/**
 * IDV_EMULATOR_QPS over real HTTP: signed calls beyond the limit get the gateway's `Throttling.User` (HTTP 400,
 * Alibaba's message), are never billed, and are counted in the stats. The emulator's clock is frozen here, so
 * the bucket does not refill during the burst and the counts are exact.
 */
import RPCClient from '@alicloud/pop-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, STATS_PATH, startEmulator } from '../../../local/emulator/server.ts';
import { EmulatorStatsSchema } from '../../../local/emulator/stats.ts';
import { createFakeEngine } from './fake-engine.ts';
import { serviceParameters, testKey } from './helpers.ts';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const frozen = {
  nowMs: (() => {
    const t = Date.now();
    return () => t;
  })(),
};

type Failure = {
  code?: string;
  data?: { Code?: string; Message?: string; RequestId?: string };
  entry?: { response?: { statusCode?: number } };
};

async function burst(url: string, key: ReturnType<typeof testKey>, n: number) {
  const pop = new RPCClient({ endpoint: url, apiVersion: '2019-05-21', ...key });
  return Promise.all(
    Array.from({ length: n }, () =>
      pop
        .request<{ Code: number }>(
          'ExecuteRequest',
          { Service: 'intl_face_verify', ServiceParameters: serviceParameters() },
          { method: 'POST', timeout: 10_000 },
        )
        .then(
          (reply) => ({ ok: true as const, reply }),
          (err: Failure) => ({ ok: false as const, err }),
        ),
    ),
  );
}

describe('the emulator QPS limit', () => {
  it('answers Throttling.User beyond the limit, bills none of them and counts them in the stats', async () => {
    const key = testKey();
    const engine = createFakeEngine();
    emulator = await startEmulator({ engine, keys: [key], qps: 5, clock: frozen });
    const results = await burst(emulator.url, key, 50);
    const passed = results.filter((r) => r.ok);
    const refused = results.filter((r) => !r.ok);
    expect(passed).toHaveLength(5);
    expect(refused).toHaveLength(45);
    for (const r of refused) {
      if (r.ok) continue;
      expect(r.err.entry?.response?.statusCode).toBe(400);
      expect(r.err.data).toMatchObject({
        Code: 'Throttling.User',
        Message: 'Request was denied due to user flow control.',
      });
      expect(r.err.data?.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    }
    expect(engine.calls).toHaveLength(5);
    const stats = EmulatorStatsSchema.parse(await (await fetch(`${emulator.url}${STATS_PATH}`)).json());
    expect(stats).toMatchObject({ requests: 50, engineCalls: 5, qpsThrottled: 45 });
    expect(stats.byKey[key.accessKeyId]).toMatchObject({ 'Throttling.User': 45, passed: 5 });
  });

  it('limits each access key on its own', async () => {
    const [a, b] = [testKey(), testKey()];
    emulator = await startEmulator({
      engine: undefined,
      keys: [a, b],
      qps: 2,
      clock: frozen,
      faults: { instant: true },
    });
    const [ra, rb] = await Promise.all([burst(emulator.url, a, 6), burst(emulator.url, b, 6)]);
    expect(ra.filter((r) => r.ok)).toHaveLength(2);
    expect(rb.filter((r) => r.ok)).toHaveLength(2);
    expect(emulator.stats().qpsThrottled).toBe(8);
  });

  it('refuses nothing when no limit is set', async () => {
    const key = testKey();
    emulator = await startEmulator({
      engine: undefined,
      keys: [key],
      clock: frozen,
      faults: { instant: true },
    });
    const results = await burst(emulator.url, key, 30);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(emulator.stats().qpsThrottled).toBe(0);
  });
});
