/**
 * Handles one object key of an OSS trigger invocation (the handler calls it for every record, not only the
 * first). A case's `case.json` is handled like its photos (it is part of the case's version); any other key
 * that is not a case photo is ignored; a photo in a folder that is not a valid caseId gets a
 * `rejected` result.json once its partner is there; every case photo goes through processCase. A failure stays
 * with its key: it is reported, and the handler counts the reports. A case the folder store refuses because of
 * a symbolic link (StoreError `SymbolicLink`) is reported and skipped: redelivering the event cannot help, and
 * nothing may be written through the link.
 */
import { StoreError } from '../store/errors.ts';
import { caseFolderResult, rejectInvalidCase } from './invalid-case.ts';
import { caseOfCaseJsonKey, parseCaseKey } from './layout.ts';
import { type ProcessOptions, processCase } from './process.ts';
import type { CaseDeps, CaseOutcome } from './types.ts';

export type KeyReport =
  | { key: string; action: 'ignored' }
  | {
      key: string;
      action: CaseOutcome['action'];
      status?: string;
      caseId: string;
      /** busy: when the holder's lease ends (a crashed holder's claim can be taken over then). */
      leaseUntilEpochMs?: number;
    }
  | { key: string; action: 'skipped'; code: string; message: string }
  | { key: string; action: 'error'; code: string; message: string; retryable: boolean };

function report(key: string, caseId: string, outcome: CaseOutcome): KeyReport {
  const status = 'status' in outcome ? { status: outcome.status } : {};
  const lease =
    outcome.action === 'busy' && outcome.leaseUntilEpochMs !== undefined
      ? { leaseUntilEpochMs: outcome.leaseUntilEpochMs }
      : {};
  return { key, action: outcome.action, ...status, ...lease, caseId };
}

/** Handles one object key; a failure is reported (and logged), never thrown. */
export async function handleObjectKey(
  deps: CaseDeps,
  key: string,
  options: ProcessOptions = {},
): Promise<KeyReport> {
  const parsed = parseCaseKey(key, deps.settings.prefix);
  try {
    if (parsed.kind === 'other') {
      // case.json is part of the case's version: its event judges the case again, like a photo's.
      const location = caseOfCaseJsonKey(key, deps.settings.prefix);
      if (!location) return { key, action: 'ignored' };
      return report(key, location.caseId, await processCase(deps, location, options));
    }
    if (parsed.kind === 'invalid-case') {
      const outcome = await rejectInvalidCase(deps, parsed.folder, parsed.message);
      return { key, ...caseFolderResult(outcome), caseId: parsed.folder };
    }
    return report(key, parsed.location.caseId, await processCase(deps, parsed.location, options));
  } catch (err) {
    if (err instanceof StoreError && err.code === 'SymbolicLink') {
      deps.logger.warn('case skipped: symbolic link', { key, code: err.code, message: err.message });
      return { key, action: 'skipped', code: err.code, message: err.message };
    }
    const e = err as { code?: unknown; message?: unknown; retryable?: unknown };
    const code = typeof e.code === 'string' ? e.code : 'Unexpected';
    deps.logger.error('processing a key failed', { key, err });
    return {
      key,
      action: 'error',
      code,
      message: typeof e.message === 'string' ? e.message : 'unexpected error',
      retryable: e.retryable !== false,
    };
  }
}
