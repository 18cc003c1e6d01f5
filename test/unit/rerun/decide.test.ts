import { describe, expect, it } from 'vitest';
import { type DecisionInput, decideCase } from '../../../shared/rerun/decide.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const base: DecisionInput = {
  validCaseId: true,
  refEtag: 'R1',
  authEtag: 'A1',
  result: undefined,
  claim: undefined,
  nowEpochMs: NOW,
  force: false,
};
const result = (status: 'verified' | 'rejected' | 'retrying' | 'failed', more: object = {}) => ({
  status,
  refEtag: 'R1',
  authEtag: 'A1',
  nextAttemptEpochMs: undefined,
  claimSeq: 1,
  ...more,
});

describe('decideCase', () => {
  const table: [string, Partial<DecisionInput>, string, string][] = [
    ['complete pair without result', {}, 'due', 'no-result'],
    ['invalid caseId', { validCaseId: false }, 'skip', 'invalid-case-id'],
    ['missing ref', { refEtag: undefined }, 'skip', 'incomplete'],
    ['missing auth', { authEtag: undefined }, 'skip', 'incomplete'],
    ['missing photo even when forced', { authEtag: undefined, force: true }, 'skip', 'incomplete'],
    ['verified and fresh', { result: result('verified') }, 'skip', 'final'],
    ['rejected and fresh', { result: result('rejected') }, 'skip', 'final'],
    ['failed and fresh', { result: result('failed') }, 'skip', 'final'],
    ['verified, forced', { result: result('verified'), force: true }, 'force', 'forced'],
    ['rejected, forced', { result: result('rejected'), force: true }, 'force', 'forced'],
    ['failed, forced', { result: result('failed'), force: true }, 'force', 'forced'],
    ['verified, ref replaced', { result: result('verified', { refEtag: 'R0' }) }, 'due', 'photos-replaced'],
    ['rejected, auth replaced', { result: result('rejected', { authEtag: 'A0' }) }, 'due', 'photos-replaced'],
    [
      'rejected, case.json edited',
      { result: result('rejected', { caseJsonEtag: 'J0' }), caseJsonEtag: 'J1' },
      'due',
      'case-json-changed',
    ],
    [
      'verified, case.json added',
      { result: result('verified', { caseJsonEtag: null }), caseJsonEtag: 'J1' },
      'due',
      'case-json-changed',
    ],
    [
      'verified, case.json deleted',
      { result: result('verified', { caseJsonEtag: 'J1' }) },
      'due',
      'case-json-changed',
    ],
    [
      'verified, same case.json',
      { result: result('verified', { caseJsonEtag: 'J1' }), caseJsonEtag: 'J1' },
      'skip',
      'final',
    ],
    [
      'verified before case.json counted',
      { result: result('verified'), caseJsonEtag: 'J1' },
      'skip',
      'final',
    ],
    ['retrying, due now', { result: result('retrying', { nextAttemptEpochMs: NOW }) }, 'due', 'retry-due'],
    [
      'retrying, past due',
      { result: result('retrying', { nextAttemptEpochMs: NOW - 1 }) },
      'due',
      'retry-due',
    ],
    ['retrying without a time', { result: result('retrying') }, 'due', 'retry-due'],
    [
      'retrying, later',
      { result: result('retrying', { nextAttemptEpochMs: NOW + 1 }) },
      'skip',
      'retry-later',
    ],
    [
      'retrying later, forced',
      { result: result('retrying', { nextAttemptEpochMs: NOW + 1 }), force: true },
      'force',
      'forced',
    ],
    ['unreadable result', { result: 'unreadable' }, 'due', 'unreadable-result'],
    ['live claim, no result', { claim: { seq: 1, leaseUntilEpochMs: NOW + 1 } }, 'skip', 'in-progress'],
    ['expired claim, no result', { claim: { seq: 1, leaseUntilEpochMs: NOW } }, 'due', 'expired-claim'],
    [
      'live claim newer than a due retry',
      {
        result: result('retrying', { nextAttemptEpochMs: NOW - 1 }),
        claim: { seq: 2, leaseUntilEpochMs: NOW + 1 },
      },
      'skip',
      'in-progress',
    ],
    [
      'live claim newer than a final result, forced',
      { result: result('verified'), claim: { seq: 2, leaseUntilEpochMs: NOW + 1 }, force: true },
      'skip',
      'in-progress',
    ],
    [
      'claim that wrote the result (not newer) is ignored',
      { result: result('verified'), claim: { seq: 1, leaseUntilEpochMs: NOW + 1 } },
      'skip',
      'final',
    ],
    [
      'expired claim newer than a final result',
      { result: result('verified'), claim: { seq: 2, leaseUntilEpochMs: NOW - 1 } },
      'skip',
      'final',
    ],
  ];

  it.each(table)('%s', (_name, input, action, reason) => {
    expect(decideCase({ ...base, ...input })).toEqual({ action, reason });
  });
});
