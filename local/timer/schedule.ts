/**
 * npm start's schedule for the rerun: the rerun-batch timer trigger of s.yaml when there is one (its
 * `cronExpression`, its `payload` and the function's `timeout`), else a plain interval (IDV_RERUN_INTERVAL).
 * FC timer cron has six fields, seconds first, evaluated in UTC (for example `0 0/15 * * * *`); FC also accepts
 * `@every 1h30m`. cron-parser reads six fields the same way (and would read five as minute-first, which FC
 * does not accept, so five are refused here rather than silently meaning something else).
 */

import { CronExpressionParser } from 'cron-parser';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseDurationMs } from '../../shared/duration.ts';

export type RerunSchedule =
  | {
      kind: 'cron';
      expression: string;
      payload: string;
      triggerName: string;
      timeoutS: number;
      source: string;
    }
  | {
      kind: 'every';
      everyMs: number;
      payload: string;
      triggerName: string;
      timeoutS: number;
      source: string;
    };

export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
  readonly code = 'InvalidSchedule';
}

const timerTriggerSchema = z.object({
  triggerName: z.string().min(1),
  triggerType: z.literal('timer'),
  triggerConfig: z.object({
    cronExpression: z.string().min(1),
    payload: z.string().default(''),
    enable: z.boolean().default(true),
  }),
});
const functionSchema = z.object({
  props: z.object({
    functionName: z.string().optional(),
    timeout: z.number().positive().default(600),
    triggers: z.array(z.unknown()).default([]),
  }),
});

/** `@every 90s`, `@every 1h30m` -> ms. */
export function parseEvery(text: string): number | undefined {
  const m = /^@every\s+(\S+)$/.exec(text.trim());
  // FC's @every always names its unit; a bare number is not a schedule.
  if (!m?.[1] || /^\d+$/.test(m[1])) return undefined;
  const total = parseDurationMs(m[1]);
  return total !== undefined && total > 0 ? total : undefined;
}

/** Checks an FC cron expression (six fields, or `@every`). */
export function validateCron(expression: string): void {
  if (parseEvery(expression) !== undefined) return;
  if (expression.trim().split(/\s+/).length !== 6) {
    throw new ScheduleError(`cronExpression "${expression}": FC cron has six fields (seconds first)`);
  }
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC' });
  } catch (err) {
    throw new ScheduleError(
      `cronExpression "${expression}": ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** The rerun-batch timer of an s.yaml text, or undefined when it has none (or it is disabled). */
export function scheduleFromSYaml(text: string, source = 's.yaml'): RerunSchedule | undefined {
  const doc = parseYaml(text) as { resources?: Record<string, unknown> } | null;
  for (const [name, resource] of Object.entries(doc?.resources ?? {})) {
    const fn = functionSchema.safeParse(resource);
    if (!fn.success) continue;
    const isRerun = name === 'rerun-batch' || fn.data.props.functionName?.includes('rerun');
    if (!isRerun) continue;
    for (const raw of fn.data.props.triggers) {
      const trigger = timerTriggerSchema.safeParse(raw);
      if (!trigger.success || !trigger.data.triggerConfig.enable) continue;
      const { cronExpression, payload } = trigger.data.triggerConfig;
      validateCron(cronExpression);
      const base = {
        payload,
        triggerName: trigger.data.triggerName,
        timeoutS: fn.data.props.timeout,
        source,
      };
      const everyMs = parseEvery(cronExpression);
      return everyMs === undefined
        ? { kind: 'cron', expression: cronExpression.trim(), ...base }
        : { kind: 'every', everyMs, ...base };
    }
  }
  return undefined;
}

export function intervalSchedule(everyMs: number): RerunSchedule {
  return {
    kind: 'every',
    everyMs,
    payload: '{}',
    triggerName: 'local-interval',
    timeoutS: 600,
    source: 'IDV_RERUN_INTERVAL',
  };
}

/** The next time the timer fires, strictly after nowEpochMs. */
export function nextFireEpochMs(schedule: RerunSchedule, nowEpochMs: number): number {
  if (schedule.kind === 'every') return nowEpochMs + schedule.everyMs;
  return CronExpressionParser.parse(schedule.expression, { tz: 'UTC', currentDate: new Date(nowEpochMs) })
    .next()
    .getTime();
}

export const describeSchedule = (s: RerunSchedule): string =>
  s.kind === 'cron'
    ? `cron "${s.expression}" (UTC, from ${s.source})`
    : `every ${Math.round(s.everyMs / 1000)} s (from ${s.source})`;
