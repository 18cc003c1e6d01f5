/**
 * Environment -> typed, validated configuration. This is the ONE module that reads process.env.
 *
 * The environment is split into sections (idv, credentials, http, local, log). Each function loads only the
 * sections it needs, once at cold start, and fails fast with a ConfigError naming the variable. Another area
 * adds its own section the same way: a zod object over the raw variables plus a `load<Section>Config`.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { prefixSchema } from './cases/layout.ts';
import { type CaseSettings, DEFAULT_CASE_SETTINGS } from './cases/settings.ts';
import { parseDurationMs } from './duration.ts';
import { DEFAULT_IDV_API, defaultEndpoint, IDV_APIS, type IdvApi, UPSTREAM_APIS } from './idv/apis.ts';
import { DEFAULT_MAX_UNCERTAIN_RETRIES, DEFAULT_MIN_ATTEMPT_MS } from './idv/retry.ts';

export type Env = Record<string, string | undefined>;

/** A copy of the process environment: the one read of process.env, for code that composes environments. */
export const readProcessEnv = (): Env => ({ ...process.env });

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'InvalidConfig';
  /** The environment variable at fault. */
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.variable = variable;
  }
}

/** Empty strings count as unset (a common way to "clear" a variable in YAML). */
const opt = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());
const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/i, 'must be a SHA-256 hex digest (64 hex characters)');

/** Parses one section; the first issue becomes a ConfigError naming its variable. Values are never echoed. */
export function readSection<T extends z.ZodType>(schema: T, env: Env): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ConfigError(String(issue.path[0] ?? '(environment)'), issue.message);
}

// ---- idv: the upstream ID Verification API ----
export const idvEnvSchema = z.object({
  /** Which upstream API: the seed's saf intl_face_verify (default) or Cloudauth-intl FaceCompare(V2). */
  IDV_API: opt(z.enum(IDV_APIS)),
  IDV_ENDPOINT: opt(z.url({ protocol: /^https?$/ })),
  /** Region of the upstream endpoint when IDV_ENDPOINT is unset (default ap-southeast-1, or FC's own). */
  IDV_REGION: opt(z.string().regex(/^[a-z0-9-]+$/, 'must be a region id such as ap-southeast-1')),
  /** Set by Function Compute in every instance: inside FC, Cloudauth-intl defaults to its VPC endpoint. */
  FC_REGION: opt(z.string().regex(/^[a-z0-9-]+$/, 'must be a region id')),
  IDV_TIMEOUT_MS: opt(intIn(100, 120_000)),
  IDV_RESOURCE_CODE: opt(z.string().regex(/^\d{8}$/, 'must be an 8-digit resourceCode')),
  /** Retries after an attempt that may have been billed (timeout, lost connection, ...); 0 holds at once. */
  IDV_MAX_UNCERTAIN_RETRIES: opt(intIn(0, 10)),
  /** Time an upstream attempt needs left before the deadline to be started at all. */
  IDV_MIN_ATTEMPT_MS: opt(intIn(1, 120_000)),
});
/**
 * resourceCode recorded when the API takes none (Cloudauth-intl FaceCompare) and IDV_RESOURCE_CODE is unset:
 * the doors keep asking for one only where the API reads it.
 */
export const UNUSED_RESOURCE_CODE = 'unused';
/** The resourceCode for requests that carry none: the configured one, else UNUSED_RESOURCE_CODE where the API takes none. */
export const defaultResourceCodeFor = (api: IdvApi, resourceCode: string | undefined): string | undefined =>
  resourceCode ?? (UPSTREAM_APIS[api].usesResourceCode ? undefined : UNUSED_RESOURCE_CODE);
export function loadIdvConfig(env: Env) {
  const raw = readSection(idvEnvSchema, env);
  const api = raw.IDV_API ?? DEFAULT_IDV_API;
  return {
    api,
    endpoint: raw.IDV_ENDPOINT ?? defaultEndpoint(api, { fcRegion: raw.FC_REGION, region: raw.IDV_REGION }),
    /** Per attempt. pop-core's own default (3 s) is too short for a face comparison. */
    timeoutMs: raw.IDV_TIMEOUT_MS ?? 10_000,
    /** IDV_RESOURCE_CODE as configured. */
    resourceCode: raw.IDV_RESOURCE_CODE,
    /** Default resourceCode for requests that carry none (UNUSED_RESOURCE_CODE where the API takes none). */
    defaultResourceCode: defaultResourceCodeFor(api, raw.IDV_RESOURCE_CODE),
    /** Per pair version (bucket) or request / idempotency key (HTTP): docs/money-safety.md. */
    maxUncertainRetries: raw.IDV_MAX_UNCERTAIN_RETRIES ?? DEFAULT_MAX_UNCERTAIN_RETRIES,
    /** An attempt starts only with this much time left (a late one is billed, then cut off). */
    minAttemptMs: raw.IDV_MIN_ATTEMPT_MS ?? DEFAULT_MIN_ATTEMPT_MS,
    /** True when IDV_ENDPOINT was set explicitly (npm start then calls it and starts no emulator). */
    endpointFromEnv: raw.IDV_ENDPOINT !== undefined,
  };
}
export type IdvConfig = ReturnType<typeof loadIdvConfig>;

// ---- credentials: the fallback after FC's context.credentials ----
export const credentialsEnvSchema = z
  .object({
    ALIBABA_CLOUD_ACCESS_KEY_ID: opt(z.string().min(1)),
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: opt(z.string().min(1)),
    ALIBABA_CLOUD_SECURITY_TOKEN: opt(z.string().min(1)),
  })
  .refine(
    (e) =>
      (e.ALIBABA_CLOUD_ACCESS_KEY_ID === undefined) === (e.ALIBABA_CLOUD_ACCESS_KEY_SECRET === undefined),
    {
      path: ['ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
      message: 'ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET must be set together',
    },
  );
export function loadCredentialsConfig(env: Env) {
  const raw = readSection(credentialsEnvSchema, env);
  if (raw.ALIBABA_CLOUD_ACCESS_KEY_ID === undefined || raw.ALIBABA_CLOUD_ACCESS_KEY_SECRET === undefined) {
    return undefined;
  }
  return {
    accessKeyId: raw.ALIBABA_CLOUD_ACCESS_KEY_ID,
    accessKeySecret: raw.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
    ...(raw.ALIBABA_CLOUD_SECURITY_TOKEN ? { securityToken: raw.ALIBABA_CLOUD_SECURITY_TOKEN } : {}),
  };
}

// ---- photo limits and the quota reset: one declaration for the HTTP door and the bucket door ----
const photoEnvShape = {
  /** Per photo, after base64 decoding. */
  IDV_MAX_PHOTO_BYTES: opt(intIn(1024, 32 * 1024 * 1024)),
  /** Width x height from the header, checked before decoding (decompression bombs). */
  IDV_MAX_PHOTO_PIXELS: opt(intIn(1, 200_000_000)),
  /** The daily quota resets at midnight at this UTC offset (Retry-After of a 429, nextAttemptAt of a 402). */
  IDV_QUOTA_RESET_UTC_OFFSET_MINUTES: opt(intIn(-720, 840)),
};
const photoSettingsOf = (raw: {
  IDV_MAX_PHOTO_BYTES?: number | undefined;
  IDV_MAX_PHOTO_PIXELS?: number | undefined;
  IDV_QUOTA_RESET_UTC_OFFSET_MINUTES?: number | undefined;
}) => ({
  maxPhotoBytes: raw.IDV_MAX_PHOTO_BYTES ?? DEFAULT_CASE_SETTINGS.maxPhotoBytes,
  maxPhotoPixels: raw.IDV_MAX_PHOTO_PIXELS ?? DEFAULT_CASE_SETTINGS.maxPhotoPixels,
  quotaResetUtcOffsetMinutes:
    raw.IDV_QUOTA_RESET_UTC_OFFSET_MINUTES ?? DEFAULT_CASE_SETTINGS.quotaResetUtcOffsetMinutes,
});

// ---- http: the verify-http function ----
export const httpEnvSchema = z
  .object({
    IDV_API_KEYS: opt(
      z.string().transform((s, ctx) => {
        const hashes = s
          .split(',')
          .map((h) => h.trim())
          .filter((h) => h !== '');
        for (const h of hashes) {
          if (!sha256Hex.safeParse(h).success) {
            ctx.addIssue({
              code: 'custom',
              message: 'every entry must be a SHA-256 hex digest (64 hex characters)',
            });
            return z.NEVER;
          }
        }
        return hashes.map((h) => h.toLowerCase());
      }),
    ),
    IDV_API_KEY: opt(z.string().min(16, 'must be at least 16 characters')),
    ...photoEnvShape,
    IDV_REQUEST_BUDGET_MS: opt(intIn(1000, 600_000)),
  })
  .refine((e) => (e.IDV_API_KEYS?.length ?? 0) > 0 || e.IDV_API_KEY !== undefined, {
    path: ['IDV_API_KEYS'],
    message: 'set IDV_API_KEYS (SHA-256 hashes of the API keys) or, locally, IDV_API_KEY',
  });
export const sha256HexOf = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
/** `options.apiKey`: a key chosen by the caller (npm start generates one) in place of IDV_API_KEY. */
export function loadHttpConfig(env: Env, options: { apiKey?: string } = {}) {
  const raw = readSection(
    httpEnvSchema,
    options.apiKey === undefined ? env : { ...env, IDV_API_KEY: options.apiKey },
  );
  const hashes = [...(raw.IDV_API_KEYS ?? []), ...(raw.IDV_API_KEY ? [sha256HexOf(raw.IDV_API_KEY)] : [])];
  return {
    apiKeyHashes: hashes,
    ...photoSettingsOf(raw),
    /** Time for one request, retries included, when FC does not say (context.function.timeout). */
    requestBudgetMs: raw.IDV_REQUEST_BUDGET_MS ?? 25_000,
  };
}
export type HttpConfig = ReturnType<typeof loadHttpConfig>;

// ---- local: npm start (the emulator's own IDV_EMULATOR_* section is local/emulator/settings.ts) ----
export const localEnvSchema = z.object({
  PORT: opt(intIn(0, 65_535)),
  HOST: opt(z.string().min(1)),
  IDV_API_KEY: opt(z.string().min(16, 'must be at least 16 characters')),
  /** The local runner answers 408 when a request body has not fully arrived within this time. */
  IDV_BODY_TIMEOUT_MS: opt(intIn(100, 600_000)),
});
export function loadLocalConfig(env: Env) {
  const raw = readSection(localEnvSchema, env);
  return {
    port: raw.PORT ?? 9000,
    host: raw.HOST ?? '127.0.0.1',
    apiKey: raw.IDV_API_KEY,
    bodyTimeoutMs: raw.IDV_BODY_TIMEOUT_MS ?? 30_000,
  };
}

// ---- log ----
const logLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);
type LogLevel = z.infer<typeof logLevelSchema>;
export const logEnvSchema = z.object({
  LOG_LEVEL: opt(logLevelSchema),
});
export function loadLogConfig(env: Env, defaultLevel: LogLevel = 'info') {
  const raw = readSection(logEnvSchema, env);
  return { level: raw.LOG_LEVEL ?? defaultLevel };
}

// ---- bucket: the verify-oss function (and the rerun) on OSS, or a local folder ----
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
export const bucketEnvSchema = z.object({
  /** `fs` (a local folder) or `oss`; default `oss` when IDV_BUCKET is set, else `fs`. */
  IDV_STORE: opt(z.enum(['fs', 'oss'])),
  /** The local bucket folder (fs store). */
  IDV_BUCKET_DIR: opt(z.string().min(1)),
  /** The OSS bucket (used by the scheduled rerun; OSS events name their own bucket). */
  IDV_BUCKET: opt(z.string().regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'must be an OSS bucket name')),
  /** Region of the bucket, e.g. ap-southeast-1 (events carry their own). */
  OSS_REGION: opt(z.string().regex(/^[a-z0-9-]+$/, 'must be a region id such as ap-southeast-1')),
  /** Default: inside FC, for a bucket in the function's region, https://s3.oss-<region>-internal.aliyuncs.com; else https://s3.oss-<region>.aliyuncs.com. */
  IDV_OSS_ENDPOINT: opt(z.url({ protocol: /^https?$/ })),
  /** Create-if-absent dialect: oss (x-oss-forbid-overwrite) or s3 (If-None-Match); default from the host. */
  IDV_OSS_FLAVOUR: opt(z.enum(['oss', 's3'])),
  /** Set by Function Compute: the function's region (same-region buckets are reached internally). */
  FC_REGION: opt(z.string().regex(/^[a-z0-9-]+$/, 'must be a region id')),
  IDV_PREFIX: opt(prefixSchema),
  IDV_CLAIM_LEASE_MS: opt(intIn(10_000, 3_600_000)),
  IDV_RETRY_BASE_MS: opt(intIn(0, 86_400_000)),
  IDV_RETRY_MAX_MS: opt(intIn(0, 7 * 86_400_000)),
  IDV_MAX_ATTEMPTS: opt(intIn(1, 1000)),
  IDV_DELETE_PHOTOS_AFTER_VERDICT: opt(bool),
  ...photoEnvShape,
});
export function loadBucketConfig(env: Env) {
  const raw = readSection(bucketEnvSchema, env);
  const kind = raw.IDV_STORE ?? (raw.IDV_BUCKET ? 'oss' : 'fs');
  const region = raw.OSS_REGION;
  const settings: CaseSettings = {
    prefix: raw.IDV_PREFIX ?? DEFAULT_CASE_SETTINGS.prefix,
    defaultResourceCode: loadIdvConfig(env).defaultResourceCode,
    maxUncertainRetries: loadIdvConfig(env).maxUncertainRetries,
    leaseMs: raw.IDV_CLAIM_LEASE_MS ?? DEFAULT_CASE_SETTINGS.leaseMs,
    retryBaseMs: raw.IDV_RETRY_BASE_MS ?? DEFAULT_CASE_SETTINGS.retryBaseMs,
    retryMaxMs: raw.IDV_RETRY_MAX_MS ?? DEFAULT_CASE_SETTINGS.retryMaxMs,
    maxAttempts: raw.IDV_MAX_ATTEMPTS ?? DEFAULT_CASE_SETTINGS.maxAttempts,
    deletePhotosAfterVerdict:
      raw.IDV_DELETE_PHOTOS_AFTER_VERDICT ?? DEFAULT_CASE_SETTINGS.deletePhotosAfterVerdict,
    ...photoSettingsOf(raw),
  };
  return {
    store: {
      kind,
      dir: raw.IDV_BUCKET_DIR ?? './bucket',
      bucket: raw.IDV_BUCKET,
      region,
      /** A function of the region, since OSS events name their own region. */
      endpointFor: (r: string) => raw.IDV_OSS_ENDPOINT ?? defaultOssEndpoint(r, raw.FC_REGION),
      /** undefined: guessed from the endpoint's host (shared/store/s3.ts flavourOf). */
      flavour: raw.IDV_OSS_FLAVOUR,
    },
    settings,
  };
}
export type BucketConfig = ReturnType<typeof loadBucketConfig>;

/** Where a store is: a local folder, or an OSS bucket with its region, S3 endpoint and dialect. */
export type StoreTarget =
  | { kind: 'fs'; dir: string }
  | { kind: 'oss'; bucket: string; region: string; endpoint: string; flavour?: 'oss' | 's3' | undefined };

/**
 * The bucket door's store: the folder, or an OSS bucket (`oss.bucket` / `oss.region` when given: an OSS event
 * names its own; else IDV_BUCKET / OSS_REGION). A ConfigError names the variable that is missing.
 */
export function bucketStoreTarget(
  store: BucketConfig['store'],
  oss: { bucket?: string | undefined; region?: string | undefined } = {},
): StoreTarget {
  if (store.kind === 'fs') return { kind: 'fs', dir: store.dir };
  const bucket = oss.bucket ?? store.bucket;
  const region = oss.region ?? store.region;
  if (!bucket) throw new ConfigError('IDV_BUCKET', 'the OSS store needs the bucket and its region');
  if (!region) throw new ConfigError('OSS_REGION', 'the OSS store needs the bucket and its region');
  return { kind: 'oss', bucket, region, endpoint: store.endpointFor(region), flavour: store.flavour };
}

/**
 * OSS's S3-compatible endpoint: inside Function Compute (FC_REGION set) for a bucket in the function's own
 * region, the internal one (no public traffic, no outbound data charge); otherwise the public one.
 */
const defaultOssEndpoint = (region: string, fcRegion: string | undefined): string =>
  fcRegion === region
    ? `https://s3.oss-${region}-internal.aliyuncs.com`
    : `https://s3.oss-${region}.aliyuncs.com`;

// ---- rerun: the rerun-batch timer function, `npm run rerun` and npm start's local schedule ----
/** `90s`, `15m`, `1h`, `1h30m`, `500ms` or plain milliseconds (shared/duration.ts), within a range. */
const durationIn = (example: string, minMs: number, maxMs: number, range: string) =>
  z
    .string()
    .transform((s, ctx) => {
      const ms = parseDurationMs(s);
      if (ms === undefined)
        ctx.addIssue({ code: 'custom', message: `must be a duration such as ${example}` });
      return ms ?? 0;
    })
    .refine((ms) => ms >= minMs && ms <= maxMs, `must be between ${range}`);
export const rerunEnvSchema = z
  .object({
    /** Cases verified at the same time by one run (default 4). */
    IDV_RERUN_CONCURRENCY: opt(intIn(1, 64)),
    /** A run takes no new case after start + function timeout - this margin (default 30 s). */
    IDV_RERUN_MARGIN_MS: opt(intIn(0, 600_000)),
    /** `inline` (default: verify here) or `fanout` (hand each due case to the OSS function, async). */
    IDV_RERUN_MODE: opt(z.enum(['inline', 'fanout'])),
    /** Fan-out: the OSS function to invoke (s.yaml: idv-verify-oss). */
    IDV_FANOUT_FUNCTION: opt(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/, 'must be a Function Compute function name'),
    ),
    IDV_FANOUT_QUALIFIER: opt(z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be a version or alias')),
    /** Fan-out: FC 3.0 API endpoint; default <FC_ACCOUNT_ID>.<OSS_REGION>.fc.aliyuncs.com. */
    IDV_FC_ENDPOINT: opt(z.string().regex(/^(https?:\/\/)?[A-Za-z0-9.-]+(:\d+)?$/, 'must be a host name')),
    /** Set by Function Compute in every instance (documented system variables). */
    FC_ACCOUNT_ID: opt(z.string().regex(/^\d+$/, 'must be the numeric account id')),
    FC_REGION: opt(z.string().regex(/^[a-z0-9-]+$/, 'must be a region id')),
    /** npm start's schedule when there is no s.yaml timer trigger (default 1m). */
    IDV_RERUN_INTERVAL: opt(durationIn('30s, 15m or 1h', 1000, 86_400_000, '1s and 24h')),
  })
  .refine((e) => e.IDV_RERUN_MODE !== 'fanout' || e.IDV_FANOUT_FUNCTION !== undefined, {
    path: ['IDV_FANOUT_FUNCTION'],
    message: 'IDV_RERUN_MODE=fanout needs the name of the OSS function to invoke',
  });
export function loadRerunConfig(env: Env) {
  const raw = readSection(rerunEnvSchema, env);
  return {
    concurrency: raw.IDV_RERUN_CONCURRENCY ?? 4,
    marginMs: raw.IDV_RERUN_MARGIN_MS ?? 30_000,
    mode: raw.IDV_RERUN_MODE ?? ('inline' as const),
    fanout: {
      functionName: raw.IDV_FANOUT_FUNCTION,
      qualifier: raw.IDV_FANOUT_QUALIFIER,
      endpoint: raw.IDV_FC_ENDPOINT,
      accountId: raw.FC_ACCOUNT_ID,
      /** The function's region (the FC API endpoint's), when FC says; else the bucket's. */
      region: raw.FC_REGION,
    },
    intervalMs: raw.IDV_RERUN_INTERVAL ?? 60_000,
    /** IDV_RERUN_INTERVAL was set (it then overrides s.yaml's timer for npm start). */
    intervalSet: raw.IDV_RERUN_INTERVAL !== undefined,
  };
}
export type RerunConfig = ReturnType<typeof loadRerunConfig>;

/**
 * The newest client-s3 warns once per process (when the first client is built) that it will need Node >= 22
 * from 2027, while FC's newest Node runtime is nodejs20. This variable, read by @aws-sdk/core's
 * emitWarningIfUnsupportedVersion, silences exactly that warning; an operator's own setting wins. Called before
 * an S3 client is built (never at import): the one write to the environment.
 */
export function quietAwsSdkNodeVersionWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

// ---- idempotency: Idempotency-Key records of the verify-http function (docs/money-safety.md) ----
export const idempotencyEnvSchema = z.object({
  /** A local folder for the records (npm start sets it to the bucket folder). */
  IDV_IDEMPOTENCY_DIR: opt(z.string().min(1)),
  /** An OSS bucket for the records (region OSS_REGION, endpoint IDV_OSS_ENDPOINT as for the bucket door). */
  IDV_IDEMPOTENCY_BUCKET: opt(
    z.string().regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'must be an OSS bucket name'),
  ),
  IDV_IDEMPOTENCY_PREFIX: opt(prefixSchema.refine((p) => p !== '', 'must not be empty')),
  /** How long a completed reply is replayed (default 24h). */
  IDV_IDEMPOTENCY_TTL: opt(durationIn('90m or 24h', 60_000, 7 * 86_400_000, '1m and 168h')),
  OSS_REGION: opt(z.string().regex(/^[a-z0-9-]+$/, 'must be a region id such as ap-southeast-1')),
  IDV_OSS_ENDPOINT: opt(z.url({ protocol: /^https?$/ })),
  IDV_OSS_FLAVOUR: opt(z.enum(['oss', 's3'])),
  FC_REGION: opt(z.string().regex(/^[a-z0-9-]+$/, 'must be a region id')),
});
export function loadIdempotencyConfig(env: Env) {
  const raw = readSection(idempotencyEnvSchema, env);
  if (raw.IDV_IDEMPOTENCY_BUCKET && !raw.OSS_REGION) {
    throw new ConfigError('OSS_REGION', 'IDV_IDEMPOTENCY_BUCKET needs the region of the bucket');
  }
  const store = raw.IDV_IDEMPOTENCY_BUCKET
    ? {
        kind: 'oss' as const,
        bucket: raw.IDV_IDEMPOTENCY_BUCKET,
        region: raw.OSS_REGION as string,
        endpoint: raw.IDV_OSS_ENDPOINT ?? defaultOssEndpoint(raw.OSS_REGION as string, raw.FC_REGION),
        flavour: raw.IDV_OSS_FLAVOUR,
      }
    : raw.IDV_IDEMPOTENCY_DIR
      ? { kind: 'fs' as const, dir: raw.IDV_IDEMPOTENCY_DIR }
      : undefined;
  return {
    store,
    prefix: raw.IDV_IDEMPOTENCY_PREFIX ?? 'idempotency',
    ttlMs: raw.IDV_IDEMPOTENCY_TTL ?? 24 * 3_600_000,
  };
}
export type IdempotencyConfig = ReturnType<typeof loadIdempotencyConfig>;
