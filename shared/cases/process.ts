/**
 * processCase: one attempt at one case, shared by the OSS trigger (functions/verify-oss) and the scheduled rerun.
 * Reads the current photo versions, decides whether work is due, claims the pair version, verifies it through
 * the client (same photo validation and normalisation as the HTTP door) and writes result.json. Exactly one
 * paid call per pair version, however often and concurrently it is called (see claims.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.ts';
import { readJson } from '../store/json.ts';
import type { ObjectInfo, ObjectStore, StoredObject } from '../store/types.ts';
import { type AttemptContext, type AttemptEnd, holdCase, reusePaid, verifyPair } from './attempt.ts';
import { acquireClaim, type ClaimAttempt, releaseClaim } from './claims.ts';
import { type CaseLocation, caseJsonKey, photoKey, resultKey } from './layout.ts';
import { type CaseResult, resultSchema } from './schemas.ts';
import { isFinal } from './state.ts';
import type { CaseDeps, CaseOutcome } from './types.ts';
import { type CaseVersion, versionHash, versionOfResult, versionToJudge } from './version.ts';
import { writeResult } from './write-result.ts';

export interface ProcessOptions {
  /** Re-run even when result.json already covers these photo versions (an operator's explicit re-run: pays again). */
  force?: boolean;
  /** Absolute deadline for the upstream call (FC function timeout); the claim lease bounds it too. */
  deadlineEpochMs?: number;
}

export async function readResult(
  store: ObjectStore,
  location: CaseLocation,
): Promise<CaseResult | undefined> {
  return readJson(store, resultKey(location), resultSchema);
}

export async function processCase(
  deps: CaseDeps,
  location: CaseLocation,
  options: ProcessOptions = {},
): Promise<CaseOutcome> {
  const log = deps.logger.child({ caseId: location.caseId });
  const { ref, auth, caseJson, previous } = await readVersion(deps.store, location);
  if (!ref || !auth) {
    const missing = [...(ref ? [] : ['ref' as const]), ...(auth ? [] : ['auth' as const])];
    return { action: 'waiting', missing };
  }
  const startEpochMs = deps.clock.nowMs();
  const current = { refEtag: ref.etag, authEtag: auth.etag, caseJsonEtag: caseJson?.etag ?? null };
  const judged = versionToJudge(current, previous && versionOfResult(previous));
  const { version } = judged;
  /** The result about this version, if there is one. */
  const same = judged.same ? previous : undefined;
  const notDue = same && !options.force ? notDueOutcome(same, startEpochMs) : undefined;
  if (notDue) return notDue;
  const hash = versionHash(version);
  const attempt = await acquireClaim(deps.store, {
    location,
    hash,
    refEtag: ref.etag,
    authEtag: auth.etag,
    ...(typeof version.caseJsonEtag === 'string' ? { caseJsonEtag: version.caseJsonEtag } : {}),
    resultSeq: same ? same.claimSeq : 0,
    nowEpochMs: startEpochMs,
    leaseMs: deps.settings.leaseMs,
    owner: deps.owner ?? randomUUID(),
  });
  if (!attempt.won) {
    return attempt.holder
      ? { action: 'busy', leaseUntilEpochMs: attempt.holder.leaseUntilEpochMs }
      : { action: 'busy' };
  }
  const ctx = attemptContext(deps, location, options, log, {
    ref,
    auth,
    caseJson,
    version,
    same,
    hash,
    attempt,
    startEpochMs,
  });
  const end = attempt.paid
    ? reusePaid(ctx, attempt.paid)
    : ctx.uncertainBudget < 0
      ? holdCase(ctx)
      : await verifyPair(ctx);
  if ('outcome' in end) return end.outcome;
  return finishAttempt(ctx, previous, same, end, attempt.paid !== undefined);
}

/** The photos' and case.json's versions and the result.json there now. */
async function readVersion(store: ObjectStore, location: CaseLocation) {
  // case.json is small: read with the photos' versions, so its ETag and the fields used are the same version.
  const [ref, auth, caseJson, previous] = await Promise.all([
    store.head(photoKey(location, 'ref')),
    store.head(photoKey(location, 'auth')),
    store.get(caseJsonKey(location)),
    readResult(store, location),
  ]);
  return { ref, auth, caseJson, previous };
}

/** Nothing to do for a version its result.json covers: final, held, or its next attempt not due yet. */
function notDueOutcome(same: CaseResult, nowEpochMs: number): CaseOutcome | undefined {
  // `held` waits for an operator (rerun --force): no event or rerun retries it on its own.
  if (isFinal(same.status) || same.status === 'held') return { action: 'up-to-date', status: same.status };
  if (same.nextAttemptAt && Date.parse(same.nextAttemptAt) > nowEpochMs) {
    return { action: 'not-due', nextAttemptAt: same.nextAttemptAt };
  }
  return undefined;
}

/** What the attempt starts from once its claim is won: counts carried over from earlier attempts. */
function attemptContext(
  deps: CaseDeps,
  location: CaseLocation,
  options: ProcessOptions,
  log: Logger,
  seen: {
    ref: ObjectInfo;
    auth: ObjectInfo;
    caseJson: StoredObject | undefined;
    version: CaseVersion;
    same: CaseResult | undefined;
    hash: string;
    attempt: Extract<ClaimAttempt, { won: true }>;
    startEpochMs: number;
  },
): AttemptContext {
  const { ref, auth, caseJson, version, same, attempt } = seen;
  const { claim } = attempt;
  const attempts = (same ? same.attempts : 0) + 1;
  // Upstream calls this pair version has cost so far: earlier results, then claims that died in flight.
  const ledger = {
    paid: (same ? (same.paidAttempts ?? 0) : 0) + attempt.dead.paid,
    uncertain: (same ? (same.uncertainAttempts ?? 0) : 0) + attempt.dead.uncertain,
  };
  if (attempt.dead.uncertain > 0) {
    log.warn('took over a claim whose holder died with a request in flight (possibly billed)', {
      claimSeq: claim.seq,
      uncertainAttempts: attempt.dead.uncertain,
    });
  }
  return {
    deps,
    location,
    log,
    ref,
    auth,
    caseJson,
    hash: seen.hash,
    claim,
    attempts,
    ledger,
    own: { paid: 0, uncertain: 0 },
    // Uncertain attempts beyond the budget: hold for the operator instead of paying again (force settles it).
    uncertainBudget: options.force ? 0 : deps.settings.maxUncertainRetries - ledger.uncertain,
    base: {
      schema: 'idv.result/v1' as const,
      caseId: location.caseId,
      photos: { ref: { etag: ref.etag, size: ref.size }, auth: { etag: auth.etag, size: auth.size } },
      ...(version.caseJsonEtag === undefined
        ? {}
        : { caseJson: caseJson ? { etag: caseJson.etag, size: caseJson.size } : null }),
      attempts,
      firstAttemptAt: same ? same.firstAttemptAt : new Date(seen.startEpochMs).toISOString(),
      claimSeq: claim.seq,
    },
    deadlineEpochMs: options.deadlineEpochMs,
  };
}

/** Ends the claim of the version judged before (if another) and writes result.json. */
async function finishAttempt(
  ctx: AttemptContext,
  previous: CaseResult | undefined,
  same: CaseResult | undefined,
  end: Extract<AttemptEnd, { result: CaseResult }>,
  reusedPaid: boolean,
): Promise<CaseOutcome> {
  const { deps, location, hash, claim } = ctx;
  if (previous !== undefined && !same && previous.claimSeq > 0) {
    // The claim that wrote the result about another version has ended: mark it, so that version, when it comes
    // back (A→B→A), is judged at once instead of after that claim's lease.
    await releaseClaim(
      deps.store,
      location,
      versionHash(versionOfResult(previous)),
      previous.claimSeq,
      'finished',
    );
  }
  const outcome = await writeResult(deps, location, end.result, end.paidSaved, {
    upstreamCalled: end.upstreamCalled,
    reusedPaid,
  });
  if (outcome.action === 'superseded')
    await releaseClaim(deps.store, location, hash, claim.seq, 'superseded', ctx.own);
  return outcome;
}
