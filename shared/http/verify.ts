/** POST /verify: parsed body -> validated, normalised photos -> one paid call -> the verdict reply. */
import type { Clock } from '../clock.ts';
import { CheckedBase64 } from '../idv/base64.ts';
import { IdvError } from '../idv/errors.ts';
import type { Credentials, IdvClient } from '../idv/types.ts';
import { settleVerdict, verdictFieldsOf } from '../idv/verdict.ts';
import type { Logger } from '../log.ts';
import { type NormalisedPhoto, normalisePhoto } from '../photo/normalise.ts';
import type { PhotoInput, VerifyInput } from './body.ts';
import { HttpError } from './errors.ts';
import type { VerifyResponse } from './schemas.ts';

interface VerifyDeps {
  idv: IdvClient;
  clock: Clock;
  limits: { maxPhotoBytes: number; maxPhotoPixels: number };
  defaultResourceCode: string | undefined;
}

interface VerifyCall {
  requestId: string;
  /** The parsed body (parseVerifyBody). */
  input: VerifyInput;
  credentials: Credentials | undefined;
  deadlineEpochMs: number;
  logger: Logger;
  /** Overrides the client's IDV_MAX_UNCERTAIN_RETRIES (an idempotency key's remaining budget). */
  maxUncertainRetries?: number;
  /** Awaited before each upstream request leaves (see VerifyOptions.beforeAttempt). */
  beforeAttempt?: (attempt: number) => Promise<void>;
  /** Filled with what the upstream attempts cost (certainly / possibly billed), for the request's log line. */
  ledger?: { paid: number; uncertain: number };
}

const summary = (p: NormalisedPhoto) => ({
  format: p.inputFormat,
  action: p.action,
  width: p.width,
  height: p.height,
  bytes: p.jpeg.length,
});

/** Base64 for the upstream: the caller's own (checked, canonical) text when the photo passes byte-identical. */
const upstreamBase64 = (p: NormalisedPhoto, input: PhotoInput): CheckedBase64 =>
  p.action === 'unchanged' && input.base64 !== undefined ? input.base64 : CheckedBase64.encode(p.jpeg);

export async function verifyPhotos(deps: VerifyDeps, call: VerifyCall): Promise<VerifyResponse> {
  const { input } = call;
  const resourceCode = input.resourceCode ?? deps.defaultResourceCode;
  if (resourceCode === undefined) {
    throw new HttpError('resource_code_required', 'resourceCode is required (no default is configured)', {
      field: 'resourceCode',
    });
  }
  const limits = { maxBytes: deps.limits.maxPhotoBytes, maxPixels: deps.limits.maxPhotoPixels };
  // Both at once (libvips works on libuv's thread pool, so two re-encodes use two cores when there are two);
  // when both fail, the ref photo's error is reported, so the answer does not depend on timing.
  const [refResult, authResult] = await Promise.allSettled([
    normalisePhoto(input.ref.bytes, input.ref.field, limits),
    normalisePhoto(input.auth.bytes, input.auth.field, limits),
  ]);
  if (refResult.status === 'rejected') throw refResult.reason;
  if (authResult.status === 'rejected') throw authResult.reason;
  const ref = refResult.value;
  const auth = authResult.value;
  call.logger.info('photos ready', { ref: summary(ref), auth: summary(auth) });

  let raw: Awaited<ReturnType<IdvClient['verify']>>;
  try {
    raw = await deps.idv.verify(
      {
        refFaceContent: upstreamBase64(ref, input.ref),
        authFaceContent: upstreamBase64(auth, input.auth),
        resourceCode,
      },
      {
        deadlineEpochMs: call.deadlineEpochMs,
        // The request's logger: the call's lines carry its request id.
        logger: call.logger,
        ...(call.credentials ? { credentials: call.credentials } : {}),
        ...(call.maxUncertainRetries === undefined ? {} : { maxUncertainRetries: call.maxUncertainRetries }),
        ...(call.beforeAttempt ? { beforeAttempt: call.beforeAttempt } : {}),
      },
    );
  } catch (err) {
    if (call.ledger && err instanceof IdvError) {
      call.ledger.paid += err.paidAttempts;
      call.ledger.uncertain += err.uncertainAttempts;
    }
    throw err;
  }
  if (call.ledger) {
    call.ledger.paid += raw.paidAttempts ?? 1;
    call.ledger.uncertain += raw.uncertainAttempts ?? 0;
  }
  const verdict = settleVerdict(raw);
  if (verdict.upstreamInconsistent) {
    call.logger.warn('upstream verdict contradicts itself; decided as not verified', {
      upstreamRequestId: verdict.requestId,
      upstreamInconsistent: true,
    });
  }
  return {
    requestId: call.requestId,
    upstreamRequestId: verdict.requestId,
    ...verdictFieldsOf(verdict),
    ...(input.reference === undefined ? {} : { reference: input.reference }),
    verifiedAt: new Date(deps.clock.nowMs()).toISOString(),
  };
}
