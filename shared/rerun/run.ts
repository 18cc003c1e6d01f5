/**
 * The rerun core: streams a prefix case by case, decides each one (decide.ts) and hands the due ones to a
 * CaseRunner with a concurrency limit. Failures stay per case. It stops taking new work at its deadline, after
 * `limit` due cases, or at the first 402 (daily quota spent: the rest waits for the reset), and then saves a
 * cursor so the next run continues where this one stopped; a run that reaches the end clears it.
 */
import pLimit from 'p-limit';
import { RunLevelError } from '../cases/errors.ts';
import { claimKey } from '../cases/layout.ts';
import { pendingClaimSeq } from '../cases/lease.ts';
import { claimSchema } from '../cases/schemas.ts';
import { versionHash, versionToJudge } from '../cases/version.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { StoreError } from '../store/errors.ts';
import { readJson } from '../store/json.ts';
import type { ObjectStore } from '../store/types.ts';
import { countStatus, emptyCounts, type RerunCounts, type StopReason } from './counts.ts';
import { readCursor, settleCursor } from './cursor.ts';
import { type Decision, type DecisionInput, decideCase } from './decide.ts';
import { resultFacts } from './result-facts.ts';
import type { CaseRunner, RunOutcome } from './runner.ts';
import { type CaseSnapshot, scanCasesAfter } from './scan.ts';
import type { RerunCursor } from './schemas.ts';
import { createWatermark } from './watermark.ts';

interface RerunDeps {
  store: ObjectStore;
  clock: Clock;
  logger: Logger;
  runner: CaseRunner;
}

/**
 * The newest claim of the version there now that is not covered by its result and was not released: its lease
 * must be read from the claim itself (one GET, only for a case with such a claim).
 */
function pendingClaimKey(
  s: CaseSnapshot,
  result: DecisionInput['result'],
): { key: string; seq: number } | undefined {
  if (!s.ref || !s.auth) return undefined;
  const now = { refEtag: s.ref.etag, authEtag: s.auth.etag, caseJsonEtag: s.caseJson?.etag ?? null };
  const judged = typeof result === 'object' ? result : undefined;
  const { version, same } = versionToJudge(now, judged);
  const hash = versionHash(version);
  const seq = pendingClaimSeq(s.claims.get(hash), same && judged ? judged.claimSeq : 0);
  return seq === undefined
    ? undefined
    : { key: claimKey({ prefix: s.prefix, caseId: s.caseId }, hash, seq), seq };
}

export interface RerunOptions {
  prefix: string;
  force?: boolean;
  dryRun?: boolean;
  /** At most this many due cases are run. */
  limit?: number;
  /** Cases run at the same time. */
  concurrency: number;
  /** No case is started at or after this instant. */
  workDeadlineEpochMs?: number;
  /** Read and write the cursor (the timer does; the CLI re-runs the whole prefix). Default true. */
  useCursor?: boolean;
  /** Listing page size (tests use small pages). */
  pageSize?: number;
  /** Called as each case folder is listed (before its decision). */
  onScan?: (caseId: string) => void;
  /** Called once per case with its decision and, when it ran, its outcome (progress bars, dry-run lists). */
  onCase?: (event: CaseEvent) => void;
}

export interface CaseEvent {
  caseId: string;
  decision: Decision;
  outcome?: RunOutcome | { kind: 'error'; code: string; message: string } | { kind: 'remaining' };
}

export interface RerunReport {
  counts: RerunCounts;
  stopReason: StopReason;
  /** The cursor saved for the next run, when this one stopped early. */
  cursor?: RerunCursor;
  /** Where this run started (a cursor of an earlier run). */
  resumedFrom?: string;
  /** caseIds that ended `failed` or threw (first 100). */
  failedCases: string[];
  /** Why the run stopped early: a listing failure, or a run-level error (`variable` names the setting to fix). */
  error?: { code: string; message: string; variable?: string };
  durationMs: number;
}

const READ_CONCURRENCY = 16;
const MAX_LISTED_FAILURES = 100;

export async function runRerun(deps: RerunDeps, options: RerunOptions): Promise<RerunReport> {
  const { store, clock } = deps;
  const startEpochMs = clock.nowMs();
  const log = deps.logger.child({ prefix: options.prefix });
  const force = options.force ?? false;
  const dryRun = options.dryRun ?? false;
  const readsCursor = options.useCursor ?? true;
  const writesCursor = readsCursor && !dryRun;
  const counts = emptyCounts();
  const failedCases: string[] = [];
  let stopReason: StopReason | undefined;
  let error: RerunReport['error'];

  const resume = readsCursor ? await resumePoint(store, options.prefix, force, log) : undefined;

  let nextSeq = 0;
  const watermark = createWatermark(
    resume ? { folder: resume.afterFolder, pageToken: resume.pageToken } : undefined,
  );
  const finish = (seq: number, s: CaseSnapshot) =>
    watermark.finish(seq, { folder: s.folder, pageToken: s.pageToken });

  const stop = (reason: StopReason) => {
    stopReason ??= reason;
  };
  const pastDeadline = () =>
    options.workDeadlineEpochMs !== undefined && clock.nowMs() >= options.workDeadlineEpochMs;

  const workLimit = pLimit(options.concurrency);
  const readLimit = pLimit(READ_CONCURRENCY);
  let started = 0;
  // The first case runs alone: when the credentials or the account are wrong, it fails with a run-level error
  // before any other case has sent a request (one failed call, not one per concurrent slot).
  let firstDone: Promise<void> | undefined;

  const run = async (s: CaseSnapshot, decision: Decision): Promise<'finished' | 'remaining'> => {
    if (stopReason || pastDeadline()) {
      if (pastDeadline()) stop('deadline');
      return 'remaining';
    }
    if (options.limit !== undefined && started >= options.limit) {
      stop('limit');
      return 'remaining';
    }
    started += 1;
    let releaseFirst: (() => void) | undefined;
    if (firstDone === undefined) firstDone = new Promise<void>((r) => (releaseFirst = r));
    else {
      await firstDone;
      // The limit is reached by the cases after this one (this one was counted in `started`): it still runs.
      if ((stopReason && stopReason !== 'limit') || pastDeadline()) {
        if (pastDeadline()) stop('deadline');
        return 'remaining';
      }
    }
    try {
      const outcome = await deps.runner(s, decision);
      if (outcome.kind === 'written') {
        countStatus(counts, outcome.status);
        if (outcome.status === 'failed' && failedCases.length < MAX_LISTED_FAILURES)
          failedCases.push(s.caseId);
        if (outcome.errorCode === 'QuotaExceeded') stop('quota');
      } else if (outcome.kind === 'dispatched') counts.dispatched += 1;
      else counts.skipped += 1;
      options.onCase?.({ caseId: s.caseId, decision, outcome });
      return 'finished';
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      const code = typeof e.code === 'string' ? e.code : 'Unexpected';
      const message = typeof e.message === 'string' ? e.message : 'unexpected error';
      if (err instanceof RunLevelError) {
        // Credentials, activation or a missing setting: every other case would fail the same way. Stop here;
        // this case spent no attempt and stays due.
        error ??= {
          code: err.code,
          message: err.message,
          ...(err.variable === undefined ? {} : { variable: err.variable }),
        };
        stop('run-level-error');
        log.error('run-level failure; stopping the run', { caseId: s.caseId, code, variable: err.variable });
        return 'remaining';
      }
      if (err instanceof StoreError && err.code === 'SymbolicLink') {
        // The folder store never follows a link: the case is reported and skipped, not retried.
        counts.skipped += 1;
        log.warn('case skipped: symbolic link', { caseId: s.caseId, code, message });
        options.onCase?.({ caseId: s.caseId, decision, outcome: { kind: 'error', code, message } });
        return 'finished';
      }
      counts.errors += 1;
      if (failedCases.length < MAX_LISTED_FAILURES) failedCases.push(s.caseId);
      log.error('rerun of a case failed', { caseId: s.caseId, code, err });
      options.onCase?.({ caseId: s.caseId, decision, outcome: { kind: 'error', code, message } });
      // Not handled: it stays due and is run again by a later run (after this one completes the listing).
      return 'finished';
    } finally {
      releaseFirst?.();
    }
  };

  const handle = async (seq: number, s: CaseSnapshot): Promise<void> => {
    let result: Awaited<ReturnType<typeof resultFacts>>;
    let claim: DecisionInput['claim'];
    try {
      result = await readLimit(() => resultFacts(store, s));
      const pending = pendingClaimKey(s, result);
      if (pending) {
        // An unreadable claim has expired (lease 0): only a newer claim number can replace it.
        const body = await readLimit(() => readJson(store, pending.key, claimSchema));
        claim = { seq: pending.seq, leaseUntilEpochMs: body?.leaseUntilEpochMs ?? 0 };
      }
    } catch (err) {
      // The case could not even be decided (store outage on its result.json): counted, tried by a later run.
      counts.errors += 1;
      if (failedCases.length < MAX_LISTED_FAILURES) failedCases.push(s.caseId);
      log.error('reading the result of a case failed', { caseId: s.caseId, err });
      finish(seq, s);
      return;
    }
    const decision = decideCase({
      validCaseId: s.validCaseId,
      refEtag: s.ref?.etag,
      authEtag: s.auth?.etag,
      caseJsonEtag: s.caseJson?.etag,
      result,
      claim,
      nowEpochMs: clock.nowMs(),
      force,
    });
    if (decision.action === 'skip') {
      if (decision.reason === 'held') counts.held += 1;
      else counts.skipped += 1;
      options.onCase?.({ caseId: s.caseId, decision });
      finish(seq, s);
      return;
    }
    counts.due += 1;
    if (dryRun) {
      options.onCase?.({ caseId: s.caseId, decision });
      finish(seq, s);
      return;
    }
    const end = await workLimit(() => run(s, decision));
    if (end === 'remaining') {
      counts.remaining += 1;
      options.onCase?.({ caseId: s.caseId, decision, outcome: { kind: 'remaining' } });
    } else finish(seq, s);
  };

  // Bounded look-ahead: memory stays flat however many cases the prefix holds.
  const maxPending = options.concurrency * 2 + READ_CONCURRENCY;
  const pending = new Set<Promise<void>>();
  try {
    for await (const snapshot of scanCasesAfter(store, {
      prefix: options.prefix,
      ...(resume?.pageToken === undefined ? {} : { pageToken: resume.pageToken }),
      ...(resume ? { afterFolder: resume.afterFolder } : {}),
      ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
      onPage: (n) => {
        counts.keys += n;
      },
    })) {
      if (stopReason) break;
      if (pastDeadline()) {
        stop('deadline');
        break;
      }
      counts.scanned += 1;
      options.onScan?.(snapshot.caseId);
      const task = handle(nextSeq++, snapshot).finally(() => pending.delete(task));
      pending.add(task);
      while (pending.size >= maxPending) await Promise.race(pending);
    }
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    error = {
      code: typeof e.code === 'string' ? e.code : 'ListFailed',
      message: typeof e.message === 'string' ? e.message : 'listing failed',
    };
    log.error('listing the prefix failed; keeping the progress made so far', { err });
    stop('list-error');
  }
  await Promise.all(pending);

  return settleRun(deps, options, log, {
    counts,
    failedCases,
    stopReason: stopReason ?? 'complete',
    error,
    resume,
    position: watermark.position(),
    writesCursor,
    startEpochMs,
  });
}

/** Where to resume: the saved cursor, unless its page token cannot be listed from any more. */
async function resumePoint(store: ObjectStore, prefix: string, force: boolean, log: Logger) {
  let resume = await readCursor(store, prefix, force);
  if (resume?.pageToken !== undefined) {
    try {
      const head = prefix === '' ? '' : `${prefix}/`;
      await store.list({ prefix: head, token: resume.pageToken, limit: 1 });
    } catch (err) {
      log.warn('the saved cursor cannot be listed from; starting from the beginning', { err });
      resume = undefined;
    }
  }
  if (resume) log.info('resuming after the saved cursor', { afterFolder: resume.afterFolder });
  return resume;
}

/** Saves or clears the cursor (unless a dry run or the CLI), logs the run and builds its report. */
async function settleRun(
  deps: RerunDeps,
  options: RerunOptions,
  log: Logger,
  run: {
    counts: RerunCounts;
    failedCases: string[];
    stopReason: StopReason;
    error: RerunReport['error'];
    resume: Awaited<ReturnType<typeof readCursor>>;
    position: ReturnType<ReturnType<typeof createWatermark>['position']>;
    writesCursor: boolean;
    startEpochMs: number;
  },
): Promise<RerunReport> {
  const { store, clock } = deps;
  const { counts, error, resume, stopReason: reason } = run;
  const force = options.force ?? false;
  let cursor: RerunCursor | undefined;
  if (run.writesCursor) {
    try {
      cursor = await settleCursor(store, {
        prefix: options.prefix,
        force,
        reason,
        resumed: resume !== undefined,
        position: run.position,
        nowEpochMs: clock.nowMs(),
      });
    } catch (err) {
      log.error('could not save the rerun cursor; the next run starts from the beginning', { err });
    }
  }
  const report: RerunReport = {
    counts,
    stopReason: reason,
    ...(cursor ? { cursor } : {}),
    ...(resume ? { resumedFrom: resume.afterFolder } : {}),
    failedCases: run.failedCases,
    ...(error ? { error } : {}),
    durationMs: clock.nowMs() - run.startEpochMs,
  };
  const level = error || counts.errors > 0 ? 'warn' : 'info';
  log[level]('rerun finished', {
    outcome: reason,
    counts,
    dryRun: options.dryRun ?? false,
    force,
    ...(cursor ? { cursorAfter: cursor.afterFolder } : {}),
    durationMs: report.durationMs,
  });
  return report;
}
