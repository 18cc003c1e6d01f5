import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../scripts/build.ts';
import { FUNCTIONS, HANDLER } from '../../../scripts/deploy/functions.ts';
import { resolveSYaml, resolveVars, SYamlError } from '../../../scripts/deploy/s-yaml.ts';
import {
  backlogSecondsFor,
  DEFAULT_UPSTREAM_P50_MS,
  DEFAULT_UPSTREAM_QPS,
  MAX_EVENT_AGE_S,
  reservedConcurrencyFor,
} from '../../../scripts/deploy/sizing.ts';
import { claimKey, doneKey, paidKey, sentKey } from '../../../shared/cases/layout.ts';
import {
  bucketEnvSchema,
  httpEnvSchema,
  idvEnvSchema,
  loadBucketConfig,
  loadHttpConfig,
  loadIdvConfig,
  loadLogConfig,
  loadRerunConfig,
  logEnvSchema,
  rerunEnvSchema,
} from '../../../shared/config.ts';
import { rerunPayloadSchema } from '../../../shared/rerun/schemas.ts';

const text = readFileSync(join(REPO_ROOT, 's.yaml'), 'utf8');
const ctx = {
  env: { IDV_BUCKET: 'idv-cases-demo', IDV_API_KEYS: `${'a'.repeat(64)},${'b'.repeat(64)}` },
  config: { AccountID: '1234567890123456' },
};
const doc = resolveSYaml(text, ctx);
const props = (name: string) => {
  const r = doc.resources[name];
  if (!r) throw new Error(`no resource ${name}`);
  return r.props;
};

describe('s.yaml', () => {
  it('declares exactly the three functions, each with code ./dist/<name> and the bundle handler', () => {
    expect(Object.keys(doc.resources).sort()).toEqual(FUNCTIONS.map((f) => f.name).sort());
    for (const f of FUNCTIONS) {
      expect(props(f.name).code).toBe(`./dist/${f.name}`);
      expect(props(f.name).handler).toBe(HANDLER);
      expect(props(f.name).runtime).toBe('nodejs20');
    }
  });

  it('names the access alias literally (s resolves no expression there before config() needs it)', () => {
    expect(doc.access).toBe('default');
  });

  it('runs the build before deploying', () => {
    expect(doc.actions?.['pre-deploy']).toEqual([{ run: 'npm run build', path: './' }]);
  });

  it('exposes the HTTP function anonymously at the gateway for POST and GET (the function checks API keys)', () => {
    const [trigger] = props('verify-http').triggers ?? [];
    expect(trigger).toMatchObject({
      triggerType: 'http',
      triggerConfig: { authType: 'anonymous', methods: ['POST', 'GET'] },
    });
  });

  it('filters OSS events on the input names so that nothing the function writes can re-trigger it', () => {
    const triggers = (props('verify-oss').triggers ?? []).filter((t) => t.triggerType === 'oss');
    expect(triggers).toHaveLength(3);
    const written = [
      'cases/c1/result.json',
      claimKey({ prefix: 'cases', caseId: 'c1' }, 'a'.repeat(64), 1),
      paidKey({ prefix: 'cases', caseId: 'c1' }, 'a'.repeat(64), 1),
      doneKey({ prefix: 'cases', caseId: 'c1' }, 'a'.repeat(64), 1),
      sentKey({ prefix: 'cases', caseId: 'c1' }, 'a'.repeat(64), 1, 1),
    ];
    const photos = ['cases/c1/ref.jpg', 'cases/c1/auth.jpg', 'cases/c1/case.json'];
    const fires = (key: string) =>
      triggers.some(
        (t) =>
          t.triggerType === 'oss' &&
          key.startsWith(t.triggerConfig.filter.key.prefix) &&
          key.endsWith(t.triggerConfig.filter.key.suffix),
      );
    for (const key of written) expect(fires(key), key).toBe(false);
    for (const key of photos) expect(fires(key), key).toBe(true);
    for (const t of triggers) {
      if (t.triggerType !== 'oss') continue;
      expect(t.triggerConfig.events.sort()).toEqual([
        'oss:ObjectCreated:CompleteMultipartUpload',
        'oss:ObjectCreated:PostObject',
        'oss:ObjectCreated:PutObject',
      ]);
      expect(t.sourceArn).toBe('acs:oss:ap-southeast-1:1234567890123456:idv-cases-demo');
    }
  });

  it('gives the OSS function async retries and an onFailure destination', () => {
    const cfg = props('verify-oss').asyncInvokeConfig;
    expect(cfg?.maxAsyncRetryAttempts).toBeGreaterThan(0);
    expect(cfg?.destinationConfig?.onFailure?.destination).toBe(
      'acs:mns:ap-southeast-1:1234567890123456:/queues/fc-idv-failures/messages',
    );
  });

  it('caps verify-oss at the reserved concurrency of the sizing formula for the documented upstream', () => {
    const reserved = props('verify-oss').concurrencyConfig?.reservedConcurrency;
    expect(reserved).toBe(reservedConcurrencyFor(DEFAULT_UPSTREAM_QPS, DEFAULT_UPSTREAM_P50_MS));
    expect(reserved).toBe(10); // ceil(10 QPS x 0.8 s) + 2
  });

  it('takes the reserved concurrency and the event age from the environment as numbers', () => {
    const other = resolveSYaml(text, {
      ...ctx,
      env: { ...ctx.env, IDV_RESERVED_CONCURRENCY: '12', IDV_MAX_EVENT_AGE_S: '15000' },
    });
    const oss = other.resources['verify-oss']!.props;
    expect(oss.concurrencyConfig?.reservedConcurrency).toBe(12);
    expect(oss.asyncInvokeConfig?.maxAsyncEventAgeInSeconds).toBe(15_000);
  });

  it("keeps a backlog of 100,000 pairs at the documented QPS in FC's queue long enough to drain", () => {
    const age = props('verify-oss').asyncInvokeConfig?.maxAsyncEventAgeInSeconds ?? 0;
    expect(age).toBeGreaterThanOrEqual(backlogSecondsFor(100_000, DEFAULT_UPSTREAM_QPS));
    expect(age).toBeLessThanOrEqual(MAX_EVENT_AGE_S);
  });

  it("sends the rerun's fan-out to the function that carries the reserved concurrency", () => {
    const fanout = resolveSYaml(text, { ...ctx, env: { ...ctx.env, IDV_RERUN_MODE: 'fanout' } });
    const target = fanout.resources['rerun-batch']?.props.environmentVariables?.IDV_FANOUT_FUNCTION;
    const capped = Object.values(fanout.resources).filter((r) => r.props.concurrencyConfig);
    expect(capped.map((r) => r.props.functionName)).toEqual([target]);
  });

  it('documents provisionConfig for the HTTP door without provisioning (and billing) idle instances', () => {
    expect(props('verify-http').provisionConfig).toBeUndefined();
    expect(text).toMatch(/# provisionConfig:\n\s+# {3}defaultTarget: \d+/);
  });

  it('schedules the rerun with a 6-field cron and a JSON payload', () => {
    const [trigger] = props('rerun-batch').triggers ?? [];
    if (trigger?.triggerType !== 'timer') throw new Error('rerun-batch has no timer trigger');
    expect(trigger.triggerConfig.cronExpression.split(' ')).toHaveLength(6);
    expect(trigger.triggerConfig.enable).toBe(true);
    expect(rerunPayloadSchema.safeParse(JSON.parse(trigger.triggerConfig.payload ?? '')).success).toBe(true);
  });

  it('holds no secret: no access key variables, and API keys only as SHA-256 hashes', () => {
    expect(text).not.toMatch(/ACCESS_KEY|SECRET|SECURITY_TOKEN|LTAI[0-9A-Za-z]{8,}/);
    for (const f of FUNCTIONS) {
      for (const [name, value] of Object.entries(props(f.name).environmentVariables ?? {})) {
        expect(name).not.toMatch(/SECRET|PASSWORD|TOKEN/);
        if (name === 'IDV_API_KEYS') expect(value).toMatch(/^[0-9a-f]{64}(,[0-9a-f]{64})*$/);
      }
    }
  });

  it('switches every function to Cloudauth-intl FaceCompare with IDV_API, on the VPC endpoint inside FC', () => {
    const other = resolveSYaml(text, { ...ctx, env: { ...ctx.env, IDV_API: 'face_compare_v2' } });
    for (const f of FUNCTIONS) {
      const env = other.resources[f.name]?.props.environmentVariables ?? {};
      // FC sets FC_REGION in every instance.
      expect(loadIdvConfig({ ...env, FC_REGION: 'ap-southeast-1' }), f.name).toMatchObject({
        api: 'face_compare_v2',
        endpoint: 'https://cloudauth-intl-vpc.ap-southeast-1.aliyuncs.com',
      });
    }
  });

  it('takes region, bucket and prefix from the environment', () => {
    const other = resolveSYaml(text, {
      ...ctx,
      env: { ...ctx.env, FC_REGION: 'cn-hangzhou', IDV_PREFIX: 'in/2026' },
    });
    const oss = other.resources['verify-oss']!.props;
    expect(oss.region).toBe('cn-hangzhou');
    expect(oss.triggers?.[0]).toMatchObject({ triggerConfig: { filter: { key: { prefix: 'in/2026/' } } } });
  });

  it('fails naming the variable when a required one is missing', () => {
    const run = () => resolveSYaml(text, { ...ctx, env: { IDV_API_KEYS: ctx.env.IDV_API_KEYS } });
    expect(run).toThrow(SYamlError);
    expect(run).toThrow(/IDV_BUCKET/);
  });

  it('resolves single vars without needing the others', () => {
    expect(resolveVars(text, ['region', 'prefix'], { env: {}, config: {} })).toEqual({
      region: 'ap-southeast-1',
      prefix: 'cases',
    });
  });

  it('sets only environment variables that shared/config.ts reads', () => {
    const known = new Set(
      [idvEnvSchema, httpEnvSchema, bucketEnvSchema, logEnvSchema, rerunEnvSchema].flatMap((schema) =>
        Object.keys(schema.shape),
      ),
    );
    for (const f of FUNCTIONS) {
      for (const name of Object.keys(props(f.name).environmentVariables ?? {}))
        expect(known, `${f.name}: ${name}`).toContain(name);
    }
  });

  it('gives each function an environment its configuration accepts', () => {
    const envOf = (name: string) => props(name).environmentVariables ?? {};
    expect(loadHttpConfig(envOf('verify-http')).apiKeyHashes).toEqual(['a'.repeat(64), 'b'.repeat(64)]);
    for (const name of FUNCTIONS.map((f) => f.name)) {
      expect(loadIdvConfig(envOf(name)), name).toMatchObject({
        endpoint: 'https://saf.ap-southeast-1.aliyuncs.com',
        timeoutMs: 10_000,
      });
      expect(loadLogConfig(envOf(name)), name).toEqual({ level: 'info' });
    }
    for (const name of ['verify-oss', 'rerun-batch']) {
      const bucket = loadBucketConfig(envOf(name));
      expect(bucket.store.kind, name).toBe('oss');
      expect(bucket.settings.prefix, name).toBe('cases');
    }
    expect(loadRerunConfig(envOf('rerun-batch'))).toMatchObject({ mode: 'inline', concurrency: 4 });
    const fanout = resolveSYaml(text, { ...ctx, env: { ...ctx.env, IDV_RERUN_MODE: 'fanout' } });
    const fanoutEnv = fanout.resources['rerun-batch']?.props.environmentVariables ?? {};
    expect(loadRerunConfig(fanoutEnv).fanout.functionName).toBe(props('verify-oss').functionName);
  });
});
