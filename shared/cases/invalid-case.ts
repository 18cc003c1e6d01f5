/**
 * A photo pair in a folder whose name is not a valid caseId: result.json `rejected` / `invalid_case_id` beside
 * the photos, no claim and no paid call. Rewriting the same rejection is harmless, so no claim is needed.
 */

import { jsonBody, readJson } from '../store/json.ts';
import type { ObjectStore } from '../store/types.ts';
import { PHOTO_FILES, RESULT_JSON } from './layout.ts';
import { type CaseResult, resultSchema } from './schemas.ts';
import type { CaseDeps, CaseOutcome } from './types.ts';

export async function rejectInvalidCase(
  deps: CaseDeps,
  folder: string,
  message: string,
): Promise<CaseOutcome> {
  const store: ObjectStore = deps.store;
  const [ref, auth] = await Promise.all([
    store.head(`${folder}/${PHOTO_FILES.ref}`),
    store.head(`${folder}/${PHOTO_FILES.auth}`),
  ]);
  if (!ref || !auth) {
    return {
      action: 'waiting',
      missing: [...(ref ? [] : ['ref' as const]), ...(auth ? [] : ['auth' as const])],
    };
  }
  const key = `${folder}/${RESULT_JSON}`;
  const previous = await readJson(store, key, resultSchema);
  if (previous && previous.photos.ref.etag === ref.etag && previous.photos.auth.etag === auth.etag) {
    return { action: 'up-to-date', status: previous.status };
  }
  const nowIso = new Date(deps.clock.nowMs()).toISOString();
  const result: CaseResult = {
    schema: 'idv.result/v1',
    caseId: folder.slice(folder.lastIndexOf('/') + 1),
    status: 'rejected',
    photos: { ref: { etag: ref.etag, size: ref.size }, auth: { etag: auth.etag, size: auth.size } },
    attempts: 1,
    firstAttemptAt: nowIso,
    lastAttemptAt: nowIso,
    error: { code: 'invalid_case_id', message },
    claimSeq: 0,
  };
  await store.put(key, jsonBody(resultSchema.parse(result)), { contentType: 'application/json' });
  deps.logger.info('result written', { folder, outcome: 'rejected', code: 'invalid_case_id' });
  return { action: 'written', status: 'rejected', result, upstreamCalled: false, reusedPaid: false };
}

export const caseFolderResult = (outcome: CaseOutcome): { action: CaseOutcome['action']; status?: string } =>
  'status' in outcome ? { action: outcome.action, status: outcome.status } : { action: outcome.action };
