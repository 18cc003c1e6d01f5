/**
 * One claimed attempt at a case version (processCase's middle): reuse a verdict already paid for, hold a case
 * whose uncertain attempts are spent, or verify the pair through the client, and say which result.json that
 * gives. The paid call's bookkeeping (sent records, the paid record, the claim's own attempts) happens here.
 */
import { CheckedBase64 } from '../idv/base64.ts';
import { IdvError } from '../idv/errors.ts';
import type { Verdict } from '../idv/types.ts';
import { settleVerdict, verdictFieldsOf } from '../idv/verdict.ts';
import type { Logger } from '../log.ts';
import { normalisePhoto } from '../photo/normalise.ts';
import type { ObjectInfo, StoredObject } from '../store/types.ts';
import { recordPaid, recordSent, releaseClaim } from './claims.ts';
import { caseInputFrom, parseCaseJson } from './input.ts';
import { type CaseLocation, photoKey } from './layout.ts';
import { LEASE_MARGIN_MS } from './lease.ts';
import type { CaseResult, Claim, PaidRecord, VerdictFields } from './schemas.ts';
import { decideFailure, heldDecision, runLevelErrorOf } from './state.ts';
import type { CaseDeps, CaseOutcome } from './types.ts';

/** Upstream calls counted in certainly billed (`paid`) and possibly billed (`uncertain`). */
export interface Calls {
  paid: number;
  uncertain: number;
}

/** What an attempt knows once its claim is won. */
export interface AttemptContext {
  deps: CaseDeps;
  location: CaseLocation;
  log: Logger;
  ref: ObjectInfo;
  auth: ObjectInfo;
  caseJson: StoredObject | undefined;
  hash: string;
  claim: Claim;
  /** This attempt's number for the version (earlier results' attempts + 1). */
  attempts: number;
  /** Upstream calls this version has cost so far: earlier results, then claims that died in flight. */
  ledger: Calls;
  /** This claim's own upstream attempts (recorded in its done record if it ends without a result). */
  own: Calls;
  /** Uncertain attempts still allowed (negative: spent; 0 with force). */
  uncertainBudget: number;
  /** The fields every result.json of this attempt shares. */
  base: Pick<
    CaseResult,
    'schema' | 'caseId' | 'photos' | 'caseJson' | 'attempts' | 'firstAttemptAt' | 'claimSeq'
  >;
  /** Absolute deadline of the caller (FC function timeout), if any. */
  deadlineEpochMs: number | undefined;
}

/** The result.json an attempt arrived at, or an outcome that writes none. */
export type AttemptEnd =
  | { result: CaseResult; upstreamCalled: boolean; paidSaved: Promise<void> }
  | { outcome: CaseOutcome };

const counted = (ctx: AttemptContext) => ({
  paidAttempts: ctx.ledger.paid,
  uncertainAttempts: ctx.ledger.uncertain,
});

const nowIso = (ctx: AttemptContext) => new Date(ctx.deps.clock.nowMs()).toISOString();

const verdictFields = (verdict: Verdict): VerdictFields => verdictFieldsOf(settleVerdict(verdict));

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

/** An earlier claim paid for a verdict that never reached result.json: write it, without paying again. */
export function reusePaid(ctx: AttemptContext, paid: PaidRecord): AttemptEnd {
  ctx.log.info('reusing the verdict paid for by an earlier attempt', {
    claimSeq: ctx.claim.seq,
    paidSeq: paid.seq,
  });
  // The verdict is the paid call's: its times are that call's, not this recovery's.
  const paidAt = new Date(paid.recordedAtEpochMs).toISOString();
  const result: CaseResult = {
    ...ctx.base,
    ...counted(ctx),
    status: 'verified',
    verdict: paid.verdict,
    requestId: paid.requestId,
    resourceCode: paid.resourceCode,
    ...referenceOf(ctx.caseJson?.body),
    firstAttemptAt: [ctx.base.firstAttemptAt, paidAt].sort()[0]!,
    lastAttemptAt: paidAt,
  };
  return { result, upstreamCalled: false, paidSaved: Promise.resolve() };
}

/** Uncertain attempts beyond the budget: hold for the operator instead of paying again (force settles it). */
export function holdCase(ctx: AttemptContext): AttemptEnd {
  const { settings } = ctx.deps;
  const decision = heldDecision(ctx.ledger.uncertain, settings.maxUncertainRetries);
  ctx.log.warn('case held: earlier attempts may have been billed', {
    uncertainAttempts: ctx.ledger.uncertain,
  });
  const result: CaseResult = {
    ...ctx.base,
    ...counted(ctx),
    status: decision.status,
    lastAttemptAt: nowIso(ctx),
    error: { code: decision.code, message: decision.message },
  };
  return { result, upstreamCalled: false, paidSaved: Promise.resolve() };
}

/** The case input as it is known so far (a failure before case.json was read has none). */
interface Input {
  resourceCode?: string | undefined;
  reference?: string | undefined;
}

/** Reads the photos, checks and normalises them, makes the paid call and returns the verdict's result.json. */
export async function verifyPair(ctx: AttemptContext): Promise<AttemptEnd> {
  const input: Input = {};
  const call = { paid: false };
  try {
    return await verifyPairSteps(ctx, input, call);
  } catch (err) {
    return {
      result: await failedResult(ctx, input, err),
      upstreamCalled: call.paid,
      paidSaved: Promise.resolve(),
    };
  }
}

async function verifyPairSteps(
  ctx: AttemptContext,
  input: Input,
  call: { paid: boolean },
): Promise<AttemptEnd> {
  const { deps, location, log, claim, hash } = ctx;
  const { store, settings } = deps;
  // Read only once the claim is won: on OSS a lost claim would have paid for two photo downloads.
  const [refObject, authObject] = await Promise.all([
    store.get(photoKey(location, 'ref')),
    store.get(photoKey(location, 'auth')),
  ]);
  if (refObject?.etag !== ctx.ref.etag || authObject?.etag !== ctx.auth.etag) {
    log.info('photo replaced while processing; the newer version is handled by its own event');
    await releaseClaim(store, location, hash, claim.seq, 'superseded', ctx.own);
    return { outcome: { action: 'superseded' } };
  }
  const { resourceCode, reference } = caseInputFrom(ctx.caseJson?.body, ctx.ref, ctx.auth, settings);
  input.resourceCode = resourceCode;
  input.reference = reference;
  const limits = { maxBytes: settings.maxPhotoBytes, maxPixels: settings.maxPhotoPixels };
  const [refPhoto, authPhoto] = await Promise.all([
    normalisePhoto(refObject.body, 'ref.jpg', limits),
    normalisePhoto(authObject.body, 'auth.jpg', limits),
  ]);
  call.paid = true;
  const verdict = await callUpstream(ctx, refPhoto.jpeg, authPhoto.jpeg, resourceCode);
  const fields = verdictFields(verdict);
  if (fields.upstreamInconsistent) {
    log.warn('upstream verdict contradicts itself; decided as not verified', {
      requestId: verdict.requestId,
      upstreamInconsistent: true,
    });
  }
  // Saved while writeResult re-checks the photos: it is needed only if result.json is not written, and
  // writeResult waits for it before writing result.json, so the crash window stays the same.
  const paidSaved = recordPaid(store, location, hash, {
    schema: 'idv.paid/v1',
    seq: claim.seq,
    recordedAtEpochMs: deps.clock.nowMs(),
    requestId: verdict.requestId,
    resourceCode,
    verdict: fields,
  }).catch((err: unknown) =>
    log.warn('could not save the paid record; writing result.json directly', { err }),
  );
  const result: CaseResult = {
    ...ctx.base,
    ...counted(ctx),
    status: 'verified',
    verdict: fields,
    requestId: verdict.requestId,
    resourceCode,
    ...(reference === undefined ? {} : { reference }),
    lastAttemptAt: nowIso(ctx),
  };
  return { result, upstreamCalled: true, paidSaved };
}

/** The paid call, each attempt recorded before it leaves; its cost is added to the claim's and the version's. */
async function callUpstream(
  ctx: AttemptContext,
  refJpeg: Buffer,
  authJpeg: Buffer,
  resourceCode: string,
): Promise<Verdict> {
  const { deps, location, hash, claim } = ctx;
  const leaseDeadline = claim.leaseUntilEpochMs - LEASE_MARGIN_MS;
  const verdict = await deps.client.verify(
    {
      // Encoded here, so the client need not check the text again (a decode and encode per photo).
      refFaceContent: CheckedBase64.encode(refJpeg),
      authFaceContent: CheckedBase64.encode(authJpeg),
      resourceCode,
    },
    {
      deadlineEpochMs: Math.min(leaseDeadline, ctx.deadlineEpochMs ?? leaseDeadline),
      ...(deps.credentials ? { credentials: deps.credentials } : {}),
      maxUncertainRetries: ctx.uncertainBudget,
      // The case's logger: the call's lines carry its caseId.
      logger: ctx.log,
      // Recorded before the request leaves: a crash while it is in flight is known to the takeover.
      beforeAttempt: (n) =>
        recordSent(deps.store, location, hash, {
          schema: 'idv.sent/v1',
          claimSeq: claim.seq,
          attempt: n,
          sentAtEpochMs: deps.clock.nowMs(),
        }),
    },
  );
  ctx.own.paid += verdict.paidAttempts ?? 1;
  ctx.own.uncertain += verdict.uncertainAttempts ?? 0;
  ctx.ledger.paid += verdict.paidAttempts ?? 1;
  ctx.ledger.uncertain += verdict.uncertainAttempts ?? 0;
  return verdict;
}

/**
 * The result.json of a failed attempt (retrying, failed, rejected or held, as decideFailure says). A run-level
 * failure (credentials, account, settings) is not the case's: the claim is released and the error rethrown.
 */
async function failedResult(ctx: AttemptContext, input: Input, err: unknown): Promise<CaseResult> {
  const { deps, location, log, hash, claim } = ctx;
  if (err instanceof IdvError) {
    ctx.own.paid += err.paidAttempts;
    ctx.own.uncertain += err.uncertainAttempts;
  }
  const runLevel = runLevelErrorOf(err);
  if (runLevel) {
    // Not the case's fault: no result, no attempt spent; the claim is released for the next run, with its
    // own attempts' outcome (a refused signature was not billed: not an uncertain attempt).
    await releaseClaim(deps.store, location, hash, claim.seq, runLevel.code, ctx.own);
    log.warn('run-level failure; the case is left unjudged', {
      code: runLevel.code,
      claimSeq: claim.seq,
    });
    throw runLevel;
  }
  const nowEpochMs = deps.clock.nowMs();
  if (err instanceof IdvError) {
    ctx.ledger.paid += err.paidAttempts;
    ctx.ledger.uncertain += err.uncertainAttempts;
  }
  const decision = decideFailure(err, ctx.attempts, nowEpochMs, deps.settings, ctx.ledger.uncertain);
  if (!decision) throw err;
  log.warn('case attempt failed', {
    status: decision.status,
    code: decision.code,
    paidAttempts: ctx.ledger.paid,
    uncertainAttempts: ctx.ledger.uncertain,
    err,
  });
  return {
    ...ctx.base,
    ...counted(ctx),
    status: decision.status,
    ...(decision.requestId ? { requestId: decision.requestId } : {}),
    ...(input.resourceCode === undefined ? {} : { resourceCode: input.resourceCode }),
    ...(input.reference === undefined ? {} : { reference: input.reference }),
    lastAttemptAt: new Date(nowEpochMs).toISOString(),
    ...(decision.nextAttemptEpochMs === undefined
      ? {}
      : { nextAttemptAt: new Date(decision.nextAttemptEpochMs).toISOString() }),
    error: { code: decision.code, message: decision.message },
  };
}
