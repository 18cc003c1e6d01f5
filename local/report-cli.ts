/**
 * `npm run report -- --prefix cases/ (--bucket-dir DIR | --bucket NAME --region R) --out report.html [--json]
 * [--threshold N]`: reads every result.json under the prefix and writes one self-contained HTML page (or, with
 * --json, prints the same figures as JSON). OSS is read with ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET (read-only use).
 * Exit code 2 for bad arguments, a missing bucket folder or missing credentials; 1 when the bucket cannot be read.
 */
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { prefixSchema } from '../shared/cases/layout.ts';
import { ConfigError, loadBucketConfig, loadCredentialsConfig, readProcessEnv } from '../shared/config.ts';
import { createFsStore } from '../shared/store/fs.ts';
import { createS3Store } from '../shared/store/s3.ts';
import { DEFAULT_THRESHOLD } from './engine/calibration.ts';
import { collectReport } from './report/collect.ts';
import { renderReportHtml } from './report/html.ts';

export const USAGE = `Usage: npm run report -- [--prefix cases/] [--bucket-dir DIR | --bucket NAME --region R]
                       (--out report.html | --json) [--threshold N]

Reads every <prefix>/<caseId>/result.json and writes one self-contained HTML page: counts by status, a score
histogram with the pass mark, attempts and error codes, the cases that are not verified with their reason, and
when the cases ran. --json prints the same figures to stdout.

  --prefix P         cases live at P/<caseId>/ (default IDV_PREFIX or "cases")
  --bucket-dir DIR   a local bucket folder (default IDV_BUCKET_DIR or ./bucket)
  --bucket NAME      an OSS bucket (with --region; ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET to read it)
  --region R         the bucket's region, e.g. ap-southeast-1
  --out FILE         where to write the HTML page
  --json             print the figures as JSON (with or without --out)
  --threshold N      the pass mark drawn on the histogram (default ${DEFAULT_THRESHOLD}, the local engine's)
Exit code: 0 written, 1 the bucket could not be read, 2 bad arguments, missing folder or credentials.`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

const argsSchema = z
  .object({
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
    out: z.string().min(1).optional(),
    json: z.boolean().default(false),
    threshold: z
      .string()
      .regex(/^\d+(\.\d+)?$/, '--threshold must be a number from 0 to 100')
      .transform(Number)
      .refine((n) => n <= 100, '--threshold must be a number from 0 to 100')
      .optional(),
    help: z.boolean().default(false),
  })
  .refine((a) => !(a['bucket-dir'] && a.bucket), '--bucket-dir and --bucket cannot be used together')
  .refine((a) => (a.bucket === undefined) === (a.region === undefined), '--bucket and --region go together')
  .refine((a) => a.help || a.out !== undefined || a.json, 'say where the report goes: --out FILE or --json');

function parse(argv: string[]) {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        prefix: { type: 'string' },
        'bucket-dir': { type: 'string' },
        bucket: { type: 'string' },
        region: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        threshold: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message ?? 'invalid arguments');
  return parsed.data;
}

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const env = readProcessEnv();
  const bucket = loadBucketConfig(env);
  const prefix = args.prefix ?? bucket.settings.prefix;
  let store: ReturnType<typeof createFsStore>;
  let source: string;
  if (args.bucket) {
    const credentials = loadCredentialsConfig(env);
    if (!credentials) {
      throw new ConfigError(
        'ALIBABA_CLOUD_ACCESS_KEY_ID',
        'set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET to read the OSS bucket',
      );
    }
    const region = args.region as string;
    store = createS3Store({
      bucket: args.bucket,
      region,
      endpoint: bucket.store.endpointFor(region),
      credentials: () => credentials,
    });
    source = `oss://${args.bucket} (${region})`;
  } else {
    const dir = path.resolve(args['bucket-dir'] ?? bucket.store.dir);
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new ConfigError('--bucket-dir', `the bucket folder ${dir} does not exist`);
    }
    store = createFsStore({ root: dir });
    source = dir;
  }
  const report = await collectReport(store, {
    prefix,
    source,
    threshold: args.threshold ?? DEFAULT_THRESHOLD,
    nowMs: Date.now(),
  });
  if (args.out) {
    const out = path.resolve(args.out);
    writeFileSync(out, renderReportHtml(report));
    const summary = Object.entries(report.byStatus)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    (args.json ? console.error : console.log)(
      `wrote ${out}: ${report.cases} cases${summary ? ` (${summary})` : ''}`,
    );
  }
  if (args.json) console.log(JSON.stringify(report, null, 2));
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (err instanceof ConfigError) {
      console.error(`report: ${err.message}`);
      process.exitCode = 2;
    } else {
      const e = err as { code?: unknown; message?: unknown };
      console.error(
        `report failed: ${typeof e.code === 'string' ? `${e.code}: ` : ''}${String(e.message ?? err)}`,
      );
      process.exitCode = 1;
    }
  },
);
