import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../scripts/build.ts';
import { RamPolicyError, renderRamPolicy } from '../../../scripts/deploy/ram-policy.ts';

const template = readFileSync(join(REPO_ROOT, 'docs/ram-policy.json'), 'utf8');
const values = {
  accountId: '1234',
  region: 'ap-southeast-1',
  bucket: 'idv-demo',
  prefix: 'cases',
  failureQueue: 'q',
};
const asList = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

describe('docs/ram-policy.json', () => {
  const policy = renderRamPolicy(template, values);
  const actions = policy.Statement.flatMap((s) => asList(s.Action)).sort();

  it('grants only the actions the functions use', () => {
    expect(actions).toEqual([
      'cloudauth:FaceCompare',
      'cloudauth:FaceCompareV2',
      'fc:InvokeFunction',
      'log:PostLogStoreLogs',
      'mns:SendMessage',
      'oss:DeleteObject',
      'oss:GetBucketVersioning',
      'oss:GetObject',
      'oss:ListObjects',
      'oss:PutObject',
      'yundun-saf:Execute',
    ]);
    expect(policy.Statement.every((s) => s.Effect === 'Allow')).toBe(true);
  });

  it('limits object access to the case prefix of one bucket, and listing to that prefix', () => {
    const objects = policy.Statement.find((s) => asList(s.Action).includes('oss:GetObject'));
    expect(objects?.Resource).toEqual(['acs:oss:*:1234:idv-demo/cases/*']);
    const list = policy.Statement.find((s) => asList(s.Action).includes('oss:ListObjects'));
    expect(list?.Resource).toEqual(['acs:oss:*:1234:idv-demo']);
    expect(list?.Condition).toEqual({ StringLike: { 'oss:Prefix': ['cases/*'] } });
  });

  it('lets the role invoke only the OSS function (fan-out)', () => {
    const invoke = policy.Statement.find((s) => asList(s.Action).includes('fc:InvokeFunction'));
    expect(invoke?.Resource).toEqual(['acs:fc:ap-southeast-1:1234:functions/idv-verify-oss']);
  });

  it('has no wildcard action', () => {
    expect(actions.some((a) => a.includes('*'))).toBe(false);
  });

  it('refuses to render with a missing value', () => {
    expect(() => renderRamPolicy(template, { ...values, bucket: '' })).toThrow(RamPolicyError);
  });

  it('refuses values that would widen or break the policy', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (bucket) => {
        try {
          const p = renderRamPolicy(template, { ...values, bucket });
          expect(JSON.stringify(p)).toContain(bucket);
          expect(bucket).toMatch(/^[A-Za-z0-9._/-]+$/);
        } catch (err) {
          expect(err).toBeInstanceOf(RamPolicyError);
        }
      }),
      { numRuns: 200 },
    );
  });
});
