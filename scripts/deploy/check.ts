/**
 * `npm run deploy:check [-- -a <alias>]`: every setting `s deploy` needs, checked before it runs and without
 * network: the access alias and its AccountID (~/.s/access.yaml), IDV_BUCKET, IDV_API_KEYS, the region, the
 * role name, the prefix, the optional settings' formats, and then the whole s.yaml resolved and validated
 * against the fc3 schema. Each problem is named with what to do; exit 1 when there is any.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { prefixSchema } from '../../shared/cases/layout.ts';
import {
  bucketEnvSchema,
  httpEnvSchema,
  idempotencyEnvSchema,
  idvEnvSchema,
  logEnvSchema,
  rerunEnvSchema,
} from '../../shared/config.ts';
import { REPO_ROOT } from '../build.ts';
import { type AccessAliases, defaultAccessFile, readAccessFile } from './access.ts';
import { resolveSYaml } from './s-yaml.ts';

export interface CheckInput {
  env: Record<string, string | undefined>;
  alias: string;
  accessFile: string;
  aliases: AccessAliases;
  sYamlText: string;
}

export interface Problem {
  setting: string;
  message: string;
}

const blank = (v: string | undefined) => v === undefined || v.trim() === '';
const FUNCTION_ENV_SCHEMAS = [
  idvEnvSchema,
  logEnvSchema,
  bucketEnvSchema,
  rerunEnvSchema,
  idempotencyEnvSchema,
  httpEnvSchema,
];
const SHA256 = /^[0-9a-f]{64}$/i;

export function checkDeploySettings(input: CheckInput): Problem[] {
  const { env, alias } = input;
  const problems: Problem[] = [];
  const add = (setting: string, message: string) => problems.push({ setting, message });

  const access = input.aliases[alias];
  if (!access) {
    add(
      `s alias "${alias}"`,
      `not found in ${input.accessFile}: run \`npx s config add\` (alias ${alias}, with AccountID, AccessKeyID and AccessKeySecret), or name another with -a <alias>`,
    );
  } else {
    if (blank(access.AccountID))
      add(`AccountID (s alias "${alias}")`, 'missing: add it with `npx s config add`');
    else if (!/^\d+$/.test(access.AccountID as string))
      add(`AccountID (s alias "${alias}")`, 'must be the numeric Alibaba Cloud account ID');
    for (const key of ['AccessKeyID', 'AccessKeySecret'])
      if (blank(access[key])) add(`${key} (s alias "${alias}")`, 'missing: add it with `npx s config add`');
  }

  if (blank(env.IDV_BUCKET)) add('IDV_BUCKET', 'missing: the OSS bucket that receives the photo pairs');
  else if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(env.IDV_BUCKET as string))
    add('IDV_BUCKET', 'must be an OSS bucket name (3-63 lower-case letters, digits and -)');

  if (blank(env.IDV_API_KEYS)) {
    add(
      'IDV_API_KEYS',
      'missing: comma-separated SHA-256 hex of the API keys (printf %s "$KEY" | sha256sum)',
    );
  } else {
    const bad = (env.IDV_API_KEYS as string)
      .split(',')
      .map((h) => h.trim())
      .filter((h) => h !== '' && !SHA256.test(h));
    if (bad.length > 0)
      add(
        'IDV_API_KEYS',
        `${bad.length} entr${bad.length === 1 ? 'y is' : 'ies are'} not a SHA-256 hex digest (64 hex characters)`,
      );
  }

  if (!blank(env.FC_REGION) && !/^[a-z]{2,}-[a-z0-9-]+$/.test(env.FC_REGION as string))
    add('FC_REGION', 'must be a region id such as ap-southeast-1');
  if (!blank(env.FC_ROLE_NAME) && !/^[a-z0-9.-]{1,64}$/.test(env.FC_ROLE_NAME as string))
    add(
      'FC_ROLE_NAME',
      'must be a RAM role name in lower case (letters, digits, . and -): RAM writes role ARNs in lower case',
    );
  if (!blank(env.IDV_PREFIX)) {
    const p = prefixSchema.safeParse((env.IDV_PREFIX as string).replace(/\/+$/, ''));
    if (!p.success || p.data === '')
      add(
        'IDV_PREFIX',
        `must be a non-empty prefix such as cases${p.success ? '' : ` (${p.error.issues[0]?.message})`}`,
      );
  }
  if (!blank(env.IDV_RESOURCE_CODE) && !/^\d{8}$/.test(env.IDV_RESOURCE_CODE as string))
    add('IDV_RESOURCE_CODE', 'must be an 8-digit resourceCode');
  if (!blank(env.IDV_ENDPOINT) && !z.url({ protocol: /^https?$/ }).safeParse(env.IDV_ENDPOINT).success)
    add('IDV_ENDPOINT', 'must be an http(s) URL such as https://saf.ap-southeast-1.aliyuncs.com');
  if (!blank(env.IDV_FAILURE_QUEUE) && !/^[A-Za-z][A-Za-z0-9-]{0,119}$/.test(env.IDV_FAILURE_QUEUE as string))
    add('IDV_FAILURE_QUEUE', 'must be an MNS queue name (a letter, then letters, digits and -)');
  if (!blank(env.IDV_RERUN_MODE) && !['inline', 'fanout'].includes(env.IDV_RERUN_MODE as string))
    add('IDV_RERUN_MODE', 'must be inline or fanout');
  if (
    !blank(env.IDV_DELETE_PHOTOS_AFTER_VERDICT) &&
    !['true', 'false'].includes(env.IDV_DELETE_PHOTOS_AFTER_VERDICT as string)
  )
    add('IDV_DELETE_PHOTOS_AFTER_VERDICT', 'must be true or false');

  // Every other setting the functions read, checked by the functions' own schemas (shared/config.ts): a value
  // they would refuse at cold start (IDV_API=face_compare_v3, LOG_LEVEL=verbose) is named here, before deploying.
  for (const schema of FUNCTION_ENV_SCHEMAS) {
    const parsed = schema.safeParse(env);
    if (parsed.success) continue;
    for (const issue of parsed.error.issues) {
      const variable = String(issue.path[0] ?? '');
      if (variable === '' || blank(env[variable]) || problems.some((p) => p.setting === variable)) continue;
      add(variable, issue.message);
    }
  }

  if (problems.length === 0) {
    try {
      resolveSYaml(input.sYamlText, { env, config: { AccountID: access?.AccountID ?? '' } });
    } catch (err) {
      add('s.yaml', err instanceof Error ? err.message : String(err));
    }
  }
  return problems;
}

/** -a/--access <alias> as `s` reads it (default: s.yaml's `access`, "default"). */
export function aliasFromArgs(argv: readonly string[], fallback = 'default'): string {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if ((a === '-a' || a === '--access') && argv[i + 1]) return argv[i + 1] as string;
    if (a.startsWith('--access=')) return a.slice('--access='.length);
  }
  return fallback;
}

export function runDeployCheck(argv: readonly string[], env: Record<string, string | undefined>): number {
  const accessFile = env.IDV_S_ACCESS_FILE ?? defaultAccessFile();
  const alias = aliasFromArgs(argv);
  const problems = checkDeploySettings({
    env,
    alias,
    accessFile,
    aliases: readAccessFile(accessFile),
    sYamlText: readFileSync(join(REPO_ROOT, 's.yaml'), 'utf8'),
  });
  if (problems.length === 0) {
    console.log(
      `deploy:check: every setting is in place (s alias ${alias}, region ${env.FC_REGION || 'ap-southeast-1'}, bucket ${env.IDV_BUCKET}).`,
    );
    return 0;
  }
  console.error(
    `deploy:check: ${problems.length} setting${problems.length === 1 ? '' : 's'} to fix before \`s deploy\`:`,
  );
  for (const p of problems) console.error(`  - ${p.setting}: ${p.message}`);
  console.error('See docs/deploy.md.');
  return 1;
}
