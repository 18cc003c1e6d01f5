/** What the rerun command prints: one plain line per case that did something, and a summary table. */
import type { CaseEvent, RerunReport } from '../../shared/rerun/run.ts';

/** One line per case event worth a line (skipped cases are only counted); undefined for the others. */
export function caseLine(event: CaseEvent, dryRun: boolean): string | undefined {
  const { caseId, decision, outcome } = event;
  if (decision.action === 'skip' && decision.reason === 'held') {
    return `${caseId}  held: an upstream attempt may have been billed without a readable answer; settle with --force`;
  }
  if (decision.action === 'skip') return undefined;
  if (!outcome) return dryRun ? `${caseId}  ${decision.action} (${decision.reason})` : undefined;
  switch (outcome.kind) {
    case 'written':
      return `${caseId}  ${decision.reason} -> ${outcome.status}${outcome.errorCode ? ` (${outcome.errorCode})` : ''}`;
    case 'skipped':
      return `${caseId}  ${decision.reason} -> nothing to do (${outcome.reason})`;
    case 'dispatched':
      return `${caseId}  ${decision.reason} -> dispatched`;
    case 'error':
      return `${caseId}  ${decision.reason} -> error ${outcome.code}: ${outcome.message}`;
    case 'remaining':
      return `${caseId}  ${decision.reason} -> not run (still due)`;
  }
}

const ROWS: [keyof RerunReport['counts'], string][] = [
  ['scanned', 'cases scanned'],
  ['due', 'due'],
  ['verified', 'verified'],
  ['rejected', 'rejected'],
  ['retrying', 'retrying'],
  ['failed', 'failed'],
  ['held', 'held'],
  ['skipped', 'skipped'],
  ['remaining', 'remaining'],
  ['errors', 'errors'],
];

const STOPS: Record<RerunReport['stopReason'], string> = {
  complete: 'the whole prefix was listed',
  deadline: 'stopped at the deadline',
  limit:
    'stopped at --limit; the cases not run are still due (this command keeps no cursor: run it again to take them)',
  quota: 'stopped at the first 402 (daily quota spent); the rest is due after the quota reset',
  'list-error': 'stopped: listing the bucket failed',
  'run-level-error': 'stopped at the first configuration or account failure; no case spent an attempt on it',
};

const capitalise = (s: string, yes: boolean): string => (yes ? s.charAt(0).toUpperCase() + s.slice(1) : s);

/**
 * A forced run has no cursor and re-verifies every complete pair it reaches, from the first: running it again
 * with the same --limit would pay again for the same cases.
 */
const FORCED_LIMIT_STOP =
  'stopped at --limit; a forced run always starts from the first case, so running it again with the same --limit pays again for the same cases: to take the rest, narrow --prefix or raise --limit';

export function summaryTable(report: RerunReport, dryRun: boolean, force = false): string {
  const width = Math.max(...ROWS.map(([, label]) => label.length));
  const numbers = ROWS.map(([k]) => String(report.counts[k]));
  const numWidth = Math.max(...numbers.map((n) => n.length));
  const line = `+${'-'.repeat(width + 2)}+${'-'.repeat(numWidth + 2)}+`;
  const rows = ROWS.map(
    ([, label], i) => `| ${label.padEnd(width)} | ${(numbers[i] ?? '').padStart(numWidth)} |`,
  );
  const notes = [
    `${dryRun ? 'Dry run (nothing was verified or written): ' : ''}${capitalise(force && report.stopReason === 'limit' ? FORCED_LIMIT_STOP : STOPS[report.stopReason], !dryRun)}; ${report.durationMs} ms.`,
    ...(report.error
      ? [
          `Error: ${report.error.code}: ${report.error.message}${report.error.variable ? ` (set ${report.error.variable})` : ''}`,
        ]
      : []),
    ...(report.failedCases.length > 0 ? [`Failed or not processed: ${report.failedCases.join(', ')}`] : []),
    ...(report.counts.held > 0
      ? [
          `Held: ${report.counts.held} case(s) whose upstream attempt may have been billed without a readable answer; check them, then settle with --force (docs/money-safety.md).`,
        ]
      : []),
  ];
  return [line, ...rows.slice(0, 1), line, ...rows.slice(1), line, ...notes].join('\n');
}

/**
 * 2 when the run stopped at a configuration or account failure (wrong credentials, service not activated,
 * IDV_RESOURCE_CODE missing); 1 when a case ended failed or could not be processed, or when every case that ran
 * ended retrying (no upstream call succeeded: an unreachable endpoint); else 0.
 */
export function exitCodeOf(report: RerunReport): number {
  if (report.stopReason === 'run-level-error') return 2;
  const c = report.counts;
  if (c.failed > 0 || c.errors > 0 || report.error) return 1;
  return c.retrying > 0 && c.verified + c.rejected === 0 ? 1 : 0;
}
