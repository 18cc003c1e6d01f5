import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envSections, renderEnvExample } from '../../../scripts/env/example.ts';
import * as config from '../../../shared/config.ts';
import { ENV_DOCS } from '../../../shared/config-docs.ts';

const committed = () => readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');

describe('.env.example', () => {
  it('is what npm run env:example generates from shared/config.ts (run it after changing a variable)', () => {
    expect(committed()).toBe(renderEnvExample());
  });

  it('lists every variable of every *EnvSchema in config.ts, each with a line of meaning', () => {
    const listed = new Set(envSections().flatMap((s) => s.variables));
    for (const [name, schema] of Object.entries(config)) {
      if (!name.endsWith('EnvSchema')) continue;
      for (const v of Object.keys((schema as { shape: object }).shape)) {
        expect(listed.has(v), v).toBe(true);
        expect(committed()).toMatch(new RegExp(`^# .+\\n${v}=`, 'm'));
      }
    }
  });

  it('shows the same defaults as the loaders when the environment is empty', () => {
    const bucket = config.loadBucketConfig({});
    const http = config.loadHttpConfig({ IDV_API_KEY: 'x'.repeat(16) });
    const rerun = config.loadRerunConfig({});
    const local = config.loadLocalConfig({});
    const expected: Record<string, string> = {
      IDV_TIMEOUT_MS: String(config.loadIdvConfig({}).timeoutMs),
      IDV_MAX_PHOTO_BYTES: String(http.maxPhotoBytes),
      IDV_MAX_PHOTO_PIXELS: String(http.maxPhotoPixels),
      IDV_REQUEST_BUDGET_MS: String(http.requestBudgetMs),
      IDV_PREFIX: bucket.settings.prefix,
      IDV_BUCKET_DIR: bucket.store.dir,
      IDV_CLAIM_LEASE_MS: String(bucket.settings.leaseMs),
      IDV_RETRY_BASE_MS: String(bucket.settings.retryBaseMs),
      IDV_RETRY_MAX_MS: String(bucket.settings.retryMaxMs),
      IDV_MAX_ATTEMPTS: String(bucket.settings.maxAttempts),
      IDV_RERUN_CONCURRENCY: String(rerun.concurrency),
      IDV_RERUN_MARGIN_MS: String(rerun.marginMs),
      IDV_RERUN_MODE: rerun.mode,
      PORT: String(local.port),
      HOST: local.host,
      LOG_LEVEL: config.loadLogConfig({}).level,
    };
    for (const [v, value] of Object.entries(expected)) expect(ENV_DOCS[v]?.default, v).toBe(value);
  });

  it('is accepted by every loader as it stands (its defaults are valid values)', () => {
    const env = Object.fromEntries(
      committed()
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(() => config.loadBucketConfig(env)).not.toThrow();
    expect(() => config.loadRerunConfig(env)).not.toThrow();
    expect(() => config.loadLocalConfig(env)).not.toThrow();
    expect(() => config.loadIdvConfig(env)).not.toThrow();
  });
});
