import { describe, expect, it } from 'vitest';
import { ConfigError, loadRerunConfig } from '../../../shared/config.ts';

describe('loadRerunConfig', () => {
  it('has defaults for everything', () => {
    expect(loadRerunConfig({})).toMatchObject({
      concurrency: 4,
      marginMs: 30_000,
      mode: 'inline',
      intervalMs: 60_000,
    });
  });

  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['90000', 90_000],
    ['1500ms', 1_500],
  ])('reads IDV_RERUN_INTERVAL=%s', (text, ms) => {
    expect(loadRerunConfig({ IDV_RERUN_INTERVAL: text }).intervalMs).toBe(ms);
  });

  it.each([
    [{ IDV_RERUN_INTERVAL: 'soon' }, 'IDV_RERUN_INTERVAL'],
    [{ IDV_RERUN_INTERVAL: '10ms' }, 'IDV_RERUN_INTERVAL'],
    [{ IDV_RERUN_CONCURRENCY: '0' }, 'IDV_RERUN_CONCURRENCY'],
    [{ IDV_RERUN_MODE: 'parallel' }, 'IDV_RERUN_MODE'],
    [{ IDV_RERUN_MODE: 'fanout' }, 'IDV_FANOUT_FUNCTION'],
    [{ IDV_RERUN_MODE: 'fanout', IDV_FANOUT_FUNCTION: 'bad name!' }, 'IDV_FANOUT_FUNCTION'],
  ])('refuses %j, naming %s', (env, variable) => {
    expect(() => loadRerunConfig(env)).toThrow(ConfigError);
    expect(() => loadRerunConfig(env)).toThrow(variable);
  });

  it('reads the fan-out target', () => {
    expect(
      loadRerunConfig({
        IDV_RERUN_MODE: 'fanout',
        IDV_FANOUT_FUNCTION: 'idv-verify-oss',
        IDV_FANOUT_QUALIFIER: 'prod',
        FC_ACCOUNT_ID: '1234567890',
      }),
    ).toMatchObject({
      mode: 'fanout',
      fanout: { functionName: 'idv-verify-oss', qualifier: 'prod', accountId: '1234567890' },
    });
  });
});
