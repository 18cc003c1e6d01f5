/** What the decision needs from a case's result.json (one read; the result is validated with its schema). */
import { resultKey } from '../cases/layout.ts';
import { resultSchema } from '../cases/schemas.ts';
import { parseJson } from '../json.ts';
import type { ObjectStore } from '../store/types.ts';
import type { ResultFacts } from './decide.ts';
import type { CaseSnapshot } from './scan.ts';

export async function resultFacts(
  store: ObjectStore,
  s: CaseSnapshot,
): Promise<ResultFacts | 'unreadable' | undefined> {
  if (!s.hasResult) return undefined;
  const object = await store.get(resultKey({ prefix: s.prefix, caseId: s.caseId }));
  if (!object) return undefined;
  const parsed = parseJson(resultSchema, object.body);
  if (!parsed.ok) return 'unreadable';
  const r = parsed.value;
  return {
    status: r.status,
    refEtag: r.photos.ref.etag,
    authEtag: r.photos.auth.etag,
    ...(r.caseJson === undefined ? {} : { caseJsonEtag: r.caseJson?.etag ?? null }),
    nextAttemptEpochMs: r.nextAttemptAt === undefined ? undefined : Date.parse(r.nextAttemptAt),
    claimSeq: r.claimSeq,
  };
}
