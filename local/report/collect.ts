/**
 * The figures of a batch: every `<prefix>/<caseId>/result.json` under a prefix (folder store or OSS), read and
 * validated with the result.json schema. Counts by status, a score histogram, attempts, error codes, the cases
 * that are not verified with their reason, and when the batch ran (first and last attempt). Never photo bytes.
 */
import pLimit from 'p-limit';
import { caseOfCaseJsonKey, parseCaseKey, RESULT_JSON } from '../../shared/cases/layout.ts';
import { type CaseResult, resultSchema } from '../../shared/cases/schemas.ts';
import { describes, versionOfResult } from '../../shared/cases/version.ts';
import { parseJson } from '../../shared/json.ts';
import { dict, tally } from '../../shared/own.ts';
import { listAll, type ObjectStore } from '../../shared/store/types.ts';

export const HISTOGRAM_BINS = 10;

interface NotVerifiedCase {
  caseId: string;
  /**
   * A result status, `no_result` (a photo pair, or one photo, without result.json), `unreadable`, or `stale`
   * (result.json is about photos or a case.json replaced since: a rerun judges the new version).
   */
  status: string;
  reason: string;
  score?: number;
  attempts?: number;
}

export interface BatchReport {
  prefix: string;
  source: string;
  generatedAt: string;
  /** The pass mark drawn on the histogram. */
  threshold: number;
  /** First and last attempt over all results: when the batch ran. */
  firstAttemptAt?: string;
  lastAttemptAt?: string;
  cases: number;
  byStatus: Record<string, number>;
  /** HISTOGRAM_BINS counts of scores in [0,10), [10,20), ... [90,100]. */
  scoreHistogram: number[];
  scores: { count: number; min?: number; max?: number; mean?: number };
  /** Number of results per attempts value. */
  attempts: Record<string, number>;
  errorCodes: Record<string, number>;
  notVerified: NotVerifiedCase[];
  /** What the verdicts of `verified` results said (status verified means the comparison ran). */
  verdicts: { same_person: number; not_same_person: number; attack_suspected: number };
  /** verified results whose verdict is not a match, with the score. */
  mismatches: NotVerifiedCase[];
}

const reasonOf = (r: CaseResult): string => {
  if (r.error) return `${r.error.code}: ${r.error.message}`;
  if (r.verdict) {
    const v = r.verdict;
    const what = v.faceAttack === true ? 'spoofing attack suspected' : 'not the same person';
    return `${what} (score ${v.score}; ${v.retCodeSub} ${v.retMessage})`.trim();
  }
  return r.status;
};

export async function collectReport(
  store: ObjectStore,
  options: { prefix: string; source: string; threshold: number; nowMs: number; concurrency?: number },
): Promise<BatchReport> {
  const listPrefix = options.prefix === '' ? '' : `${options.prefix}/`;
  const entries = await listAll(store, listPrefix);
  const withPhotos = new Set<string>();
  /** The objects there now, by case: what a result.json must be about to count as current. */
  const objects = new Map<string, { ref?: string; auth?: string; caseJson?: string }>();
  const objectsOf = (caseId: string) => objects.get(caseId) ?? objects.set(caseId, {}).get(caseId)!;
  const resultKeys: { caseId: string; key: string }[] = [];
  for (const { key, etag } of entries) {
    const parsed = parseCaseKey(key, options.prefix);
    const caseJsonOf = caseOfCaseJsonKey(key, options.prefix);
    if (parsed.kind === 'photo') {
      withPhotos.add(parsed.location.caseId);
      objectsOf(parsed.location.caseId)[parsed.role] = etag;
    } else if (caseJsonOf) objectsOf(caseJsonOf.caseId).caseJson = etag;
    else if (key.endsWith(`/${RESULT_JSON}`)) {
      const caseId = key.slice(listPrefix.length, key.length - RESULT_JSON.length - 1);
      if (caseId !== '' && !caseId.includes('/')) resultKeys.push({ caseId, key });
    }
  }
  const limit = pLimit(options.concurrency ?? 16);
  const read = await Promise.all(
    resultKeys.map(({ caseId, key }) =>
      limit(async () => {
        const object = await store.get(key);
        if (!object) return { caseId, error: 'result.json disappeared while reading' };
        const parsed = parseJson(resultSchema, object.body);
        if (parsed.ok) return { caseId, result: parsed.value };
        return parsed.notJson
          ? { caseId, error: 'result.json is not JSON' }
          : { caseId, error: `result.json does not match idv.result/v1: ${parsed.issue.message}` };
      }),
    ),
  );

  const report: BatchReport = {
    prefix: options.prefix,
    source: options.source,
    generatedAt: new Date(options.nowMs).toISOString(),
    threshold: options.threshold,
    cases: 0,
    byStatus: dict(),
    scoreHistogram: Array.from({ length: HISTOGRAM_BINS }, () => 0),
    scores: { count: 0 },
    attempts: dict(),
    errorCodes: dict(),
    notVerified: [],
    verdicts: { same_person: 0, not_same_person: 0, attack_suspected: 0 },
    mismatches: [],
  };
  const scores: number[] = [];
  const withResult = new Set<string>();
  for (const item of read) {
    withResult.add(item.caseId);
    if (!('result' in item) || !item.result) {
      tally(report.byStatus, 'unreadable');
      report.notVerified.push({
        caseId: item.caseId,
        status: 'unreadable',
        reason: item.error ?? 'unreadable',
      });
      continue;
    }
    const r = item.result;
    const now = objects.get(item.caseId);
    // Photos deleted after the verdict (IDV_DELETE_PHOTOS_AFTER_VERDICT) leave the result as the record.
    if (now?.ref !== undefined && now.auth !== undefined) {
      const current = { refEtag: now.ref, authEtag: now.auth, caseJsonEtag: now.caseJson ?? null };
      if (!describes(versionOfResult(r), current)) {
        tally(report.byStatus, 'stale');
        report.notVerified.push({
          caseId: item.caseId,
          status: 'stale',
          reason: `result.json (${r.status}) is about ${r.photos.ref.etag === now.ref && r.photos.auth.etag === now.auth ? 'an earlier case.json' : 'photos replaced since'}; the next run judges the new version`,
          attempts: r.attempts,
        });
        continue;
      }
    }
    tally(report.byStatus, r.status);
    tally(report.attempts, String(r.attempts));
    if (r.error) tally(report.errorCodes, r.error.code);
    if (r.verdict) {
      const score = Math.min(100, Math.max(0, r.verdict.score));
      scores.push(score);
      report.scoreHistogram[Math.min(HISTOGRAM_BINS - 1, Math.floor(score / (100 / HISTOGRAM_BINS)))]! += 1;
    }
    if (!report.firstAttemptAt || r.firstAttemptAt < report.firstAttemptAt)
      report.firstAttemptAt = r.firstAttemptAt;
    if (!report.lastAttemptAt || r.lastAttemptAt > report.lastAttemptAt)
      report.lastAttemptAt = r.lastAttemptAt;
    if (r.status === 'verified' && r.verdict) {
      const kind = r.verdict.result
        ? 'same_person'
        : r.verdict.faceAttack === true
          ? 'attack_suspected'
          : 'not_same_person';
      report.verdicts[kind] += 1;
      if (kind !== 'same_person') {
        report.mismatches.push({
          caseId: r.caseId,
          status: kind,
          reason: reasonOf(r),
          attempts: r.attempts,
          score: r.verdict.score,
        });
      }
    }
    if (r.status !== 'verified') {
      report.notVerified.push({
        caseId: r.caseId,
        status: r.status,
        reason: reasonOf(r),
        attempts: r.attempts,
        ...(r.verdict ? { score: r.verdict.score } : {}),
      });
    }
  }
  for (const caseId of withPhotos) {
    if (withResult.has(caseId)) continue;
    tally(report.byStatus, 'no_result');
    report.notVerified.push({
      caseId,
      status: 'no_result',
      reason: 'photos without result.json (pair incomplete or not processed yet)',
    });
  }
  report.cases = withResult.size + [...withPhotos].filter((c) => !withResult.has(c)).length;
  report.notVerified.sort((a, b) => a.caseId.localeCompare(b.caseId));
  report.mismatches.sort((a, b) => a.caseId.localeCompare(b.caseId));
  if (scores.length > 0) {
    report.scores = {
      count: scores.length,
      min: Math.min(...scores),
      max: Math.max(...scores),
      mean: Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10,
    };
  }
  return report;
}
