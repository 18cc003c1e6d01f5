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
import type { ObjectStore } from '../store/types.ts';
import { acquireClaim, readJson, recordPaid, recordSent, releaseClaim } from './claims.ts';
import { caseInputFrom, parseCaseJson } from './input.ts';
import { type CaseLocation, caseJsonKey, photoKey, resultKey } from './layout.ts';
import { LEASE_MARGIN_MS } from './lease.ts';
import { type CaseResult, resultSchema, type VerdictFields } from './schemas.ts';
import { decideFailure, heldDecision, isFinal, runLevelErrorOf } from './state.ts';
import type { CaseDeps, CaseOutcome } from './types.ts';
import { versionHash, versionOfResult, versionToJudge } from './version.ts';
import { writeResult } from './write-result.ts';

export interface ProcessOptions {
  /** Re-run even when result.json already covers these photo versions (an operator's explicit re-run: pays again). */
  force?: boolean;
  /** Absolute deadline for the upstream call (FC function timeout); the claim lease bounds it too. */
  deadlineEpochMs?: number;
}

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

/**
 * `reference` of the case.json of the version a paid record answered (the same case.json: it is part of the
 * version). A case.json that no longer parses (a result from before case.json was part of the version) gives none.
 */
function referenceOf(caseJsonBody: Buffer | undefined): { reference?: string } {
  try {
    const reference = parseCaseJson(caseJsonBody)?.reference;
    return reference === undefined ? {} : { reference };
  } catch {
    return {};
  }
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
  const { store, clock, settings } = deps;
  const log = deps.logger.child({ caseId: location.caseId });
  // case.json is small: read with the photos' versions, so its ETag and the fields used are the same version.
  const [ref, auth, caseJson, previous] = await Promise.all([
    store.head(photoKey(location, 'ref')),
    store.head(photoKey(location, 'auth')),
    store.get(caseJsonKey(location)),
    readResult(store, location),
  ]);
  if (!ref || !auth) {
    const missing = [...(ref ? [] : ['ref' as const]), ...(auth ? [] : ['auth' as const])];
    return { action: 'waiting', missing };
  }
  const startEpochMs = clock.nowMs();
  const current = { refEtag: ref.etag, authEtag: auth.etag, caseJsonEtag: caseJson?.etag ?? null };
  const judged = versionToJudge(current, previous && versionOfResult(previous));
  const { version } = judged;
  /** The result about this version, if there is one. */
  const same = judged.same ? previous : undefined;
  if (same && !options.force) {
    // `held` waits for an operator (rerun --force): no event or rerun retries it on its own.
    if (isFinal(same.status) || same.status === 'held') return { action: 'up-to-date', status: same.status };
    if (same.nextAttemptAt && Date.parse(same.nextAttemptAt) > startEpochMs) {
      return { action: 'not-due', nextAttemptAt: same.nextAttemptAt };
    }
  }
  const hash = versionHash(version);
  const attempt = await acquireClaim(store, {
    location,
    hash,
    refEtag: ref.etag,
    authEtag: auth.etag,
    ...(typeof version.caseJsonEtag === 'string' ? { caseJsonEtag: version.caseJsonEtag } : {}),
    resultSeq: same ? same.claimSeq : 0,
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
  const base = {
    schema: 'idv.result/v1' as const,
    caseId: location.caseId,
    photos: { ref: { etag: ref.etag, size: ref.size }, auth: { etag: auth.etag, size: auth.size } },
    ...(version.caseJsonEtag === undefined
      ? {}
      : { caseJson: caseJson ? { etag: caseJson.etag, size: caseJson.size } : null }),
    attempts,
    firstAttemptAt: same ? same.firstAttemptAt : new Date(startEpochMs).toISOString(),
    claimSeq: claim.seq,
  };
  const counted = () => ({ paidAttempts: ledger.paid, uncertainAttempts: ledger.uncertain });
  // Uncertain attempts beyond the budget: hold for the operator instead of paying again (force settles it).
  const uncertainBudget = options.force ? 0 : settings.maxUncertainRetries - ledger.uncertain;

  let result: CaseResult;
  let paidCall = false;
  /** This claim's own upstream attempts (recorded in its done record if it ends without a result). */
  const own = { paid: 0, uncertain: 0 };
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
      ...referenceOf(caseJson?.body),
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
      const [refObject, authObject] = await Promise.all([
        store.get(photoKey(location, 'ref')),
        store.get(photoKey(location, 'auth')),
      ]);
      if (refObject?.etag !== ref.etag || authObject?.etag !== auth.etag) {
        log.info('photo replaced while processing; the newer version is handled by its own event');
        await releaseClaim(store, location, hash, claim.seq, 'superseded', own);
        return { action: 'superseded' };
      }
      const input = caseInputFrom(caseJson?.body, ref, auth, settings);
      resourceCode = input.resourceCode;
      reference = input.reference;
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
      own.paid += verdict.paidAttempts ?? 1;
      own.uncertain += verdict.uncertainAttempts ?? 0;
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
      if (err instanceof IdvError) {
        own.paid += err.paidAttempts;
        own.uncertain += err.uncertainAttempts;
      }
      const runLevel = runLevelErrorOf(err);
      if (runLevel) {
        // Not the case's fault: no result, no attempt spent; the claim is released for the next run, with its
        // own attempts' outcome (a refused signature was not billed: not an uncertain attempt).
        await releaseClaim(store, location, hash, claim.seq, runLevel.code, own);
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
  if (previous !== undefined && !same && previous.claimSeq > 0) {
    // The claim that wrote the result about another version has ended: mark it, so that version, when it comes
    // back (A→B→A), is judged at once instead of after that claim's lease.
    await releaseClaim(
      store,
      location,
      versionHash(versionOfResult(previous)),
      previous.claimSeq,
      'finished',
    );
  }
  const outcome = await writeResult(deps, location, result, paidSaved, {
    paidCall,
    reusedPaid: attempt.paid !== undefined,
  });
  if (outcome.action === 'superseded')
    await releaseClaim(store, location, hash, claim.seq, 'superseded', own);
  return outcome;
}
