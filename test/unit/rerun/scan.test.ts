import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CaseSnapshot, scanCases, scanCasesAfter } from '../../../shared/rerun/scan.ts';
import { memoryStore } from './memory-store.ts';

const collect = async (it: AsyncIterable<CaseSnapshot>) => {
  const out: CaseSnapshot[] = [];
  for await (const s of it) out.push(s);
  return out;
};

describe('scanCases', () => {
  it('groups more than 1,000 keys over several pages into cases, in order, with every photo', async () => {
    const store = memoryStore();
    const ids = Array.from({ length: 700 }, (_, i) => `c${String(i).padStart(4, '0')}`);
    for (const id of ids) {
      store.seed(`cases/${id}/ref.jpg`, `ref-${id}`);
      store.seed(`cases/${id}/auth.jpg`, `auth-${id}`);
    }
    store.seed('cases/c0001/result.json', '{}');
    let pages = 0;
    let keys = 0;
    const cases = await collect(
      scanCases(store, {
        prefix: 'cases',
        onPage: (n) => {
          pages += 1;
          keys += n;
        },
      }),
    );
    expect(keys).toBe(1401);
    expect(pages).toBe(2);
    expect(store.calls.list).toBe(2);
    expect(cases.map((c) => c.caseId)).toEqual(ids);
    expect(cases.every((c) => c.ref && c.auth)).toBe(true);
    expect(cases[1]?.hasResult).toBe(true);
    // A case whose keys straddle the page boundary keeps the token of the page holding its first key.
    // Page 1 ends with c0499/auth.jpg (999 keys before it); its ref.jpg is on page 2.
    const straddling = cases.find((c) => c.caseId === 'c0499');
    expect(straddling?.pageToken).toBeUndefined();
    expect(straddling?.ref).toBeDefined();
    expect(cases.find((c) => c.caseId === 'c0500')?.pageToken).toBe('cases/c0499/auth.jpg');
  });

  it('records the newest claim per pair version and ignores other keys and the cursor folder', async () => {
    const store = memoryStore();
    store.seed('cases/a/ref.jpg', 'r');
    const [h1, h2] = ['1'.repeat(64), '2'.repeat(64)];
    store.seed(`cases/a/.idv-${h1}.claim-000001.json`, '{}', 1000);
    store.seed(`cases/a/.idv-${h1}.claim-000002.json`, '{}', 2000);
    store.seed(`cases/a/.idv-${h1}.paid-000002.json`, '{}');
    store.seed(`cases/a/.idv-${h2}.claim-000001.json`, '{}', 3000);
    store.seed(`cases/a/old/.idv-${h2}.claim-000009.json`, '{}', 4000);
    store.seed('cases/a/notes.txt', 'x');
    store.seed('cases/.rerun/cursor.json', '{}');
    store.seed('cases/loose.jpg', 'x');
    store.seed('cases/bad name/ref.jpg', 'x');
    const cases = await collect(scanCases(store, { prefix: 'cases' }));
    expect(cases.map((c) => c.caseId)).toEqual(['a', 'bad name']);
    expect(cases[0]?.claims.get(h1)).toEqual({ seq: 2, released: false });
    expect(cases[0]?.claims.get(h2)).toEqual({ seq: 1, released: false });
    expect(cases[0]?.auth).toBeUndefined();
    expect(cases[1]?.validCaseId).toBe(false);
  });

  it('does not take a folder whose name extends another one for the same case (abc vs abc-1)', async () => {
    const store = memoryStore();
    for (const id of ['abc', 'abc-1', 'abc.d', 'abc0']) {
      store.seed(`cases/${id}/ref.jpg`, id);
      store.seed(`cases/${id}/auth.jpg`, id);
    }
    const cases = await collect(scanCases(store, { prefix: 'cases', pageSize: 1 }));
    expect(cases.every((c) => c.ref && c.auth)).toBe(true);
    const after = await collect(scanCasesAfter(store, { prefix: 'cases', afterFolder: 'cases/abc/' }));
    // '-' and '.' sort before '/': abc-1/ and abc.d/ come before abc/ in the listing.
    expect(cases.map((c) => c.caseId)).toEqual(['abc-1', 'abc.d', 'abc', 'abc0']);
    expect(after.map((c) => c.caseId)).toEqual(['abc0']);
  });

  it('finds the same cases whatever the page size (property)', async () => {
    const idArb = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,6}$/);
    const fileArb = fc.constantFrom(
      'ref.jpg',
      'auth.jpg',
      'result.json',
      'case.json',
      `.idv-${'a'.repeat(64)}.claim-000001.json`,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(idArb, fileArb), { maxLength: 60, selector: ([i, f]) => `${i}/${f}` }),
        fc.integer({ min: 1, max: 7 }),
        async (objects, pageSize) => {
          const store = memoryStore();
          for (const [id, file] of objects) store.seed(`p/${id}/${file}`, `${id}/${file}`);
          const cases = await collect(scanCases(store, { prefix: 'p', pageSize }));
          const expected = [...new Set(objects.map(([id]) => id))].sort((a, b) =>
            `${a}/` < `${b}/` ? -1 : 1,
          );
          expect(cases.map((c) => c.caseId)).toEqual(expected);
          for (const c of cases) {
            const files = objects.filter(([id]) => id === c.caseId).map(([, f]) => f);
            expect(c.ref !== undefined).toBe(files.includes('ref.jpg'));
            expect(c.auth !== undefined).toBe(files.includes('auth.jpg'));
            expect(c.hasResult).toBe(files.includes('result.json'));
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
