import { describe, expect, it } from 'vitest';
import { CaseInputError } from '../../../shared/cases/errors.ts';
import { DEFAULT_CASE_SETTINGS } from '../../../shared/cases/settings.ts';
import { backoffMs, decideFailure, isFinal } from '../../../shared/cases/state.ts';
import { nextQuotaResetEpochMs } from '../../../shared/clock.ts';
import { IdvError } from '../../../shared/idv/errors.ts';
import { PhotoError } from '../../../shared/photo/errors.ts';

const settings = { ...DEFAULT_CASE_SETTINGS, retryBaseMs: 1000, retryMaxMs: 8000, maxAttempts: 5 };
const now = Date.parse('2026-03-10T15:30:00Z');

describe('decideFailure', () => {
  it('rejects bad photos and bad case input with their own codes', () => {
    expect(
      decideFailure(
        new PhotoError('photo_unsupported_type', 'ref.jpg', 'ref.jpg is not a JPEG'),
        1,
        now,
        settings,
      ),
    ).toEqual({
      status: 'rejected',
      code: 'photo_unsupported_type',
      message: 'ref.jpg is not a JPEG',
    });
    expect(decideFailure(new CaseInputError('case_json_malformed', 'bad'), 1, now, settings)).toMatchObject({
      status: 'rejected',
      code: 'case_json_malformed',
    });
  });

  it.each(['NotActivated', 'InvalidService', 'InvalidResourceCode'] as const)(
    'fails for good on %s',
    (code) => {
      expect(decideFailure(new IdvError(code, 'no', { requestId: 'R' }), 1, now, settings)).toEqual({
        status: 'failed',
        code,
        message: 'no',
        requestId: 'R',
      });
    },
  );

  it.each(['SystemError', 'Processing', 'Timeout', 'Network', 'Throttled', 'Protocol'] as const)(
    'retries %s with exponential backoff',
    (code) => {
      expect(decideFailure(new IdvError(code, 'later'), 1, now, settings)).toMatchObject({
        status: 'retrying',
        code,
        nextAttemptEpochMs: now + 1000,
      });
      expect(decideFailure(new IdvError(code, 'later'), 3, now, settings)?.nextAttemptEpochMs).toBe(
        now + 4000,
      );
    },
  );

  it('retries a spent quota after the next reset', () => {
    expect(decideFailure(new IdvError('QuotaExceeded', 'quota'), 1, now, settings)).toMatchObject({
      status: 'retrying',
      nextAttemptEpochMs: Date.parse('2026-03-11T00:00:00Z'),
    });
  });

  it('gives up after maxAttempts', () => {
    expect(decideFailure(new IdvError('SystemError', 'x'), 5, now, settings)).toMatchObject({
      status: 'failed',
      code: 'RetriesExhausted',
    });
  });

  it('leaves errors that are not about the case to the caller', () => {
    expect(decideFailure(new Error('disk on fire'), 1, now, settings)).toBeUndefined();
  });
});

describe('nextQuotaResetEpochMs', () => {
  it('is the next midnight in the given offset, strictly later', () => {
    expect(nextQuotaResetEpochMs(now, 0)).toBe(Date.parse('2026-03-11T00:00:00Z'));
    expect(nextQuotaResetEpochMs(now, 480)).toBe(Date.parse('2026-03-10T16:00:00Z'));
    expect(nextQuotaResetEpochMs(Date.parse('2026-03-11T00:00:00Z'), 0)).toBe(
      Date.parse('2026-03-12T00:00:00Z'),
    );
    expect(nextQuotaResetEpochMs(now, -300)).toBe(Date.parse('2026-03-11T05:00:00Z'));
  });
});

describe('backoffMs and isFinal', () => {
  it('doubles up to the cap', () => {
    expect([1, 2, 3, 4, 5, 50].map((a) => backoffMs(a, settings))).toEqual([
      1000, 2000, 4000, 8000, 8000, 8000,
    ]);
  });
  it('knows which statuses are final', () => {
    expect(['verified', 'rejected', 'failed', 'retrying'].map((s) => isFinal(s as never))).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});
