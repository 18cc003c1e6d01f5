/**
 * IDV_EMULATOR_* environment -> emulator settings, shared by `npm run emulator` (main.ts) and `npm start`
 * (local/dev.ts), so both take the same variables. The trusted key pair is generated when unset.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { type Env, readSection } from '../../shared/config.ts';
import { type EmulatorKey, type FaultConfig, FaultConfigSchema } from './config.ts';
import { RESOURCE_CODE_PATTERN } from './resource-codes.ts';

const unsetIfBlank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const opt = <T extends z.ZodType>(schema: T) => z.preprocess(unsetIfBlank, schema.optional());

export const emulatorEnvSchema = z.object({
  IDV_EMULATOR_PORT: opt(z.coerce.number().int().min(0).max(65_535)),
  IDV_EMULATOR_HOST: opt(z.string().min(1)),
  IDV_EMULATOR_ACCESS_KEY_ID: opt(z.string().min(1)),
  IDV_EMULATOR_ACCESS_KEY_SECRET: opt(z.string().min(8, 'must be at least 8 characters')),
  IDV_EMULATOR_SECURITY_TOKEN: opt(z.string().min(1)),
  IDV_EMULATOR_DAILY_QUOTA: opt(z.coerce.number().int().min(0)),
  /** Calls per second per AccessKey and per API (Alibaba's default for FaceCompare is 10); unset: no limit. */
  IDV_EMULATOR_QPS: opt(z.coerce.number().positive().max(100_000)),
  IDV_EMULATOR_RESOURCE_CODES: opt(
    z
      .string()
      .transform((s) => s.split(',').map((c) => c.trim()))
      .pipe(z.array(z.string().regex(RESOURCE_CODE_PATTERN, 'must be comma-separated 8-digit codes')).min(1)),
  ),
  IDV_EMULATOR_FAULTS: opt(
    z
      .string()
      .transform((s, ctx) => {
        try {
          return JSON.parse(s) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON object of fault settings' });
          return z.NEVER;
        }
      })
      .pipe(FaultConfigSchema),
  ),
});

/** Port of `npm run emulator` when IDV_EMULATOR_PORT is unset. */
const DEFAULT_EMULATOR_PORT = 8787;

export interface EmulatorSettings {
  port: number;
  host: string;
  key: EmulatorKey & { accessKeyId: string; accessKeySecret: string };
  /** True when the key pair was generated (print it: nobody else knows it). */
  generatedKey: boolean;
  resourceCodes: string[] | undefined;
  faults: FaultConfig;
  /** QPS limit per key and API (local/emulator/qps.ts); undefined: off. */
  qps: number | undefined;
}

export function loadEmulatorSettings(env: Env, defaultPort = DEFAULT_EMULATOR_PORT): EmulatorSettings {
  const raw = readSection(emulatorEnvSchema, env);
  const generatedKey =
    raw.IDV_EMULATOR_ACCESS_KEY_ID === undefined || raw.IDV_EMULATOR_ACCESS_KEY_SECRET === undefined;
  return {
    port: raw.IDV_EMULATOR_PORT ?? defaultPort,
    host: raw.IDV_EMULATOR_HOST ?? '127.0.0.1',
    key: {
      accessKeyId: raw.IDV_EMULATOR_ACCESS_KEY_ID ?? `LTAIemu${randomBytes(8).toString('hex')}`,
      accessKeySecret: generatedKey
        ? randomBytes(22).toString('base64url')
        : (raw.IDV_EMULATOR_ACCESS_KEY_SECRET as string),
      securityToken: raw.IDV_EMULATOR_SECURITY_TOKEN,
      dailyQuota: raw.IDV_EMULATOR_DAILY_QUOTA,
    },
    generatedKey,
    resourceCodes: raw.IDV_EMULATOR_RESOURCE_CODES,
    faults: raw.IDV_EMULATOR_FAULTS ?? {},
    qps: raw.IDV_EMULATOR_QPS,
  };
}

/** startEmulator's options from the settings (the engine and the logger are the caller's). */
export const emulatorOptionsFrom = (settings: EmulatorSettings) => ({
  port: settings.port,
  host: settings.host,
  keys: [settings.key],
  faults: settings.faults,
  resourceCodes: settings.resourceCodes,
  ...(settings.qps === undefined ? {} : { qps: settings.qps }),
});
