/**
 * Argument parsing shared by the command-line tools (`npm run rerun`, `npm run report`): node:util parseArgs
 * (strict, no positionals), then a zod schema for the values; any mistake is a UsageError (exit 2 with the
 * usage text). The bucket options (`--prefix`, `--bucket-dir`, `--bucket` with `--region`) are declared once.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { z } from 'zod';
import { prefixSchema } from '../../shared/cases/layout.ts';

export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'InvalidArguments';
}

/** parseArgs options of the bucket flags and --help. */
export const BUCKET_OPTIONS = {
  prefix: { type: 'string' },
  'bucket-dir': { type: 'string' },
  bucket: { type: 'string' },
  region: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** zod shape of the bucket flags and --help. */
export const bucketArgsShape = {
  prefix: z
    .string()
    .transform((p) => p.replace(/\/+$/, ''))
    .pipe(prefixSchema)
    .optional(),
  'bucket-dir': z.string().min(1).optional(),
  bucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, '--bucket must be an OSS bucket name')
    .optional(),
  region: z
    .string()
    .regex(/^[a-z0-9-]+$/, '--region must be a region id such as ap-southeast-1')
    .optional(),
  help: z.boolean().default(false),
};

type BucketArgs = {
  'bucket-dir'?: string | undefined;
  bucket?: string | undefined;
  region?: string | undefined;
};

/** One folder or one OSS bucket, and an OSS bucket with its region. */
export const withBucketRules = <S extends z.ZodType<BucketArgs>>(schema: S) =>
  schema
    .refine((a) => !(a['bucket-dir'] && a.bucket), '--bucket-dir and --bucket cannot be used together')
    .refine(
      (a) => (a.bucket === undefined) === (a.region === undefined),
      '--bucket and --region go together',
    );

/** Parses argv with parseArgs' `options`, then validates the values with `schema`. */
export function parseArgsWith<S extends z.ZodType>(
  argv: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  schema: S,
): z.infer<S> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message ?? 'invalid arguments');
  return parsed.data;
}
