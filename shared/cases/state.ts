/**
 * The case state machine. A pair version (both photo ETags) moves from "no result" to one of:
 *   verified  final  the upstream answered (passed or not: see verdict)
 *   rejected  final  bad input (photo, caseId, case.json, resourceCode); no paid call was made
 *   failed    final  the upstream refused for good (403 not activated, 404 bad service, Z1141 bad resourceCode)
 *   retrying  the next attempt is due at nextAttemptAt (transient failure, throttling, 402 until the quota reset)
 *   held      not final, not retried: attempts of unknown outcome (possibly billed) used up
 *             IDV_MAX_UNCERTAIN_RETRIES, or a Code 200 reply could not be read; `rerun --force` settles it
 * retrying -> any status, on the scheduled rerun. A final status changes only when a photo is replaced (a new
 * pair version starts from "no result") or when an operator forces a rerun.
 */
import { nextQuotaResetEpochMs } from '../clock.ts';
import { IdvError, type IdvErrorCode } from '../idv/errors.ts';
import { PhotoError } from '../photo/errors.ts';
import { CaseInputError, RUN_LEVEL_CODES, type RunLevelCode, RunLevelError } from './errors.ts';
import type { CaseStatus } from './schemas.ts';
import type { CaseSettings } from './settings.ts';

const FINAL_STATUSES = ['verified', 'rejected', 'failed'] as const satisfies readonly CaseStatus[];
export const isFinal = (status: CaseStatus): boolean =>
  (FINAL_STATUSES as readonly string[]).includes(status);

/** Upstream codes that say the input itself is bad: rejected, like local validation failures. */
const UPSTREAM_REJECTS = ['InvalidParameters', 'UnableGetImage'] as const satisfies readonly IdvErrorCode[];
/** Upstream codes that will not heal by retrying the same request. */
const UPSTREAM_FAILS: readonly string[] = [
  'NotActivated',
  'InvalidService',
  'InvalidResourceCode',
  'UpstreamRejected',
];

/** The run-level error `err` stands for, or undefined when it is about the case (see RunLevelError). */
export function runLevelErrorOf(err: unknown): RunLevelError | undefined {
  if (err instanceof CaseInputError && err.code === 'resource_code_missing') {
    return new RunLevelError(
      'resource_code_missing',
      'IDV_RESOURCE_CODE is not set and the case names no resourceCode (case.json or photo metadata resource-code)',
      { variable: 'IDV_RESOURCE_CODE', cause: err },
    );
  }
  if (err instanceof IdvError && (RUN_LEVEL_CODES as readonly string[]).includes(err.code)) {
    return new RunLevelError(err.code as RunLevelCode, err.message, { cause: err });
  }
  return undefined;
}

interface FailureDecision {
  status: Exclude<CaseStatus, 'verified'>;
  code: string;
  message: string;
  requestId?: string;
  nextAttemptEpochMs?: number;
}

/** Exponential backoff without jitter (the rerun batches by due time anyway): base * 2^(attempts-1), capped. */
export function backoffMs(
  attempts: number,
  settings: Pick<CaseSettings, 'retryBaseMs' | 'retryMaxMs'>,
): number {
  const exp = Math.min(Math.max(attempts - 1, 0), 30);
  return Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** exp);
}

/**
 * Classifies what went wrong in attempt number `attempts`. Returns undefined for errors that are not about the
 * case (store outages, bugs): the caller lets those propagate so the event is redelivered or rerun.
 */
/** The decision for a case whose possibly-billed attempts used up the budget. */
export function heldDecision(
  uncertainAttempts: number,
  maxUncertainRetries: number,
  cause?: IdvError,
): FailureDecision {
  const why = cause
    ? `the last attempt ended ${cause.code} (${cause.message})`
    : 'an earlier attempt ended without a known outcome';
  return {
    status: 'held',
    code: 'UncertainOutcome',
    message: `held for the operator: ${uncertainAttempts} upstream attempt(s) may have been billed without a readable answer (allowed retries: ${maxUncertainRetries}); ${why}. Check the upstream RequestId, then settle with \`npm run rerun -- --force\``,
    ...(cause?.requestId ? { requestId: cause.requestId } : {}),
  };
}

export function decideFailure(
  err: unknown,
  attempts: number,
  nowEpochMs: number,
  settings: CaseSettings,
  /** Possibly-billed attempts of this pair version so far, this one's included. */
  uncertainAttempts = 0,
): FailureDecision | undefined {
  if (err instanceof PhotoError || err instanceof CaseInputError) {
    return { status: 'rejected', code: err.code, message: err.message };
  }
  if (!(err instanceof IdvError)) return undefined;
  const base = {
    code: err.code,
    message: err.message,
    ...(err.requestId ? { requestId: err.requestId } : {}),
  };
  if ((UPSTREAM_REJECTS as readonly string[]).includes(err.code)) return { status: 'rejected', ...base };
  if ((UPSTREAM_FAILS as readonly string[]).includes(err.code)) return { status: 'failed', ...base };
  // A Code 200 reply we cannot read was billed: paying again would likely buy the same reply. Any other
  // possibly-billed outcome is retried by a later run only while the budget lasts.
  const maxUncertain = settings.maxUncertainRetries ?? 1;
  if (err.code === 'Unparseable' || (err.billing === 'uncertain' && uncertainAttempts > maxUncertain)) {
    return heldDecision(uncertainAttempts, maxUncertain, err);
  }
  if (attempts >= settings.maxAttempts) {
    return {
      status: 'failed',
      ...base,
      code: 'RetriesExhausted',
      message: `gave up after ${attempts} attempts; last error ${err.code}: ${err.message}`,
    };
  }
  const nextAttemptEpochMs =
    err.code === 'QuotaExceeded'
      ? nextQuotaResetEpochMs(nowEpochMs, settings.quotaResetUtcOffsetMinutes)
      : nowEpochMs + backoffMs(attempts, settings);
  return { status: 'retrying', ...base, nextAttemptEpochMs };
}
