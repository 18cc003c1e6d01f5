/**
 * processCase: one attempt at one case, shared by the OSS trigger (functions/verify-oss) and the scheduled rerun.
 * Reads the current photo versions, decides whether work is due, claims the pair version, verifies it through
 * the client (same photo validation and normalisation as the HTTP door) and writes result.json. Exactly one
 * paid call per pair version, however often and concurrently it is called (see claims.ts).
 */
import { randomUUID } from 'node:crypto';
import { CheckedBase64 } from '../idv/base64.ts';
import { IdvError } from '../idv/errors.ts';
import type { Verdict } from '../idv/types.ts';
import { settleVerdict } from '../idv/verdict.ts';
import { normalisePhoto } from '../photo.ts';
import type { ObjectInfo, ObjectStore } from '../store/types.ts';
import { acquireClaim, pairHash, readJson, recordPaid, recordSent, releaseClaim } from './claims.ts';
import { loadCaseInput } from './input.ts';
import { type CaseLocation, photoKey, resultKey } from './layout.ts';
import { type CaseResult, resultSchema, type VerdictFields } from './schemas.ts';
import { decideFailure, heldDecision, isFinal, runLevelErrorOf } from './state.ts';
import type { CaseDeps, CaseOutcome } from './types.ts';
import { writeResult } from './write-result.ts';

export interface ProcessOptions {
  /** Re-run even when result.json already covers these photo versions (an operator's explicit re-run: pays again). */
  force?: boolean;
  /** Absolute deadline for the upstream call (FC function timeout); the claim lease bounds it too. */
  deadlineEpochMs?: number;
}

/** Time kept between the upstream deadline and the end of the lease, for writing the paid record and result. */
const LEASE_MARGIN_MS = 5_000;

const verdictFields = (verdict: Verdict): VerdictFields => {
  const v = settleVerdict(verdict);
  return {
    passed: v.passed,
    result: v.result,
    score: v.score,
    faceAttack: v.faceAttack,
    retCode: v.retCode,
    retCodeSub: v.retCodeSub,
    retMessage: v.retMessage,
    ...(v.upstreamInconsistent ? { upstreamInconsistent: true } : {}),
    ...(v.transactionId === undefined ? {} : { transactionId: v.transactionId }),
  };
};

export async function readResult(
  store: ObjectStore,
  location: CaseLocation,
): Promise<CaseResult | undefined> {
  return readJson(store, resultKey(location), resultSchema);
}

const samePhotos = (r: CaseResult, ref: ObjectInfo, auth: ObjectInfo): boolean =>
  r.photos.ref.etag === ref.etag && r.photos.auth.etag === auth.etag;

export async function processCase(
  deps: CaseDeps,
  location: CaseLocation,
  options: ProcessOptions = {},
): Promise<CaseOutcome> {
  const { store, clock, settings } = deps;
  const log = deps.logger.child({ caseId: location.caseId });
  const [ref, auth, previous] = await Promise.all([
    store.head(photoKey(location, 'ref')),
    store.head(photoKey(location, 'auth')),
    readResult(store, location),
  ]);
  if (!ref || !auth) {
    const missing = [...(ref ? [] : ['ref' as const]), ...(auth ? [] : ['auth' as const])];
    return { action: 'waiting', missing };
  }
  const startEpochMs = clock.nowMs();
  const same = previous !== undefined && samePhotos(previous, ref, auth);
  if (same && !options.force) {
    // `held` waits for an operator (rerun --force): no event or rerun retries it on its own.
    if (isFinal(previous.status) || previous.status === 'held')
      return { action: 'up-to-date', status: previous.status };
    if (previous.nextAttemptAt && Date.parse(previous.nextAttemptAt) > startEpochMs) {
      return { action: 'not-due', nextAttemptAt: previous.nextAttemptAt };
    }
  }
  const hash = pairHash(ref.etag, auth.etag);
  const attempt = await acquireClaim(store, {
    location,
    hash,
    refEtag: ref.etag,
    authEtag: auth.etag,
    resultSeq: same ? previous.claimSeq : 0,
    nowEpochMs: startEpochMs,
    leaseMs: settings.leaseMs,
    owner: deps.owner ?? randomUUID(),
  });
  if (!attempt.won) {
    return attempt.holder
      ? { action: 'busy', leaseUntilEpochMs: attempt.holder.leaseUntilEpochMs }
      : { action: 'busy' };
  }
  const { claim } = attempt;
  const attempts = (same ? previous.attempts : 0) + 1;
  // Upstream calls this pair version has cost so far: earlier results, then claims that died in flight.
  const ledger = {
    paid: (same ? (previous.paidAttempts ?? 0) : 0) + attempt.dead.paid,
    uncertain: (same ? (previous.uncertainAttempts ?? 0) : 0) + attempt.dead.uncertain,
  };
  if (attempt.dead.uncertain > 0) {
    log.warn('took over a claim whose holder died with a request in flight (possibly billed)', {
      claimSeq: claim.seq,
      uncertainAttempts: attempt.dead.uncertain,
    });
  }
  const base = {
    schema: 'idv.result/v1' as const,
    caseId: location.caseId,
    photos: { ref: { etag: ref.etag, size: ref.size }, auth: { etag: auth.etag, size: auth.size } },
    attempts,
    firstAttemptAt: same ? previous.firstAttemptAt : new Date(startEpochMs).toISOString(),
    claimSeq: claim.seq,
  };
  const counted = () => ({ paidAttempts: ledger.paid, uncertainAttempts: ledger.uncertain });
  // Uncertain attempts beyond the budget: hold for the operator instead of paying again (force settles it).
  const uncertainBudget = options.force ? 0 : settings.maxUncertainRetries - ledger.uncertain;

  let result: CaseResult;
  let paidCall = false;
  let paidSaved: Promise<void> = Promise.resolve();
  if (attempt.paid) {
    log.info('reusing the verdict paid for by an earlier attempt', {
      claimSeq: claim.seq,
      paidSeq: attempt.paid.seq,
    });
    result = {
      ...base,
      ...counted(),
      status: 'verified',
      verdict: attempt.paid.verdict,
      requestId: attempt.paid.requestId,
      resourceCode: attempt.paid.resourceCode,
      lastAttemptAt: new Date(clock.nowMs()).toISOString(),
    };
  } else if (uncertainBudget < 0) {
    const decision = heldDecision(ledger.uncertain, settings.maxUncertainRetries);
    log.warn('case held: earlier attempts may have been billed', { uncertainAttempts: ledger.uncertain });
    result = {
      ...base,
      ...counted(),
      status: decision.status,
      lastAttemptAt: new Date(clock.nowMs()).toISOString(),
      error: { code: decision.code, message: decision.message },
    };
  } else {
    let resourceCode: string | undefined;
    let reference: string | undefined;
    try {
      // Read only once the claim is won: on OSS a lost claim would have paid for two photo downloads.
      const [input, refObject, authObject] = await Promise.all([
        loadCaseInput(store, location, ref, auth, settings),
        store.get(photoKey(location, 'ref')),
        store.get(photoKey(location, 'auth')),
      ]);
      resourceCode = input.resourceCode;
      reference = input.reference;
      if (refObject?.etag !== ref.etag || authObject?.etag !== auth.etag) {
        log.info('photo replaced while processing; the newer version is handled by its own event');
        return { action: 'superseded' };
      }
      const limits = { maxBytes: settings.maxPhotoBytes, maxPixels: settings.maxPhotoPixels };
      const [refPhoto, authPhoto] = await Promise.all([
        normalisePhoto(refObject.body, 'ref.jpg', limits),
        normalisePhoto(authObject.body, 'auth.jpg', limits),
      ]);
      const leaseDeadline = claim.leaseUntilEpochMs - LEASE_MARGIN_MS;
      paidCall = true;
      const verdict = await deps.client.verify(
        {
          // Encoded here, so the client need not check the text again (a decode and encode per photo).
          refFaceContent: CheckedBase64.encode(refPhoto.jpeg),
          authFaceContent: CheckedBase64.encode(authPhoto.jpeg),
          resourceCode,
        },
        {
          deadlineEpochMs: Math.min(leaseDeadline, options.deadlineEpochMs ?? leaseDeadline),
          ...(deps.credentials ? { credentials: deps.credentials } : {}),
          maxUncertainRetries: uncertainBudget,
          // Recorded before the request leaves: a crash while it is in flight is known to the takeover.
          beforeAttempt: (n) =>
            recordSent(store, location, hash, {
              schema: 'idv.sent/v1',
              claimSeq: claim.seq,
              attempt: n,
              sentAtEpochMs: clock.nowMs(),
            }),
        },
      );
      ledger.paid += verdict.paidAttempts ?? 1;
      ledger.uncertain += verdict.uncertainAttempts ?? 0;
      const fields = verdictFields(verdict);
      if (fields.upstreamInconsistent) {
        log.warn('upstream verdict contradicts itself; decided as not verified', {
          requestId: verdict.requestId,
          upstreamInconsistent: true,
        });
      }
      // Saved while writeResult re-checks the photos: it is needed only if result.json is not written, and
      // writeResult waits for it before writing result.json, so the crash window stays the same.
      paidSaved = recordPaid(store, location, hash, {
        schema: 'idv.paid/v1',
        seq: claim.seq,
        recordedAtEpochMs: clock.nowMs(),
        requestId: verdict.requestId,
        resourceCode,
        verdict: fields,
      }).catch((err: unknown) =>
        log.warn('could not save the paid record; writing result.json directly', { err }),
      );
      result = {
        ...base,
        ...counted(),
        status: 'verified',
        verdict: fields,
        requestId: verdict.requestId,
        resourceCode,
        ...(reference === undefined ? {} : { reference }),
        lastAttemptAt: new Date(clock.nowMs()).toISOString(),
      };
    } catch (err) {
      const runLevel = runLevelErrorOf(err);
      if (runLevel) {
        // Not the case's fault: no result, no attempt spent; the claim is released for the next run.
        await releaseClaim(store, location, hash, claim.seq, runLevel.code);
        log.warn('run-level failure; the case is left unjudged', {
          code: runLevel.code,
          claimSeq: claim.seq,
        });
        throw runLevel;
      }
      const nowEpochMs = clock.nowMs();
      if (err instanceof IdvError) {
        ledger.paid += err.paidAttempts;
        ledger.uncertain += err.uncertainAttempts;
      }
      const decision = decideFailure(err, attempts, nowEpochMs, settings, ledger.uncertain);
      if (!decision) throw err;
      log.warn('case attempt failed', {
        status: decision.status,
        code: decision.code,
        paidAttempts: ledger.paid,
        uncertainAttempts: ledger.uncertain,
        err,
      });
      result = {
        ...base,
        ...counted(),
        status: decision.status,
        ...(decision.requestId ? { requestId: decision.requestId } : {}),
        ...(resourceCode === undefined ? {} : { resourceCode }),
        ...(reference === undefined ? {} : { reference }),
        lastAttemptAt: new Date(nowEpochMs).toISOString(),
        ...(decision.nextAttemptEpochMs === undefined
          ? {}
          : { nextAttemptAt: new Date(decision.nextAttemptEpochMs).toISOString() }),
        error: { code: decision.code, message: decision.message },
      };
    }
  }
  return writeResult(deps, location, result, paidSaved, { paidCall, reusedPaid: attempt.paid !== undefined });
}
