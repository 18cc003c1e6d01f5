/**
 * Handles the object keys of one OSS trigger invocation: every key, not only the first. Keys that are not case
 * photos are ignored; a photo in a folder that is not a valid caseId gets a `rejected` result.json once its
 * partner is there; every case photo goes through processCase. Failures are isolated per key and counted.
 */
import { caseFolderResult, rejectInvalidCase } from './invalid-case.ts';
import { parseCaseKey } from './layout.ts';
import { type ProcessOptions, processCase } from './process.ts';
import type { CaseDeps, CaseOutcome } from './types.ts';

export type KeyReport =
  | { key: string; action: 'ignored' }
  | { key: string; action: CaseOutcome['action']; status?: string; caseId: string }
  | { key: string; action: 'error'; code: string; message: string; retryable: boolean };

export interface BatchReport {
  reports: KeyReport[];
  counts: Record<string, number>;
  /** Keys that failed for reasons outside the case (store outage, bug): the event should be redelivered. */
  failed: number;
}

export async function handleObjectKeys(
  deps: CaseDeps,
  keys: readonly string[],
  options: ProcessOptions = {},
): Promise<BatchReport> {
  const reports: KeyReport[] = [];
  for (const key of keys) {
    const parsed = parseCaseKey(key, deps.settings.prefix);
    try {
      if (parsed.kind === 'other') {
        reports.push({ key, action: 'ignored' });
      } else if (parsed.kind === 'invalid-case') {
        const outcome = await rejectInvalidCase(deps, parsed.folder, parsed.message);
        reports.push({ key, ...caseFolderResult(outcome), caseId: parsed.folder });
      } else {
        const outcome = await processCase(deps, parsed.location, options);
        const status = 'status' in outcome ? { status: outcome.status } : {};
        reports.push({ key, action: outcome.action, ...status, caseId: parsed.location.caseId });
      }
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown; retryable?: unknown };
      const code = typeof e.code === 'string' ? e.code : 'Unexpected';
      deps.logger.error('processing a key failed', { key, err });
      reports.push({
        key,
        action: 'error',
        code,
        message: typeof e.message === 'string' ? e.message : 'unexpected error',
        retryable: e.retryable !== false,
      });
    }
  }
  const counts: Record<string, number> = {};
  for (const r of reports) counts[r.action] = (counts[r.action] ?? 0) + 1;
  return { reports, counts, failed: counts.error ?? 0 };
}
