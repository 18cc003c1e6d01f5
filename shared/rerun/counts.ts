/** What a rerun reports, in its log line and its return value. */
import type { CaseStatus } from '../cases/schemas.ts';

export interface RerunCounts {
  /** Keys listed. */
  keys: number;
  /** Case folders seen. */
  scanned: number;
  /** Cases decided due (or forced). */
  due: number;
  verified: number;
  rejected: number;
  retrying: number;
  failed: number;
  /** Cases held for the operator: an attempt may have been billed without a readable answer. */
  held: number;
  /** Cases not run: nothing to do (or processCase found nothing to do after all: a race, a live claim). */
  skipped: number;
  /** Due cases left for the next run (deadline, limit, quota). */
  remaining: number;
  /** Cases whose processing threw (store outage, bug): they stay due for the next run. */
  errors: number;
  /** Fan-out mode: cases handed to the OSS function. */
  dispatched: number;
}

export const emptyCounts = (): RerunCounts => ({
  keys: 0,
  scanned: 0,
  due: 0,
  verified: 0,
  rejected: 0,
  retrying: 0,
  failed: 0,
  held: 0,
  skipped: 0,
  remaining: 0,
  errors: 0,
  dispatched: 0,
});

export const countStatus = (counts: RerunCounts, status: CaseStatus): void => {
  counts[status] += 1;
};

/** Why a run ended. */
const STOP_REASONS = ['complete', 'deadline', 'limit', 'quota', 'list-error', 'run-level-error'] as const;
export type StopReason = (typeof STOP_REASONS)[number];
