import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../../../shared/cases/schemas.ts';
import { createLogger } from '../../../shared/log.ts';
import { cursorKey } from '../../../shared/rerun/cursor.ts';
import { type RerunOptions, runRerun } from '../../../shared/rerun/run.ts';
import type { CaseRunner, RunOutcome } from '../../../shared/rerun/runner.ts';
import { type MemoryStore, memoryStore } from './memory-store.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const clockAt = (start = T0) => {
  let now = start;
  return { nowMs: () => now, advance: (ms: number) => (now += ms) };
};
const ids = (n: number) => Array.from({ length: n }, (_, i) => `c${String(i).padStart(2, '0')}`);

function bucketOf(n: number, clock = clockAt()): MemoryStore {
  const store = memoryStore(clock.nowMs);
  for (const id of ids(n)) {
    store.seed(`cases/${id}/ref.jpg`, `ref-${id}`);
    store.seed(`cases/${id}/auth.jpg`, `auth-${id}`);
  }
  return store;
}

async function seedResult(
  store: MemoryStore,
  caseId: string,
  status: CaseResult['status'],
  extra: Partial<CaseResult> = {},
) {
  const ref = await store.head(`cases/${caseId}/ref.jpg`);
  const auth = await store.head(`cases/${caseId}/auth.jpg`);
  const result: CaseResult = {
    schema: 'idv.result/v1',
    caseId,
    status,
    photos: { ref: { etag: ref?.etag ?? 'X', size: 1 }, auth: { etag: auth?.etag ?? 'X', size: 1 } },
    attempts: 1,
    firstAttemptAt: new Date(T0).toISOString(),
    lastAttemptAt: new Date(T0).toISOString(),
    claimSeq: 1,
    ...extra,
  };
  store.seed(`cases/${caseId}/result.json`, JSON.stringify(result));
}

/** A runner that records the cases it gets and answers `outcome(call)`. */
function recordingRunner(
  outcome: (call: number, caseId: string) => RunOutcome | Promise<RunOutcome> = () => ({
    kind: 'written',
    status: 'verified',
    errorCode: undefined,
    upstreamCalled: true,
  }),
) {
  const seen: { caseId: string; action: string }[] = [];
  const runner: CaseRunner = async (s, d) => {
    seen.push({ caseId: s.caseId, action: d.action });
    return outcome(seen.length, s.caseId);
  };
  return { runner, seen };
}

const logs: string[] = [];
const logger = createLogger({ write: (l) => logs.push(l) });
const options = (more: Partial<RerunOptions> = {}): RerunOptions => ({
  prefix: 'cases',
  concurrency: 1,
  ...more,
});

describe('runRerun', () => {
  it('runs every due case once and clears nothing when there was no cursor', async () => {
    const clock = clockAt();
    const store = bucketOf(5, clock);
    const { runner, seen } = recordingRunner();
    const report = await runRerun({ store, clock, logger, runner }, options());
    expect(seen.map((s) => s.caseId)).toEqual(ids(5));
    expect(report.stopReason).toBe('complete');
    expect(report.counts).toMatchObject({
      keys: 10,
      scanned: 5,
      due: 5,
      verified: 5,
      skipped: 0,
      remaining: 0,
    });
    expect(store.calls.put ?? 0).toBe(0);
  });

  it('stops taking cases at its deadline, saves a cursor, and the next run resumes after it', async () => {
    const clock = clockAt();
    const store = bucketOf(10, clock);
    const first = recordingRunner(() => {
      clock.advance(1000);
      return { kind: 'written', status: 'verified', errorCode: undefined, upstreamCalled: true };
    });
    const deps = { store, clock, logger };
    const r1 = await runRerun(
      { ...deps, runner: first.runner },
      options({ workDeadlineEpochMs: T0 + 3500, pageSize: 3 }),
    );
    expect(first.seen.map((s) => s.caseId)).toEqual(['c00', 'c01', 'c02', 'c03']);
    expect(r1.stopReason).toBe('deadline');
    expect(r1.cursor?.afterFolder).toBe('cases/c03/');
    expect(store.keys()).toContain(cursorKey('cases'));

    const second = recordingRunner();
    const r2 = await runRerun({ ...deps, runner: second.runner }, options({ pageSize: 3 }));
    expect(r2.resumedFrom).toBe('cases/c03/');
    expect(second.seen.map((s) => s.caseId)).toEqual(['c04', 'c05', 'c06', 'c07', 'c08', 'c09']);
    expect(r2.stopReason).toBe('complete');
    expect(store.keys()).not.toContain(cursorKey('cases'));
  });

  it('leaves due cases it could not start as remaining, and the cursor before the first of them', async () => {
    const clock = clockAt();
    const store = bucketOf(6, clock);
    const { runner, seen } = recordingRunner();
    const report = await runRerun({ store, clock, logger, runner }, options({ limit: 2 }));
    expect(seen).toHaveLength(2);
    expect(report.stopReason).toBe('limit');
    expect(report.counts.remaining).toBeGreaterThanOrEqual(1);
    expect(report.cursor?.afterFolder).toBe('cases/c01/');
  });

  it.each([2, 4, 8])(
    'runs exactly `limit` cases with concurrency %i (the case that finds the limit reached stops only those after it)',
    async (concurrency) => {
      const clock = clockAt();
      const store = bucketOf(10, clock);
      const { runner, seen } = recordingRunner(async () => {
        await new Promise((r) => setTimeout(r, 5));
        return { kind: 'written', status: 'verified', errorCode: undefined, upstreamCalled: true };
      });
      const report = await runRerun({ store, clock, logger, runner }, options({ limit: 3, concurrency }));
      expect(seen.map((c) => c.caseId)).toEqual(['c00', 'c01', 'c02']);
      expect(report.counts.verified).toBe(3);
      expect(report.stopReason).toBe('limit');
      expect(report.cursor?.afterFolder).toBe('cases/c02/');
    },
  );

  it('stops at the first 402 and leaves the rest for after the quota reset', async () => {
    const clock = clockAt();
    const store = bucketOf(8, clock);
    const { runner, seen } = recordingRunner((call) =>
      call >= 3
        ? { kind: 'written', status: 'retrying', errorCode: 'QuotaExceeded', upstreamCalled: true }
        : { kind: 'written', status: 'verified', errorCode: undefined, upstreamCalled: true },
    );
    const report = await runRerun({ store, clock, logger, runner }, options());
    expect(seen).toHaveLength(3);
    expect(report.stopReason).toBe('quota');
    expect(report.counts).toMatchObject({ verified: 2, retrying: 1 });
    expect(report.cursor?.afterFolder).toBe('cases/c02/');
  });

  it('keeps going past a case that throws, and lists it', async () => {
    const clock = clockAt();
    const store = bucketOf(4, clock);
    const { runner, seen } = recordingRunner((_call, caseId) => {
      if (caseId === 'c01') throw Object.assign(new Error('store down'), { code: 'StoreUnavailable' });
      return { kind: 'written', status: 'verified', errorCode: undefined, upstreamCalled: true };
    });
    const report = await runRerun({ store, clock, logger, runner }, options({ concurrency: 2 }));
    expect(seen).toHaveLength(4);
    expect(report.counts).toMatchObject({ verified: 3, errors: 1 });
    expect(report.failedCases).toEqual(['c01']);
    expect(logs.some((l) => l.includes('StoreUnavailable'))).toBe(true);
  });

  it('counts a case whose result.json cannot be read as an error of that case only', async () => {
    const clock = clockAt();
    const store = bucketOf(3, clock);
    await seedResult(store, 'c01', 'verified');
    const get = store.get.bind(store);
    store.get = async (key) => {
      if (key === 'cases/c01/result.json')
        throw Object.assign(new Error('get broke'), { code: 'StoreUnavailable' });
      return get(key);
    };
    const { runner, seen } = recordingRunner();
    const report = await runRerun({ store, clock, logger, runner }, options());
    expect(seen.map((s) => s.caseId)).toEqual(['c00', 'c02']);
    expect(report.stopReason).toBe('complete');
    expect(report.counts).toMatchObject({ verified: 2, errors: 1 });
    expect(report.failedCases).toEqual(['c01']);
  });

  it('decides without running anything and writes nothing in a dry run', async () => {
    const clock = clockAt();
    const store = bucketOf(4, clock);
    await seedResult(store, 'c00', 'verified');
    const { runner, seen } = recordingRunner();
    const report = await runRerun({ store, clock, logger, runner }, options({ dryRun: true, limit: 1 }));
    expect(seen).toHaveLength(0);
    expect(report.counts).toMatchObject({ scanned: 4, due: 3, skipped: 1, verified: 0 });
    expect(store.calls.put ?? 0).toBe(0);
  });

  it('passes final cases as forced only when force is set', async () => {
    const clock = clockAt();
    const store = bucketOf(3, clock);
    await seedResult(store, 'c00', 'verified');
    await seedResult(store, 'c01', 'rejected');
    const normal = recordingRunner();
    await runRerun({ store, clock, logger, runner: normal.runner }, options());
    expect(normal.seen).toEqual([{ caseId: 'c02', action: 'due' }]);
    const forced = recordingRunner();
    await runRerun({ store, clock, logger, runner: forced.runner }, options({ force: true }));
    expect(forced.seen).toEqual([
      { caseId: 'c00', action: 'force' },
      { caseId: 'c01', action: 'force' },
      { caseId: 'c02', action: 'due' },
    ]);
  });

  it("judges a claim by its own lease, not by the listing's last-modified time", async () => {
    const clock = clockAt();
    const store = bucketOf(3, clock);
    const { pairHash } = await import('../../../shared/cases/claims.ts');
    // c00: listed long ago, but its holder's lease runs on (a slow store clock); c01: listed just now, but its
    // lease has ended; c02: an unreadable claim, which only a newer claim number can replace (expired).
    for (const [id, listedAt, leaseUntil] of [
      ['c00', T0 - 600_000, T0 + 60_000],
      ['c01', T0 - 1_000, T0 - 1],
      ['c02', T0 - 1_000, undefined],
    ] as const) {
      const ref = await store.head(`cases/${id}/ref.jpg`);
      const auth = await store.head(`cases/${id}/auth.jpg`);
      const body =
        leaseUntil === undefined
          ? '{'
          : JSON.stringify({
              schema: 'idv.claim/v1',
              seq: 1,
              owner: 'other',
              claimedAtEpochMs: listedAt,
              leaseUntilEpochMs: leaseUntil,
              refEtag: ref?.etag,
              authEtag: auth?.etag,
            });
      store.seed(`cases/${id}/.idv-${pairHash(ref!.etag, auth!.etag)}.claim-000001.json`, body, listedAt);
    }
    const { runner, seen } = recordingRunner();
    await runRerun({ store, clock, logger, runner }, options());
    expect(seen).toEqual([
      { caseId: 'c01', action: 'due' },
      { caseId: 'c02', action: 'due' },
    ]);
  });

  it('takes a case whose newest claim was released (done) at once, whatever its lease', async () => {
    const clock = clockAt();
    const store = bucketOf(1, clock);
    const { pairHash } = await import('../../../shared/cases/claims.ts');
    const ref = await store.head('cases/c00/ref.jpg');
    const auth = await store.head('cases/c00/auth.jpg');
    const hash = pairHash(ref!.etag, auth!.etag);
    store.seed(
      `cases/c00/.idv-${hash}.claim-000001.json`,
      JSON.stringify({
        schema: 'idv.claim/v1',
        seq: 1,
        owner: 'x',
        claimedAtEpochMs: T0,
        leaseUntilEpochMs: T0 + 60_000,
        refEtag: ref?.etag,
        authEtag: auth?.etag,
      }),
    );
    store.seed(
      `cases/c00/.idv-${hash}.done-000001.json`,
      JSON.stringify({ schema: 'idv.done/v1', seq: 1, reason: 'AuthFailed' }),
    );
    const { runner, seen } = recordingRunner();
    await runRerun({ store, clock, logger, runner }, options());
    expect(seen).toEqual([{ caseId: 'c00', action: 'due' }]);
  });

  it('re-runs a case whose case.json changed after its result (a new version)', async () => {
    const clock = clockAt();
    const store = bucketOf(2, clock);
    store.seed('cases/c00/case.json', '{"reference":"x"}');
    store.seed('cases/c01/case.json', '{"reference":"y"}');
    const json = await store.head('cases/c00/case.json');
    await seedResult(store, 'c00', 'rejected', { caseJson: { etag: 'OLD', size: 3 } });
    await seedResult(store, 'c01', 'verified', { caseJson: null });
    const { runner, seen } = recordingRunner();
    const decisions: string[] = [];
    await runRerun(
      { store, clock, logger, runner },
      options({ onCase: (e) => decisions.push(`${e.caseId}:${e.decision.reason}`) }),
    );
    expect(seen.map((c) => c.caseId)).toEqual(['c00', 'c01']);
    expect(decisions).toEqual(['c00:case-json-changed', 'c01:case-json-changed']);
    // the same case.json as judged: final
    await seedResult(store, 'c00', 'rejected', { caseJson: { etag: json!.etag, size: json!.size } });
    const again = recordingRunner();
    await runRerun({ store, clock, logger, runner: again.runner }, options());
    expect(again.seen.map((c) => c.caseId)).toEqual(['c01']);
  });

  it('never runs more cases at once than its concurrency', async () => {
    const clock = clockAt();
    const store = bucketOf(20, clock);
    let active = 0;
    let peak = 0;
    const { runner } = recordingRunner(async () => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      active -= 1;
      return { kind: 'written', status: 'verified', errorCode: undefined, upstreamCalled: true };
    });
    await runRerun({ store, clock, logger, runner }, options({ concurrency: 3 }));
    expect(peak).toBe(3);
  });

  it('ignores a cursor of the other kind and an unreadable one', async () => {
    const clock = clockAt();
    const store = bucketOf(3, clock);
    store.seed(
      cursorKey('cases'),
      JSON.stringify({
        schema: 'idv.rerun-cursor/v1',
        prefix: 'cases',
        force: true,
        afterFolder: 'cases/c01/',
        savedAtIso: new Date(T0).toISOString(),
        reason: 'deadline',
      }),
    );
    const a = recordingRunner();
    await runRerun({ store, clock, logger, runner: a.runner }, options());
    expect(a.seen).toHaveLength(3);
    store.seed(cursorKey('cases'), 'not json');
    const b = recordingRunner();
    await runRerun({ store, clock, logger, runner: b.runner }, options());
    expect(b.seen).toHaveLength(3);
  });

  it('keeps the progress of a run whose listing fails half way', async () => {
    const clock = clockAt();
    const store = bucketOf(6, clock);
    const list = store.list.bind(store);
    let pages = 0;
    store.list = async (req) => {
      pages += 1;
      if (pages === 3) throw Object.assign(new Error('list broke'), { code: 'StoreUnavailable' });
      return list(req);
    };
    const { runner, seen } = recordingRunner();
    const report = await runRerun({ store, clock, logger, runner }, options({ pageSize: 4 }));
    expect(report.stopReason).toBe('list-error');
    expect(report.error?.code).toBe('StoreUnavailable');
    // c02 was listed but not started when the listing broke: it stays for the next run, after the cursor.
    expect(seen.map((s) => s.caseId)).toEqual(['c00', 'c01']);
    expect(report.counts.remaining).toBe(1);
    expect(report.cursor?.afterFolder).toBe('cases/c01/');
  });
});
