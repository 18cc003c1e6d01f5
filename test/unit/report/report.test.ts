import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectReport } from '../../../local/report/collect.ts';
import { escapeHtml, renderReportHtml } from '../../../local/report/html.ts';
import type { CaseResult } from '../../../shared/cases/schemas.ts';
import { createFsStore } from '../../../shared/store/fs.ts';
import type { ObjectStore } from '../../../shared/store/types.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const result = (caseId: string, over: Partial<CaseResult> = {}): CaseResult => ({
  schema: 'idv.result/v1',
  caseId,
  status: 'verified',
  verdict: {
    passed: true,
    result: true,
    score: 91.5,
    faceAttack: false,
    retCode: 'OK_SUCCESS',
    retCodeSub: 'Z1140',
    retMessage: 'passed',
  },
  photos: { ref: { etag: 'A', size: 1 }, auth: { etag: 'B', size: 1 } },
  attempts: 1,
  firstAttemptAt: '2026-11-29T06:00:00.000Z',
  lastAttemptAt: '2026-11-29T06:00:01.000Z',
  claimSeq: 1,
  ...over,
});

async function bucket(files: Record<string, string | object>) {
  const root = mkdtempSync(join(tmpdir(), 'idv-report-'));
  dirs.push(root);
  const store = createFsStore({ root });
  for (const [key, body] of Object.entries(files)) {
    await store.put(key, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
  }
  return store;
}

const options = { prefix: 'cases', source: 'test', threshold: 50, nowMs: Date.UTC(2026, 10, 29, 7) };

/** A result about the photos (and case.json) in the store now. */
async function resultAbout(store: ObjectStore, caseId: string, over: Partial<CaseResult> = {}) {
  const info = async (name: string) => {
    const o = await store.head(`cases/${caseId}/${name}`);
    return o && { etag: o.etag, size: o.size };
  };
  const caseJson = await info('case.json');
  return result(caseId, {
    photos: { ref: (await info('ref.jpg'))!, auth: (await info('auth.jpg'))! },
    caseJson: caseJson ?? null,
    ...over,
  });
}

describe('collectReport', () => {
  it('counts by status, bins the scores, tallies attempts and error codes, and lists what is not verified', async () => {
    const store = await bucket({
      'cases/a/ref.jpg': 'x',
      'cases/a/auth.jpg': 'y',
      'cases/b/result.json': result('b', {
        status: 'rejected',
        verdict: {
          ...result('b').verdict!,
          passed: false,
          result: false,
          score: 12.5,
          retCodeSub: 'Z9001',
          retMessage: 'faces differ',
        },
        lastAttemptAt: '2026-11-29T06:30:00.000Z',
      }),
      'cases/c/result.json': result('c', {
        status: 'retrying',
        verdict: undefined,
        attempts: 3,
        error: { code: 'Timeout', message: 'no answer' },
        firstAttemptAt: '2026-11-29T05:00:00.000Z',
      }),
      'cases/d/ref.jpg': 'x',
      'cases/e/result.json': 'not json',
      'other/f/result.json': result('f'),
    });
    await store.put('cases/a/result.json', Buffer.from(JSON.stringify(await resultAbout(store, 'a'))));
    const report = await collectReport(store, options);
    expect(report.cases).toBe(5);
    expect(report.byStatus).toEqual({ verified: 1, rejected: 1, retrying: 1, no_result: 1, unreadable: 1 });
    expect(report.scoreHistogram).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(report.scores).toEqual({ count: 2, min: 12.5, max: 91.5, mean: 52 });
    expect(report.attempts).toEqual({ '1': 2, '3': 1 });
    expect(report.errorCodes).toEqual({ Timeout: 1 });
    expect(report.firstAttemptAt).toBe('2026-11-29T05:00:00.000Z');
    expect(report.lastAttemptAt).toBe('2026-11-29T06:30:00.000Z');
    expect(report.notVerified.map((c) => [c.caseId, c.status])).toEqual([
      ['b', 'rejected'],
      ['c', 'retrying'],
      ['d', 'no_result'],
      ['e', 'unreadable'],
    ]);
    expect(report.notVerified[0]?.reason).toContain('not the same person (score 12.5');
    expect(report.notVerified[1]?.reason).toBe('Timeout: no answer');
    expect(report.verdicts).toEqual({ same_person: 1, not_same_person: 0, attack_suspected: 0 });
  });

  it('counts a result about photos or a case.json replaced since as stale, not as a verdict', async () => {
    const store = await bucket({
      'cases/p/ref.jpg': 'ref one',
      'cases/p/auth.jpg': 'auth one',
      'cases/j/ref.jpg': 'ref two',
      'cases/j/auth.jpg': 'auth two',
      'cases/k/ref.jpg': 'ref three',
      'cases/k/auth.jpg': 'auth three',
    });
    const differs = { ...result('x').verdict!, passed: false, result: false, score: 3 };
    await store.put(
      'cases/p/result.json',
      Buffer.from(JSON.stringify(await resultAbout(store, 'p', { verdict: differs }))),
    );
    await store.put('cases/j/result.json', Buffer.from(JSON.stringify(await resultAbout(store, 'j'))));
    await store.put('cases/k/result.json', Buffer.from(JSON.stringify(await resultAbout(store, 'k'))));
    await store.put('cases/p/auth.jpg', Buffer.from('auth one, replaced')); // a new photo
    await store.put('cases/j/case.json', Buffer.from('{"reference":"added"}')); // a new case.json
    const report = await collectReport(store, options);
    expect(report.byStatus).toEqual({ stale: 2, verified: 1 });
    expect(report.verdicts).toEqual({ same_person: 1, not_same_person: 0, attack_suspected: 0 });
    expect(report.mismatches).toEqual([]);
    expect(report.scores.count).toBe(1);
    expect(report.notVerified.map((c) => [c.caseId, c.status])).toEqual([
      ['j', 'stale'],
      ['p', 'stale'],
    ]);
    expect(report.notVerified[0]?.reason).toContain('an earlier case.json');
    expect(report.notVerified[1]?.reason).toContain('photos replaced since');
  });

  it('keeps a result whose photos were deleted after the verdict as the record', async () => {
    const store = await bucket({ 'cases/g/result.json': result('g') });
    expect((await collectReport(store, options)).byStatus).toEqual({ verified: 1 });
  });

  it('counts error codes that are also names of Object.prototype as plain codes', async () => {
    const failed = (caseId: string, code: string) =>
      result(caseId, { status: 'retrying', verdict: undefined, error: { code, message: 'odd' } });
    const store = await bucket({
      'cases/a/result.json': failed('a', 'constructor'),
      'cases/b/result.json': failed('b', '__proto__'),
      'cases/c/result.json': failed('c', '__proto__'),
      'cases/d/result.json': failed('d', 'valueOf'),
    });
    const report = await collectReport(store, options);
    expect(Object.entries(report.errorCodes).sort()).toEqual([
      ['__proto__', 2],
      ['constructor', 1],
      ['valueOf', 1],
    ]);
    const { errorCodes } = JSON.parse(JSON.stringify(report));
    expect(Object.getOwnPropertyDescriptor(errorCodes, '__proto__')?.value).toBe(2);
  });

  it('reports an empty prefix as zero cases', async () => {
    const report = await collectReport(await bucket({}), options);
    expect(report).toMatchObject({ cases: 0, byStatus: {}, notVerified: [], scores: { count: 0 } });
  });
});

describe('renderReportHtml', () => {
  it('is one self-contained page: no script, no external reference, the histogram with the pass mark', async () => {
    const store = await bucket({ 'cases/a/result.json': result('a'), 'cases/<b>/result.json': 'x' });
    const html = renderReportHtml(await collectReport(store, options));
    expect(html).not.toMatch(/<script|<link|src=|href=|url\(/i);
    expect(html).toContain('id="histogram"');
    expect(html).toContain('pass mark 50');
    expect(html).toContain('&lt;b&gt;');
    expect(html).not.toContain('<b>');
    expect(html).toContain('Report made 2026-11-29T07:00:00.000Z');
  });

  it('escapes the five HTML characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
