import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  caseIdSchema,
  claimKey,
  claimsPrefix,
  paidKey,
  parseCaseKey,
  parseClaimsEntry,
  parseClaimsName,
  photoKey,
  resultKey,
} from '../../../shared/cases/layout.ts';

const loc = { prefix: 'cases', caseId: 'c-1' };

describe('parseCaseKey', () => {
  it('recognises the two photos of a case', () => {
    expect(parseCaseKey('cases/c-1/ref.jpg', 'cases')).toEqual({ kind: 'photo', role: 'ref', location: loc });
    expect(parseCaseKey('cases/c-1/auth.jpg', 'cases')).toEqual({
      kind: 'photo',
      role: 'auth',
      location: loc,
    });
    expect(parseCaseKey('c-1/auth.jpg', '')).toEqual({
      kind: 'photo',
      role: 'auth',
      location: { prefix: '', caseId: 'c-1' },
    });
    expect(parseCaseKey('in/2024/c-1/ref.jpg', 'in/2024')).toMatchObject({
      kind: 'photo',
      location: { caseId: 'c-1' },
    });
  });

  it('ignores what the door writes and anything that is not a case photo', () => {
    for (const key of [
      'cases/c-1/result.json',
      'cases/c-1/case.json',
      claimKey(loc, 'a'.repeat(64), 1),
      paidKey(loc, 'a'.repeat(64), 1),
      'cases/c-1/REF.JPG',
      'cases/c-1/ref.jpeg',
      'cases/ref.jpg',
      'other/c-1/ref.jpg',
      'casesX/c-1/ref.jpg',
    ]) {
      expect(parseCaseKey(key, 'cases'), key).toEqual({ kind: 'other' });
    }
  });

  it('marks photos in folders that are not valid caseIds, with a reason', () => {
    expect(parseCaseKey('cases/a b/ref.jpg', 'cases')).toMatchObject({
      kind: 'invalid-case',
      folder: 'cases/a b',
    });
    expect(parseCaseKey('cases/x/y/auth.jpg', 'cases')).toMatchObject({
      kind: 'invalid-case',
      folder: 'cases/x/y',
      message: expect.stringContaining('/'),
    });
    expect(parseCaseKey(`cases/${'a'.repeat(129)}/ref.jpg`, 'cases')).toMatchObject({ kind: 'invalid-case' });
    expect(parseCaseKey('cases/a..b/ref.jpg', 'cases')).toMatchObject({ kind: 'invalid-case' });
  });

  it('never throws, and every photo it accepts has a valid caseId', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 80 }),
        fc.constantFrom('ref.jpg', 'auth.jpg', 'x'),
        (middle, file) => {
          const parsed = parseCaseKey(`cases/${middle}/${file}`, 'cases');
          if (parsed.kind === 'photo')
            expect(caseIdSchema.safeParse(parsed.location.caseId).success).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('claims layout', () => {
  it('numbers claims and paid records so that they sort and parse back', () => {
    const h = 'f'.repeat(64);
    expect(claimKey(loc, h, 3)).toBe(`cases/c-1/.idv-${h}.claim-000003.json`);
    expect(paidKey(loc, h, 3)).toBe(`cases/c-1/.idv-${h}.paid-000003.json`);
    expect(claimKey(loc, h, 3).startsWith(claimsPrefix(loc, h))).toBe(true);
    expect(parseClaimsEntry(claimKey(loc, h, 3))).toEqual({ pairHash: h, kind: 'claim', seq: 3 });
    expect(parseClaimsEntry(paidKey(loc, h, 1234567))).toEqual({ pairHash: h, kind: 'paid', seq: 1234567 });
    expect(parseClaimsEntry(resultKey(loc))).toBeUndefined();
    // Only the door's own names: a 64-hex pair hash, a known kind, six or more digits.
    for (const name of [
      `.idv-${'F'.repeat(64)}.claim-000001.json`,
      `.idv-${h.slice(1)}.claim-000001.json`,
      `.idv-${h}.lease-000001.json`,
      `.idv-${h}.claim-00001.json`,
      `.idv-${h}.claim-000001.json.tmp`,
    ]) {
      expect(parseClaimsName(name), name).toBeUndefined();
    }
  });

  it('parses back every claim and paid key it makes, and no photo or result key (property)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9a-f]{64}$/),
        fc.integer({ min: 1, max: 99_999_999 }),
        fc.constantFrom('claim' as const, 'paid' as const),
        fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/).filter((id) => !id.includes('..')),
        (hash, seq, kind, caseId) => {
          const at = { prefix: 'cases', caseId };
          const key = (kind === 'claim' ? claimKey : paidKey)(at, hash, seq);
          expect(key.startsWith(claimsPrefix(at, hash))).toBe(true);
          expect(parseClaimsEntry(key)).toEqual({ pairHash: hash, kind, seq });
          expect(parseCaseKey(key, 'cases')).toEqual({ kind: 'other' });
          for (const other of [photoKey(at, 'ref'), photoKey(at, 'auth'), resultKey(at)]) {
            expect(parseClaimsEntry(other)).toBeUndefined();
          }
        },
      ),
    );
  });
});
