/**
 * `npm run rerun`: the scheduled rerun on demand, against a local bucket folder or an OSS bucket, calling the
 * upstream configured exactly as the functions are (IDV_ENDPOINT, ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET). Runs the
 * same core as functions/rerun-batch (inline: processCase per case) over the whole prefix (no cursor, no
 * deadline). A progress bar on a TTY, plain lines otherwise, a summary table at the end. Exit code 2 at the first
 * configuration or account failure (wrong key, service not activated, IDV_RESOURCE_CODE missing: the run stops
 * and no case spends an attempt), 1 when cases ended failed or every case that ran ended retrying. See args.ts.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { systemClock } from '../../shared/clock.ts';
import {
  bucketStoreTarget,
  ConfigError,
  loadBucketConfig,
  loadCredentialsConfig,
  loadIdvConfig,
  loadLogConfig,
  loadRerunConfig,
  readProcessEnv,
} from '../../shared/config.ts';
import { createLogger } from '../../shared/log.ts';
import { runRerun } from '../../shared/rerun/run.ts';
import { createInlineRunner } from '../../shared/rerun/runner.ts';
import { idvClientFromConfig, storeFromConfig } from '../../shared/wiring.ts';
import { UsageError } from '../cli/args.ts';
import { MissingBucketFolderError, parseCliArgs, USAGE } from './args.ts';
import { terminalLogLine } from './log-line.ts';
import { createProgress } from './progress.ts';
import { caseLine, exitCodeOf, summaryTable } from './report.ts';

async function main(): Promise<number> {
  const args = parseCliArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const env = readProcessEnv();
  const idv = loadIdvConfig(env);
  const bucket = loadBucketConfig(env);
  const rerun = loadRerunConfig(env);
  const credentials = loadCredentialsConfig(env);
  const dryRun = args['dry-run'];
  if (!credentials && !dryRun) {
    throw new ConfigError(
      'ALIBABA_CLOUD_ACCESS_KEY_ID',
      'set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (the emulator key for `npm start`), or use --dry-run',
    );
  }
  const ossBucket =
    args.bucket ??
    (args['bucket-dir'] ? undefined : bucket.store.kind === 'oss' ? bucket.store.bucket : undefined);
  const region = args.region ?? bucket.store.region;
  if (ossBucket && !region)
    throw new ConfigError('OSS_REGION', 'an OSS bucket needs --region (or OSS_REGION)');
  const dir = path.resolve(args['bucket-dir'] ?? bucket.store.dir);
  if (!ossBucket) {
    const kind = statSync(dir, { throwIfNoEntry: false });
    if (!kind?.isDirectory()) throw new MissingBucketFolderError(dir, kind !== undefined);
  }
  const store = storeFromConfig(
    ossBucket
      ? bucketStoreTarget({ ...bucket.store, kind: 'oss' }, { bucket: ossBucket, region })
      : { kind: 'fs', dir },
    () => {
      if (!credentials) throw new Error('no credentials for OSS');
      return credentials;
    },
  );
  const where = ossBucket ? `oss://${ossBucket} (${region})` : dir;
  // Logs go to stderr as JSON lines (warnings and errors only unless LOG_LEVEL says otherwise).
  const { level } = loadLogConfig(env, 'warn');
  const logger = createLogger({
    level,
    write: (line) => process.stderr.write(`${terminalLogLine(line, level === 'debug')}\n`),
    fields: { fn: 'rerun-cli' },
  });
  const client = idvClientFromConfig(idv, {
    clock: systemClock,
    logger,
    credentials: () => {
      if (!credentials) throw new Error('no credentials');
      return credentials;
    },
  });
  const prefix = args.prefix ?? bucket.settings.prefix;
  const runner = createInlineRunner({
    store,
    client,
    clock: systemClock,
    logger,
    settings: { ...bucket.settings, prefix },
  });

  const tty = process.stdout.isTTY === true;
  console.log(
    `${dryRun ? 'Dry run: ' : ''}rerun of ${prefix === '' ? '(bucket root)' : `${prefix}/`} in ${where}${args.force ? ' (forced)' : ''}; upstream ${idv.endpoint}`,
  );
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format:
            ' {bar} {value}/{total} cases | verified {verified} | retrying {retrying} | failed {failed}',
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const tally = { verified: 0, retrying: 0, failed: 0 };
  const progress = createProgress(bar, tally);
  const report = await runRerun(
    { store, clock: systemClock, logger, runner },
    {
      prefix,
      concurrency: args.concurrency ?? rerun.concurrency,
      force: args.force,
      dryRun,
      useCursor: false,
      ...(args.limit === undefined ? {} : { limit: args.limit }),
      onScan: () => progress.onScan(),
      onCase: (event) => {
        if (event.outcome?.kind === 'written' && event.outcome.status in tally) {
          tally[event.outcome.status as keyof typeof tally] += 1;
        }
        if (event.outcome?.kind === 'error') tally.failed += 1;
        if (bar) progress.onCase();
        else {
          const line = caseLine(event, dryRun);
          if (line) console.log(line);
        }
      },
    },
  );
  progress.stop();
  console.log(summaryTable(report, dryRun, args.force));
  if (report.stopReason === 'run-level-error' && report.error) {
    const fix = report.error.variable ? `set ${report.error.variable}; ` : '';
    console.error(
      `rerun: stopped: ${report.error.code}: ${report.error.message} (${fix}no case spent an attempt)`,
    );
  }
  return exitCodeOf(report);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (err instanceof ConfigError || err instanceof MissingBucketFolderError) {
      console.error(`rerun: ${err.message}`);
      process.exitCode = 2;
    } else {
      console.error(`rerun failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
  },
);
