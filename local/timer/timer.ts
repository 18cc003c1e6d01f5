/**
 * The rerun as a piece of `npm start`: the rerun-batch handler on the local bucket folder (IDV_BUCKET_DIR,
 * default ./bucket), fired like FC's timer trigger (FC-shaped timer event, context with the function timeout)
 * on s.yaml's schedule when s.yaml exists, else every IDV_RERUN_INTERVAL. A tick that comes while the previous
 * run is still going is skipped (FC would start a second instance; one local run at a time is clearer).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { rerunBatchHandlerFromConfig } from '../../functions/rerun-batch/handler.ts';
import type { RerunConfig } from '../../shared/config.ts';
import type { Logger } from '../../shared/log.ts';
import type { DevConfig } from '../dev/config.ts';
import { idvTowards, localBucket, type Piece, type Upstream } from '../dev/pieces.ts';
import {
  describeSchedule,
  intervalSchedule,
  nextFireEpochMs,
  type RerunSchedule,
  scheduleFromSYaml,
} from './schedule.ts';

/**
 * IDV_RERUN_INTERVAL when it is set (it overrides s.yaml's timer, keeping that trigger's payload and timeout),
 * else s.yaml's timer trigger, else every minute. describeSchedule says which one is used.
 */
export function loadLocalSchedule(
  rerun: Pick<RerunConfig, 'intervalMs' | 'intervalSet'>,
  sYamlPath = path.resolve('s.yaml'),
): RerunSchedule {
  const { intervalMs, intervalSet } = rerun;
  const fromSYaml = existsSync(sYamlPath)
    ? scheduleFromSYaml(readFileSync(sYamlPath, 'utf8'), path.basename(sYamlPath))
    : undefined;
  if (!intervalSet && fromSYaml) return fromSYaml;
  const interval = intervalSchedule(intervalMs);
  if (!fromSYaml) return intervalSet ? interval : { ...interval, source: 'default, no s.yaml timer' };
  return {
    ...interval,
    payload: fromSYaml.payload,
    timeoutS: fromSYaml.timeoutS,
    source: `IDV_RERUN_INTERVAL, overriding the ${describeSchedule(fromSYaml).replace(/ \(.*\)$/, '')} timer of ${fromSYaml.source}`,
  };
}

export async function startRerunTimer(
  config: Pick<DevConfig, 'idv' | 'bucket' | 'rerun'>,
  upstream: Upstream,
  logger: Logger,
  options: { schedule?: RerunSchedule; now?: () => number } = {},
): Promise<Piece & { fire(): Promise<void> }> {
  const now = options.now ?? Date.now;
  const schedule = options.schedule ?? loadLocalSchedule(config.rerun);
  const log = logger.child({ fn: 'rerun-batch' });
  const idv = idvTowards(config.idv, upstream);
  const bucket = localBucket(config.bucket, idv);
  const { dir } = bucket.store;
  const handler = rerunBatchHandlerFromConfig(
    { idv, bucket, rerun: { ...config.rerun, mode: 'inline' }, credentials: upstream.credentials },
    { logger: log },
  );
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const fire = async (): Promise<void> => {
    if (running) {
      log.info('rerun tick skipped: the previous run is still going');
      return running;
    }
    const event = {
      triggerTime: new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      triggerName: schedule.triggerName,
      payload: schedule.payload,
    };
    const context = {
      requestId: randomUUID(),
      function: { name: 'idv-rerun-batch', timeout: schedule.timeoutS },
    };
    running = handler(Buffer.from(JSON.stringify(event)), context)
      .then(() => undefined)
      .catch((err: unknown) => log.error('rerun run failed', { err }))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const arm = () => {
    if (stopped) return;
    const delay = Math.max(0, nextFireEpochMs(schedule, now()) - now());
    timer = setTimeout(() => {
      void fire();
      arm();
    }, delay);
  };
  arm();
  return {
    name: 'rerun-timer',
    lines: [
      `  Rerun timer:      ${describeSchedule(schedule)}; on demand:`,
      `    ${onDemandCommand(upstream, dir)}`,
    ],
    fire,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/**
 * The `npm run rerun` command against this stack's bucket and upstream, with every variable set: pasted as
 * it is, it reaches the same upstream as npm start (without IDV_ENDPOINT it would call Alibaba's paid API).
 * Never prints a secret that is not on screen already (a generated emulator key is; a chosen or real key is
 * not: a placeholder stands in, and pasted unchanged it fails the signature check before anything is paid).
 */
export function onDemandCommand(upstream: Upstream, dir: string): string {
  const { endpoint, credentials, defaultResourceCode, secretOnScreen } = upstream;
  const secret = secretOnScreen ? credentials.accessKeySecret : "'<the AccessKey secret npm start uses>'";
  const command = [
    `IDV_ENDPOINT=${endpoint}`,
    `ALIBABA_CLOUD_ACCESS_KEY_ID=${credentials.accessKeyId}`,
    `ALIBABA_CLOUD_ACCESS_KEY_SECRET=${secret}`,
    ...(defaultResourceCode ? [`IDV_RESOURCE_CODE=${defaultResourceCode}`] : []),
    `npm run rerun -- --bucket-dir ${dir}`,
  ].join(' ');
  // The rerun needs npm start's resourceCode default, or cases naming none stay unjudged.
  return defaultResourceCode
    ? command
    : `${command} (set IDV_RESOURCE_CODE too, unless every case names its resourceCode)`;
}
