/**
 * How a due case is handled. Inline (the default, and what the local stack uses): through processCase, exactly
 * the code the OSS function runs (one claim, one paid call per pair version). Fan-out: see fanout.ts.
 */
import { processCase } from '../cases/process.ts';
import type { CaseStatus } from '../cases/schemas.ts';
import type { CaseDeps } from '../cases/types.ts';
import type { Decision } from './decide.ts';
import type { CaseSnapshot } from './scan.ts';

export type RunOutcome =
  | { kind: 'written'; status: CaseStatus; errorCode: string | undefined; upstreamCalled: boolean }
  | { kind: 'skipped'; reason: string }
  | { kind: 'dispatched' };

export type CaseRunner = (snapshot: CaseSnapshot, decision: Decision) => Promise<RunOutcome>;

export function createInlineRunner(deps: CaseDeps, options: { deadlineEpochMs?: number } = {}): CaseRunner {
  return async (snapshot, decision) => {
    const outcome = await processCase(
      deps,
      { prefix: snapshot.prefix, caseId: snapshot.caseId },
      {
        ...(decision.action === 'force' ? { force: true } : {}),
        ...(options.deadlineEpochMs === undefined ? {} : { deadlineEpochMs: options.deadlineEpochMs }),
      },
    );
    if (outcome.action === 'written') {
      return {
        kind: 'written',
        status: outcome.status,
        errorCode: outcome.result.error?.code,
        upstreamCalled: outcome.upstreamCalled,
      };
    }
    return { kind: 'skipped', reason: outcome.action };
  };
}
