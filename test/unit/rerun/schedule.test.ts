import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  describeSchedule,
  intervalSchedule,
  nextFireEpochMs,
  parseEvery,
  ScheduleError,
  scheduleFromSYaml,
  validateCron,
} from '../../../local/timer/schedule.ts';
import { loadLocalSchedule } from '../../../local/timer/timer.ts';
import { loadRerunConfig } from '../../../shared/config.ts';

interface SYamlDoc {
  resources: Record<
    string,
    {
      props: {
        timeout: number;
        triggers: {
          triggerName: string;
          triggerType: string;
          triggerConfig: { cronExpression: string; payload: string };
        }[];
      };
    }
  >;
}

const sYaml = (cron: string, extra = '') => `
edition: 3.0.0
resources:
  verify-oss:
    component: fc3
    props:
      functionName: idv-verify-oss
      triggers:
        - triggerName: oss
          triggerType: oss
          triggerConfig: { events: ['oss:ObjectCreated:PutObject'] }
  rerun-batch:
    component: fc3
    props:
      functionName: idv-rerun-batch
      timeout: 300
      triggers:
        - triggerName: rerun-due
          triggerType: timer
          triggerConfig:
            cronExpression: "${cron}"
            payload: '{"limit":50}'
${extra}`;

describe('the local rerun schedule', () => {
  it("reads the rerun-batch timer's six-field cron, payload and timeout from s.yaml", () => {
    expect(scheduleFromSYaml(sYaml('0 */15 * * * *'))).toEqual({
      kind: 'cron',
      expression: '0 */15 * * * *',
      payload: '{"limit":50}',
      triggerName: 'rerun-due',
      timeoutS: 300,
      source: 's.yaml',
    });
  });

  it('computes the next firing in UTC, seconds first', () => {
    const schedule = scheduleFromSYaml(sYaml('30 */15 * * * *'));
    expect(schedule).toBeDefined();
    const next = nextFireEpochMs(schedule!, Date.parse('2026-01-01T10:07:00Z'));
    expect(new Date(next).toISOString()).toBe('2026-01-01T10:15:30.000Z');
    expect(new Date(nextFireEpochMs(schedule!, next)).toISOString()).toBe('2026-01-01T10:30:30.000Z');
  });

  it('accepts FC @every expressions', () => {
    expect(parseEvery('@every 1h30m')).toBe(5_400_000);
    expect(parseEvery('@every 90s')).toBe(90_000);
    expect(parseEvery('@every soon')).toBeUndefined();
    const schedule = scheduleFromSYaml(sYaml('@every 5m'));
    expect(schedule).toMatchObject({ kind: 'every', everyMs: 300_000 });
    expect(nextFireEpochMs(schedule!, 1000)).toBe(301_000);
  });

  it.each(['0 */15 * * *', 'every quarter', '0 */15 * * * * *', '99 * * * * *'])(
    'refuses the cron expression %j, naming it',
    (cron) => {
      expect(() => validateCron(cron)).toThrow(ScheduleError);
      expect(() => scheduleFromSYaml(sYaml(cron))).toThrow(cron);
    },
  );

  it('has no schedule when s.yaml has no enabled rerun timer', () => {
    expect(scheduleFromSYaml('resources: {}')).toBeUndefined();
    expect(
      scheduleFromSYaml(sYaml('0 0 * * * *').replace('payload:', 'enable: false\n            payload:')),
    ).toBeUndefined();
  });

  it('falls back to IDV_RERUN_INTERVAL without s.yaml', () => {
    expect(loadLocalSchedule(loadRerunConfig({ IDV_RERUN_INTERVAL: '90s' }), '/nonexistent/s.yaml')).toEqual(
      intervalSchedule(90_000),
    );
    expect(loadLocalSchedule(loadRerunConfig({}), '/nonexistent/s.yaml')).toMatchObject({
      kind: 'every',
      everyMs: 60_000,
    });
    expect(() =>
      loadLocalSchedule(loadRerunConfig({ IDV_RERUN_INTERVAL: 'often' }), '/nonexistent/s.yaml'),
    ).toThrow('IDV_RERUN_INTERVAL');
  });

  it("lets IDV_RERUN_INTERVAL override s.yaml's timer, keeping its payload and timeout, and says so", () => {
    const dir = mkdtempSync(join(tmpdir(), 'idv-schedule-'));
    try {
      const file = join(dir, 's.yaml');
      writeFileSync(file, sYaml('0 0/15 * * * *'));
      const fromYaml = loadLocalSchedule(loadRerunConfig({}), file);
      expect(fromYaml.kind).toBe('cron');
      const overridden = loadLocalSchedule(loadRerunConfig({ IDV_RERUN_INTERVAL: '30s' }), file);
      expect(overridden).toMatchObject({ kind: 'every', everyMs: 30_000, payload: fromYaml.payload });
      expect(overridden.timeoutS).toBe(fromYaml.timeoutS);
      expect(describeSchedule(overridden)).toBe(
        'every 30 s (from IDV_RERUN_INTERVAL, overriding the cron "0 0/15 * * * *" timer of s.yaml)',
      );
      expect(() => loadLocalSchedule(loadRerunConfig({ IDV_RERUN_INTERVAL: 'often' }), file)).toThrow(
        'IDV_RERUN_INTERVAL',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads the rerun-batch timer trigger of the repository's own s.yaml", () => {
    const text = readFileSync(fileURLToPath(new URL('../../../s.yaml', import.meta.url)), 'utf8');
    const props = (parseYaml(text) as SYamlDoc).resources['rerun-batch']?.props;
    if (!props) throw new Error('s.yaml has no rerun-batch resource');
    const timer = props.triggers.find((t) => t.triggerType === 'timer');
    if (!timer) throw new Error('s.yaml has no timer trigger on rerun-batch');

    const schedule = scheduleFromSYaml(text);

    expect(schedule).toMatchObject({
      kind: 'cron',
      expression: timer.triggerConfig.cronExpression,
      payload: timer.triggerConfig.payload,
      triggerName: timer.triggerName,
      timeoutS: props.timeout,
    });
    const fromEpochMs = Date.parse('2026-01-01T00:00:01Z');
    expect(nextFireEpochMs(schedule!, fromEpochMs)).toBeGreaterThan(fromEpochMs);
  });
});
