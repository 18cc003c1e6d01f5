/**
 * `npm run rerun -- --prefix cases/ [--force] [--dry-run] [--concurrency N] [--limit N]
 *   [--bucket-dir DIR | --bucket NAME --region R]`, parsed by ../cli/args.ts.
 */
import { z } from 'zod';
import { MAX_RERUN_CONCURRENCY } from '../../shared/rerun/schemas.ts';
import { BUCKET_OPTIONS, bucketArgsShape, parseArgsWith, withBucketRules } from '../cli/args.ts';

export const USAGE = `Usage: npm run rerun -- [--prefix cases/] [--force] [--dry-run] [--concurrency N] [--limit N]
                      [--bucket-dir DIR | --bucket NAME --region REGION]

Re-runs what is due under a prefix (complete pairs without a result, retries whose time has come, verdicts
about photos that were replaced, expired claims), or every complete pair with --force, against a local
folder (default IDV_BUCKET_DIR or ./bucket) or an OSS bucket, calling the upstream configured as the functions
do (IDV_ENDPOINT, ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET).

  --prefix P         cases live at P/<caseId>/ (default IDV_PREFIX or "cases"; a trailing / is ignored)
  --force            re-verify final verdicts too (pays again for every complete pair)
  --dry-run          decide and list what is due; no paid call, nothing written
  --concurrency N    cases verified at the same time (1-${MAX_RERUN_CONCURRENCY}, default IDV_RERUN_CONCURRENCY or 4)
  --limit N          run at most N due cases; the others stay due and a later run (which starts
                     from the beginning: this command keeps no cursor) takes them
  --bucket-dir DIR   a local bucket folder
  --bucket NAME      an OSS bucket (with --region)
  --region R         the bucket's region, e.g. ap-southeast-1
Exit code: 0 when no case ended failed, 1 when some did (or could not be processed), 2 for bad arguments
or a bucket folder that does not exist.`;

/** --bucket-dir (or IDV_BUCKET_DIR) names no folder: an error (exit 2), not an empty bucket. */
export class MissingBucketFolderError extends Error {
  override readonly name = 'MissingBucketFolderError';
  readonly code = 'MissingBucketFolder';
  constructor(dir: string, exists: boolean) {
    super(
      exists
        ? `the bucket folder ${dir} is not a folder`
        : `the bucket folder ${dir} does not exist (check --bucket-dir or IDV_BUCKET_DIR; npm start creates ./bucket)`,
    );
  }
}

const positiveInt = (name: string, max?: number) =>
  z
    .string()
    .regex(/^\d+$/, `--${name} must be a whole number`)
    .transform(Number)
    .refine(
      (n) => n >= 1 && (max === undefined || n <= max),
      max === undefined ? `--${name} must be 1 or more` : `--${name} must be between 1 and ${max}`,
    );

const argsSchema = withBucketRules(
  z.object({
    ...bucketArgsShape,
    force: z.boolean().default(false),
    'dry-run': z.boolean().default(false),
    concurrency: positiveInt('concurrency', MAX_RERUN_CONCURRENCY).optional(),
    limit: positiveInt('limit').optional(),
  }),
);

type CliArgs = z.infer<typeof argsSchema>;

export const parseCliArgs = (argv: string[]): CliArgs =>
  parseArgsWith(
    argv,
    {
      ...BUCKET_OPTIONS,
      force: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      concurrency: { type: 'string' },
      limit: { type: 'string' },
    },
    argsSchema,
  );
