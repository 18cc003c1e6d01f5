/**
 * zod schema of the Serverless Devs s.yaml we deploy with, limited to the fc3 props this project uses.
 * Names, enums and required keys follow the fc3 component's own interfaces (devsapp/fc3
 * src/interface/{index,function,trigger,base,region,async_invoke_config}.ts):
 * - http trigger: triggerConfig {authType: 'anonymous' | 'function', methods: Methods[]}
 * - oss trigger: triggerConfig {events: OSSEvents[], filter: {key: {prefix, suffix}}}, plus the trigger's
 *   sourceArn (acs:oss:<region>:<account>:<bucket>) and invocationRole
 * - timer trigger: triggerConfig {cronExpression, enable, payload?: string}
 * - asyncInvokeConfig {destinationConfig?: {onFailure?, onSuccess?: {destination}}, maxAsyncEventAgeInSeconds?,
 *   maxAsyncRetryAttempts?, qualifier?}
 * - concurrencyConfig {reservedConcurrency}; provisionConfig {defaultTarget, alwaysAllocateCPU?, ...}
 * Not offered: `instanceConcurrency`. FC 3.0 standard runtimes such as nodejs20 no longer support instance
 * concurrency (Alibaba's "Comparison and compatibility between Function Compute 3.0 and 2.0"; only custom
 * runtimes keep it), so each instance serves one request at a time and memory is sized for one.
 * Unknown keys are rejected (strict) so that a typo such as `memorysize` fails here rather than being
 * silently ignored by fc3 at deploy time.
 */
import { z } from 'zod';

export const FC3_REGIONS = [
  'cn-hangzhou',
  'cn-shanghai',
  'cn-qingdao',
  'cn-beijing',
  'cn-zhangjiakou',
  'cn-huhehaote',
  'cn-shenzhen',
  'ap-northeast-2',
  'cn-chengdu',
  'cn-hongkong',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-5',
  'ap-southeast-7',
  'ap-northeast-1',
  'eu-central-1',
  'eu-west-1',
  'us-east-1',
  'us-west-1',
  'ap-south-1',
] as const;

export const HTTP_METHODS = ['HEAD', 'DELETE', 'POST', 'GET', 'OPTIONS', 'PUT', 'PATCH'] as const;

export const OSS_EVENTS = [
  'oss:ObjectCreated:*',
  'oss:ObjectCreated:PutObject',
  'oss:ObjectCreated:PostObject',
  'oss:ObjectCreated:CompleteMultipartUpload',
  'oss:ObjectCreated:PutSymlink',
  'oss:ObjectCreated:CopyObject',
  'oss:ObjectCreated:InitiateMultipartUpload',
  'oss:ObjectCreated:UploadPart',
  'oss:ObjectCreated:UploadPartCopy',
  'oss:ObjectCreated:AppendObject',
  'oss:ObjectRemoved:DeleteObject',
  'oss:ObjectRemoved:DeleteObjects',
  'oss:ObjectRemoved:AbortMultipartUpload',
  'oss:ObjectModified:UpdateObjectMeta',
] as const;

/** FC 3.0 function names: letters, digits, `_` and `-`, not starting with a digit or `-`, 1-128 chars. */
const functionName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/, 'not a valid FC function name');
const triggerName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/, 'not a valid FC trigger name');

/** FC cron: six fields (seconds first), or @every. */
export const cronExpression = z
  .string()
  .refine(
    (s) => /^@every \d+[smh]$/.test(s) || s.trim().split(/\s+/).length === 6,
    'must be a 6-field cron expression (seconds minutes hours day month weekday) or @every Nm',
  );

const httpTrigger = z.strictObject({
  triggerName,
  triggerType: z.literal('http'),
  description: z.string().optional(),
  qualifier: z.string().optional(),
  triggerConfig: z.strictObject({
    authType: z.enum(['anonymous', 'function']),
    methods: z.array(z.enum(HTTP_METHODS)).min(1),
    disableURLInternet: z.boolean().optional(),
  }),
});

const ossTrigger = z.strictObject({
  triggerName,
  triggerType: z.literal('oss'),
  description: z.string().optional(),
  qualifier: z.string().optional(),
  sourceArn: z
    .string()
    .regex(
      /^acs:oss:[a-z0-9-]+:[^:]+:[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
      'acs:oss:<region>:<account>:<bucket>',
    ),
  invocationRole: z.string().regex(/^acs:ram::[^:]+:role\/.+$/, 'acs:ram::<account>:role/<name>'),
  triggerConfig: z.strictObject({
    events: z.array(z.enum(OSS_EVENTS)).min(1),
    filter: z.strictObject({ key: z.strictObject({ prefix: z.string(), suffix: z.string() }) }),
  }),
});

const timerTrigger = z.strictObject({
  triggerName,
  triggerType: z.literal('timer'),
  description: z.string().optional(),
  qualifier: z.string().optional(),
  triggerConfig: z.strictObject({
    cronExpression,
    enable: z.boolean(),
    payload: z.string().optional(),
  }),
});

export const triggerSchema = z.discriminatedUnion('triggerType', [httpTrigger, ossTrigger, timerTrigger]);
export type Trigger = z.infer<typeof triggerSchema>;

const destination = z.strictObject({ destination: z.string().regex(/^acs:[a-z]+:/, 'an acs: ARN') });
export const asyncInvokeConfigSchema = z.strictObject({
  destinationConfig: z
    .strictObject({ onFailure: destination.optional(), onSuccess: destination.optional() })
    .optional(),
  maxAsyncEventAgeInSeconds: z.number().int().min(1).max(86_400).optional(),
  maxAsyncRetryAttempts: z.number().int().min(0).max(8).optional(),
  qualifier: z.string().optional(),
});

/** fc3's IConcurrencyConfig (devsapp/fc3 src/interface/concurrency_config.ts); FC's PutConcurrencyInput. */
export const concurrencyConfigSchema = z.strictObject({
  reservedConcurrency: z.number().int().min(1),
});

/** fc3's IProvisionConfig (devsapp/fc3 src/interface/provison_config.ts), the keys this project documents. */
export const provisionConfigSchema = z.strictObject({
  defaultTarget: z.number().int().min(0),
  alwaysAllocateCPU: z.boolean().optional(),
  alwaysAllocateGPU: z.boolean().optional(),
  scheduledActions: z.array(z.record(z.string(), z.unknown())).optional(),
  targetTrackingPolicies: z.array(z.record(z.string(), z.unknown())).optional(),
});

export const fc3PropsSchema = z.strictObject({
  region: z.enum(FC3_REGIONS),
  functionName,
  description: z.string().max(256).optional(),
  runtime: z.literal('nodejs20'),
  code: z.string().min(1),
  handler: z.string().regex(/^[\w.-]+\.[A-Za-z_$][\w$]*$/, '<file without extension>.<export>'),
  /** MB, a multiple of 64 (FC 3.0: 128-32768 for CPU instances). */
  memorySize: z
    .number()
    .int()
    .min(128)
    .max(32_768)
    .refine((n) => n % 64 === 0, 'must be a multiple of 64'),
  /** Seconds. */
  timeout: z.number().int().min(1).max(86_400),
  internetAccess: z.boolean().optional(),
  role: z.string().regex(/^acs:ram::[^:]+:role\/.+$/, 'acs:ram::<account>:role/<name>'),
  logConfig: z
    .union([z.literal('auto'), z.strictObject({ project: z.string(), logstore: z.string() })])
    .optional(),
  environmentVariables: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).optional(),
  triggers: z.array(triggerSchema).optional(),
  asyncInvokeConfig: asyncInvokeConfigSchema.optional(),
  concurrencyConfig: concurrencyConfigSchema.optional(),
  provisionConfig: provisionConfigSchema.optional(),
});
export type Fc3Props = z.infer<typeof fc3PropsSchema>;

const action = z.strictObject({ run: z.string().min(1), path: z.string().min(1) });

export const sYamlSchema = z.strictObject({
  edition: z.literal('3.0.0'),
  name: z.string().min(1),
  access: z.string().min(1),
  vars: z.record(z.string(), z.unknown()).optional(),
  actions: z.strictObject({ 'pre-deploy': z.array(action).min(1) }).optional(),
  resources: z.record(z.string(), z.strictObject({ component: z.literal('fc3'), props: fc3PropsSchema })),
});
export type SYaml = z.infer<typeof sYamlSchema>;
