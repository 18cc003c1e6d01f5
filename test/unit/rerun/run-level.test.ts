import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exitCodeOf, summaryTable } from '../../../local/rerun-cli/report.ts';
import { onDemandCommand } from '../../../local/timer/timer.ts';
import { RunLevelError } from '../../../shared/cases/errors.ts';
import { processCase, readResult } from '../../../shared/cases/process.ts';
import { DEFAULT_CASE_SETTINGS } from '../../../shared/cases/settings.ts';
import { IdvError } from '../../../shared/idv/errors.ts';
import type { IdvClient } from '../../../shared/idv/types.ts';
import { silentLogger } from '../../../shared/log.ts';
import { emptyCounts } from '../../../shared/rerun/counts.ts';
import { type RerunReport, runRerun } from '../../../shared/rerun/run.ts';
import { createInlineRunner } from '../../../shared/rerun/runner.ts';
import { createFsStore } from '../../../shared/store/fs.ts';
import type { ObjectStore } from '../../../shared/store/types.ts';
import { jpeg, movableClock, verdictOf } from '../../helpers/oss-events.ts';

const settings = { ...DEFAULT_CASE_SETTINGS, defaultResourceCode: '11111111' };
const loc = { prefix: 'cases', caseId: 'c0' };

function failingClient(code: IdvError['code']) {
  const calls: number[] = [];
  const client: IdvClient = {
    async verify() {
      calls.push(1);
      throw new IdvError(code, `upstream ${code}`, { requestId: 'R-1' });
    },
  };
  return { client, calls };
}

describe('run-level failures', () => {
  let root: string;
  let store: ObjectStore;
  const clock = movableClock(Date.parse('2026-03-10T10:00:00Z'));

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'run-level-'));
    store = createFsStore({ root });
    for (const i of [0, 1, 2, 3, 4, 5]) {
      await store.put(`cases/c${i}/ref.jpg`, await jpeg(i));
      await store.put(`cases/c${i}/auth.jpg`, await jpeg(i + 50));
    }
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  for (const code of ['AuthFailed', 'NotActivated', 'InvalidService'] as const) {
    it(`writes no result and spends no attempt when the upstream answers ${code}`, async () => {
      const { client } = failingClient(code);
      const err = await processCase({ store, client, clock, logger: silentLogger, settings }, loc).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(RunLevelError);
      expect((err as RunLevelError).code).toBe(code);
      expect(await readResult(store, loc)).toBeUndefined();
      // The claim was released: a fixed configuration verifies at once, as the first attempt.
      const ok: IdvClient = { verify: async () => verdictOf() };
      const outcome = await processCase({ store, client: ok, clock, logger: silentLogger, settings }, loc);
      expect(outcome).toMatchObject({ action: 'written', status: 'verified' });
      expect((await readResult(store, loc))?.attempts).toBe(1);
    });
  }

  it('leaves a case that names no resourceCode unjudged when IDV_RESOURCE_CODE is missing', async () => {
    const calls: number[] = [];
    const client: IdvClient = {
      verify: async () => {
        calls.push(1);
        return verdictOf();
      },
    };
    const err = await processCase(
      {
        store,
        client,
        clock,
        logger: silentLogger,
        settings: { ...settings, defaultResourceCode: undefined },
      },
      loc,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunLevelError);
    expect(err).toMatchObject({ code: 'resource_code_missing', variable: 'IDV_RESOURCE_CODE' });
    expect(calls).toHaveLength(0);
    expect(await readResult(store, loc)).toBeUndefined();
  });

  it('stops the rerun at the first authentication failure, after one call, whatever the concurrency', async () => {
    const { client, calls } = failingClient('AuthFailed');
    const runner = createInlineRunner({ store, client, clock, logger: silentLogger, settings });
    const report = await runRerun(
      { store, clock, logger: silentLogger, runner },
      { prefix: 'cases', concurrency: 4, useCursor: false },
    );
    expect(calls).toHaveLength(1);
    expect(report.stopReason).toBe('run-level-error');
    expect(report.error).toMatchObject({ code: 'AuthFailed' });
    expect(exitCodeOf(report)).toBe(2);
    for (const i of [0, 1, 2, 3, 4, 5]) {
      expect(await readResult(store, { prefix: 'cases', caseId: `c${i}` })).toBeUndefined();
    }
  });

  it('names IDV_RESOURCE_CODE in the summary when the run stops for it', async () => {
    const client: IdvClient = { verify: async () => verdictOf() };
    const runner = createInlineRunner({
      store,
      client,
      clock,
      logger: silentLogger,
      settings: { ...settings, defaultResourceCode: undefined },
    });
    const report = await runRerun(
      { store, clock, logger: silentLogger, runner },
      { prefix: 'cases', concurrency: 2, useCursor: false },
    );
    expect(exitCodeOf(report)).toBe(2);
    expect(summaryTable(report, false)).toContain('IDV_RESOURCE_CODE');
  });
});

describe('exitCodeOf', () => {
  const report = (counts: Partial<RerunReport['counts']>): RerunReport => ({
    counts: { ...emptyCounts(), ...counts },
    stopReason: 'complete',
    failedCases: [],
    durationMs: 1,
  });

  it('is 1 when every case that ran ended retrying (no call succeeded)', () => {
    expect(exitCodeOf(report({ due: 3, retrying: 3 }))).toBe(1);
  });

  it('is 0 when some calls succeeded and others are retrying', () => {
    expect(exitCodeOf(report({ due: 3, retrying: 2, verified: 1 }))).toBe(0);
  });
});

describe("npm start's on-demand rerun hint", () => {
  it('mentions IDV_RESOURCE_CODE in IDV_ENDPOINT mode', () => {
    const upstream = {
      endpoint: 'https://example.invalid',
      credentials: { accessKeyId: 'id', accessKeySecret: 'secret' },
      secretOnScreen: false,
    };
    expect(onDemandCommand({ ...upstream, defaultResourceCode: undefined }, '/b')).toContain(
      'IDV_RESOURCE_CODE',
    );
    expect(onDemandCommand({ ...upstream, defaultResourceCode: '00840000' }, '/b')).toContain(
      'IDV_RESOURCE_CODE=00840000',
    );
  });
});
