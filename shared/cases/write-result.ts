/**
 * The last step of processCase: write result.json, unless a photo or case.json was replaced meanwhile (a verdict about an
 * old version must not shadow the new one), then apply the retention setting.
 */
import { jsonBody } from '../store/json.ts';
import { type CaseLocation, caseJsonKey, photoKey, resultKey } from './layout.ts';
import { type CaseResult, resultSchema } from './schemas.ts';
import type { CaseDeps, CaseOutcome } from './types.ts';

export async function writeResult(
  deps: CaseDeps,
  location: CaseLocation,
  result: CaseResult,
  paidSaved: Promise<void>,
  flags: { upstreamCalled: boolean; reusedPaid: boolean },
): Promise<CaseOutcome> {
  const { store } = deps;
  const log = deps.logger.child({ caseId: location.caseId });
  // A photo or case.json replaced meanwhile must not be shadowed by a verdict about its old version.
  const [ref, auth, caseJson] = await Promise.all([
    store.head(photoKey(location, 'ref')),
    store.head(photoKey(location, 'auth')),
    result.caseJson === undefined ? undefined : store.head(caseJsonKey(location)),
    paidSaved,
  ]);
  const caseJsonChanged = result.caseJson !== undefined && caseJson?.etag !== result.caseJson?.etag;
  if (ref?.etag !== result.photos.ref.etag || auth?.etag !== result.photos.auth.etag || caseJsonChanged) {
    log.info(
      'photo or case.json replaced before the result was written; leaving result.json to the newer version',
    );
    return { action: 'superseded' };
  }
  await store.put(resultKey(location), jsonBody(resultSchema.parse(result)), {
    contentType: 'application/json',
  });
  // upstreamCalled: a request was sent (billed or not: paidAttempts in result.json says what it cost).
  log.info('result written', {
    outcome: result.status,
    code: result.error?.code,
    upstreamCalled: flags.upstreamCalled,
    paidAttempts: result.paidAttempts,
  });
  if (result.status === 'verified' && deps.settings.deletePhotosAfterVerdict) {
    await Promise.all([store.delete(photoKey(location, 'ref')), store.delete(photoKey(location, 'auth'))]);
    result = { ...result, photosDeleted: true };
    await store.put(resultKey(location), jsonBody(result), { contentType: 'application/json' });
    log.info('photos deleted after the verdict (retention setting)');
  }
  return { action: 'written', status: result.status, result, ...flags };
}
