import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decryptAccessValue, readAccessFile } from '../../../scripts/deploy/access.ts';
import { aliasFromArgs, checkDeploySettings } from '../../../scripts/deploy/check.ts';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const ACCESS = join(REPO, 'test/fixtures/deploy/s-access.yaml');
const sYamlText = readFileSync(join(REPO, 's.yaml'), 'utf8');
const HASH = 'a'.repeat(64);
const good = { IDV_BUCKET: 'my-bucket', IDV_API_KEYS: `${HASH},${'B'.repeat(64)}` };

const check = (env: Record<string, string>, alias = 'default', aliases = readAccessFile(ACCESS)) =>
  checkDeploySettings({ env, alias, accessFile: ACCESS, aliases, sYamlText });

describe('s access file', () => {
  it('decrypts what `s config add` wrote (crypto-js AES, passphrase SecretKey123)', () => {
    expect(readAccessFile(ACCESS).default).toMatchObject({
      AccountID: '1234567890',
      AccessKeyID: 'LTAItest',
      AccessKeySecret: 'secret123',
    });
    expect(decryptAccessValue('plain')).toBe('plain');
  });
});

describe('checkDeploySettings', () => {
  it('names every missing setting when nothing is configured', () => {
    const settings = check({}, 'default', {}).map((p) => p.setting);
    expect(settings).toEqual(['s alias "default"', 'IDV_BUCKET', 'IDV_API_KEYS']);
  });

  it('names a missing AccountID and keys of an alias', () => {
    const settings = check(good, 'default', { default: { AccessKeyID: 'x' } }).map((p) => p.setting);
    expect(settings).toEqual(['AccountID (s alias "default")', 'AccessKeySecret (s alias "default")']);
  });

  it('passes with everything set, resolving the whole s.yaml', () => {
    expect(check(good)).toEqual([]);
  });

  it('names each malformed setting', () => {
    const problems = check({
      IDV_BUCKET: 'My_Bucket',
      IDV_API_KEYS: 'not-a-hash',
      FC_REGION: 'Singapore',
      FC_ROLE_NAME: 'FcRole',
      IDV_PREFIX: '../x',
      IDV_RESOURCE_CODE: '123',
      IDV_ENDPOINT: 'ftp://x',
      IDV_FAILURE_QUEUE: '1queue',
      IDV_RERUN_MODE: 'sometimes',
    }).map((p) => p.setting);
    expect(problems).toEqual([
      'IDV_BUCKET',
      'IDV_API_KEYS',
      'FC_REGION',
      'FC_ROLE_NAME',
      'IDV_PREFIX',
      'IDV_RESOURCE_CODE',
      'IDV_ENDPOINT',
      'IDV_FAILURE_QUEUE',
      'IDV_RERUN_MODE',
    ]);
  });

  it("names a value the functions' own config would refuse at cold start", () => {
    const problems = check({
      ...good,
      IDV_API: 'face_compare_v3',
      LOG_LEVEL: 'verbose',
      IDV_TIMEOUT_MS: '5',
      IDV_MAX_ATTEMPTS: 'many',
    });
    expect(problems.map((p) => p.setting).sort()).toEqual(
      ['IDV_API', 'IDV_MAX_ATTEMPTS', 'IDV_TIMEOUT_MS', 'LOG_LEVEL'].sort(),
    );
    expect(check({ ...good, IDV_API: 'face_compare_v2', LOG_LEVEL: 'warn' })).toEqual([]);
  });

  it('reads the alias from -a / --access as s does', () => {
    expect(aliasFromArgs(['-a', 'prod'])).toBe('prod');
    expect(aliasFromArgs(['--access=stage'])).toBe('stage');
    expect(aliasFromArgs([])).toBe('default');
    expect(check(good, 'prod').map((p) => p.setting)).toEqual(['s alias "prod"']);
  });
});

describe('npm run deploy:check', () => {
  const run = (env: Record<string, string>) =>
    new Promise<{ code: number; stderr: string; stdout: string }>((resolve) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', 'scripts/deploy/check-cli.ts'],
        { cwd: REPO, env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...env } },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
      ),
    );

  it('exits 1 listing every missing setting by name with nothing configured', async () => {
    const out = await run({});
    expect(out.code).toBe(1);
    for (const name of ['s alias "default"', 'IDV_BUCKET', 'IDV_API_KEYS'])
      expect(out.stderr).toContain(name);
  });

  it('deploy:policy --out writes only the policy JSON to the file', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'idv-policy-'));
    try {
      const file = join(dir, 'policy.json');
      const out = await new Promise<{ code: number; stdout: string }>((resolve) =>
        execFile(
          process.execPath,
          ['--import', 'tsx', 'scripts/deploy/print-policy.ts', '1234567890', '--out', file],
          { cwd: REPO, env: { PATH: process.env.PATH ?? '', IDV_BUCKET: 'my-bucket' } },
          (err, stdout) => resolve({ code: err ? Number(err.code) : 0, stdout }),
        ),
      );
      expect(out.code).toBe(0);
      expect(out.stdout).toBe('');
      const policy = JSON.parse(readFileSync(file, 'utf8'));
      expect(JSON.stringify(policy)).toContain('my-bucket/cases/*');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 0 with everything set, offline', async () => {
    const out = await run({ ...good, IDV_S_ACCESS_FILE: ACCESS });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
  });
});
