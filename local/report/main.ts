/**
 * `npm run report -- --prefix cases/ (--bucket-dir DIR | --bucket NAME --region R) --out report.html [--json]
 * [--threshold N]`: reads every result.json under the prefix and writes one self-contained HTML page (or, with
 * --json, prints the same figures as JSON). OSS is read with ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET (read-only use).
 * Exit code 2 for bad arguments (an --out that cannot be written included), a missing bucket folder or missing
 * credentials; 1 when the bucket cannot be read.
 */
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  bucketStoreTarget,
  ConfigError,
  loadBucketConfig,
  loadCredentialsConfig,
  readProcessEnv,
  type StoreTarget,
} from '../../shared/config.ts';
import type { Credentials } from '../../shared/idv/types.ts';
import { storeFromConfig } from '../../shared/wiring.ts';
import { BUCKET_OPTIONS, bucketArgsShape, parseArgsWith, UsageError, withBucketRules } from '../cli/args.ts';
import { DEFAULT_THRESHOLD } from '../engine/calibration.ts';
import { collectReport } from './collect.ts';
import { renderReportHtml } from './html.ts';

const USAGE = `Usage: npm run report -- [--prefix cases/] [--bucket-dir DIR | --bucket NAME --region R]
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
Exit code: 0 written, 1 the bucket could not be read, 2 bad arguments (an --out that cannot be written
included), missing folder or credentials.`;

const argsSchema = withBucketRules(
  z.object({
    ...bucketArgsShape,
    out: z.string().min(1).optional(),
    json: z.boolean().default(false),
    threshold: z
      .string()
      .regex(/^\d+(\.\d+)?$/, '--threshold must be a number from 0 to 100')
      .transform(Number)
      .refine((n) => n <= 100, '--threshold must be a number from 0 to 100')
      .optional(),
  }),
).refine((a) => a.help || a.out !== undefined || a.json, 'say where the report goes: --out FILE or --json');

const parse = (argv: string[]) =>
  parseArgsWith(
    argv,
    { ...BUCKET_OPTIONS, out: { type: 'string' }, json: { type: 'boolean' }, threshold: { type: 'string' } },
    argsSchema,
  );

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const env = readProcessEnv();
  const bucket = loadBucketConfig(env);
  const prefix = args.prefix ?? bucket.settings.prefix;
  let target: StoreTarget;
  let credentials: Credentials | undefined;
  if (args.bucket) {
    credentials = loadCredentialsConfig(env);
    if (!credentials) {
      throw new ConfigError(
        'ALIBABA_CLOUD_ACCESS_KEY_ID',
        'set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET to read the OSS bucket',
      );
    }
    target = bucketStoreTarget(
      { ...bucket.store, kind: 'oss' },
      { bucket: args.bucket, region: args.region },
    );
  } else {
    const dir = path.resolve(args['bucket-dir'] ?? bucket.store.dir);
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new ConfigError('--bucket-dir', `the bucket folder ${dir} does not exist`);
    }
    target = { kind: 'fs', dir };
  }
  const store = storeFromConfig(target, () => {
    if (!credentials) throw new Error('no credentials for OSS');
    return credentials;
  });
  const source = target.kind === 'oss' ? `oss://${target.bucket} (${target.region})` : target.dir;
  const report = await collectReport(store, {
    prefix,
    source,
    threshold: args.threshold ?? DEFAULT_THRESHOLD,
    nowMs: Date.now(),
  });
  if (args.out) {
    const out = path.resolve(args.out);
    try {
      writeFileSync(out, renderReportHtml(report));
    } catch (err) {
      // Not the bucket's fault: a bad --out is a bad argument (exit 2), said once.
      const why = (err as { code?: unknown }).code === 'EISDIR' ? 'is a folder' : 'cannot be written';
      throw new UsageError(`--out ${out} ${why} (${(err as { code?: unknown }).code ?? 'error'})`);
    }
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
