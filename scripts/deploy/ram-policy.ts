/**
 * docs/ram-policy.json is a template: `${accountId}`, `${region}`, `${bucket}`, `${prefix}` and
 * `${failureQueue}` are filled in by `npm run deploy:policy` (from the same environment variables s.yaml
 * reads) before the policy is pasted into the RAM console or created with `aliyun ram CreatePolicy`.
 *
 * Verified action names (Alibaba Cloud RAM authorization tables):
 * - ID Verification (saf ExecuteRequest): RamCode `yundun-saf`; the saf 2019-05-21 reference's authorization
 *   table (ExecuteRequestSG, the same operation on the Singapore cluster) lists the action as
 *   `yundun-saf:Execute` (not `yundun-saf:ExecuteRequest`), on all resources (no resource-level grant).
 * - Cloudauth-intl FaceCompare / FaceCompareV2 (IDV_API=face_compare*): RamCode `cloudauth` plus the operation
 *   name; Alibaba's error table names only the system policy AliyunAntCloudAuthFullAccess (docs/upstream-apis.md).
 * - OSS through the S3 API: HeadObject is authorized as oss:GetObject; ListObjectsV2 as oss:ListObjects on
 *   the bucket, narrowed with the `oss:Prefix` condition key.
 * - FC 3.0 function ARN: acs:fc:<region>:<account>:functions/<name>.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const RAM_POLICY_PLACEHOLDERS = ['accountId', 'region', 'bucket', 'prefix', 'failureQueue'] as const;
export type RamPolicyValues = Record<(typeof RAM_POLICY_PLACEHOLDERS)[number], string>;

const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const ramPolicySchema = z.strictObject({
  Version: z.literal('1'),
  Statement: z
    .array(
      z.strictObject({
        Effect: z.enum(['Allow', 'Deny']),
        Action: oneOrMany,
        Resource: oneOrMany,
        Condition: z.record(z.string(), z.record(z.string(), oneOrMany)).optional(),
      }),
    )
    .min(1),
});
export type RamPolicy = z.infer<typeof ramPolicySchema>;

export class RamPolicyError extends Error {
  override readonly name = 'RamPolicyError';
  readonly code = 'InvalidRamPolicy';
}

/** Fills the placeholders and validates the result; an unknown or unfilled placeholder is an error. */
export function renderRamPolicy(template: string, values: RamPolicyValues): RamPolicy {
  const filled = template.replace(/\$\{([^}]*)\}/g, (_m, name: string) => {
    if (!(RAM_POLICY_PLACEHOLDERS as readonly string[]).includes(name)) {
      throw new RamPolicyError(`unknown placeholder \${${name}}`);
    }
    const value = values[name as keyof RamPolicyValues];
    if (!value) throw new RamPolicyError(`no value for \${${name}}`);
    if (!/^[A-Za-z0-9._/-]+$/.test(value)) {
      throw new RamPolicyError(`value for \${${name}} may hold only letters, digits, ".", "_", "/" and "-"`);
    }
    return value;
  });
  const parsed = ramPolicySchema.safeParse(JSON.parse(filled));
  if (!parsed.success) throw new RamPolicyError(parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}

export function loadRamPolicyTemplate(path: string): string {
  return readFileSync(path, 'utf8');
}
