import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseInputError } from '../../../shared/cases/errors.ts';
import { loadCaseInput, readCaseJson } from '../../../shared/cases/input.ts';
import { createFsStore } from '../../../shared/store/fs.ts';
import type { ObjectInfo, ObjectStore } from '../../../shared/store/types.ts';

const loc = { prefix: 'cases', caseId: 'k' };
const info = (metadata: Record<string, string> = {}): ObjectInfo => ({
  key: 'x',
  etag: 'E',
  size: 1,
  lastModifiedEpochMs: 0,
  contentType: undefined,
  metadata,
});

describe('case input', () => {
  let root: string;
  let store: ObjectStore;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'input-'));
    store = createFsStore({ root });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads nothing when there is no case.json', async () => {
    await store.delete('cases/k/case.json');
    expect(await readCaseJson(store, loc)).toBeUndefined();
  });

  it('accepts any bytes as case.json without letting anything but CaseInputError escape', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
          fc.json().map((j) => Buffer.from(j)),
          fc
            .record(
              { resourceCode: fc.string(), reference: fc.string({ maxLength: 300 }) },
              { requiredKeys: [] },
            )
            .map((o) => Buffer.from(JSON.stringify(o))),
        ),
        async (body) => {
          await store.put('cases/k/case.json', body);
          try {
            const parsed = await readCaseJson(store, loc);
            if (parsed?.resourceCode !== undefined) expect(parsed.resourceCode).toMatch(/^\d{8}$/);
          } catch (err) {
            expect(err).toBeInstanceOf(CaseInputError);
            expect((err as CaseInputError).code).toBe('case_json_malformed');
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('names the field at fault and never echoes the value', async () => {
    await store.put('cases/k/case.json', Buffer.from('{"resourceCode":"secret-looking-value"}'));
    const err = (await readCaseJson(store, loc).catch((e: unknown) => e)) as CaseInputError;
    expect(err.message).toContain('resourceCode');
    expect(err.message).not.toContain('secret-looking-value');
  });

  it('names unknown fields cut short: a key pasted from a photo never reaches result.json whole', async () => {
    const base64 = Buffer.alloc(3000, 7).toString('base64');
    await store.put(
      'cases/k/case.json',
      Buffer.from(JSON.stringify({ [base64]: 1, refrence: 'x', a: 1, b: 2 })),
    );
    const err = (await readCaseJson(store, loc).catch((e: unknown) => e)) as CaseInputError;
    expect(err.code).toBe('case_json_malformed');
    expect(err.message.length).toBeLessThan(200);
    expect(err.message).not.toContain(base64.slice(0, 40));
    expect(err.message).toContain('"refrence"');
    expect(err.message).toContain('and 1 more');
    expect(err.message).toContain('resourceCode and reference only');
  });

  it('holds a reference to the HTTP door rule (128 characters of letters, digits and _ . : @ / + -)', async () => {
    for (const ok of ['crm-4711', 'a'.repeat(128), 'x@y.z/1:2+3_4']) {
      await store.put('cases/k/case.json', Buffer.from(JSON.stringify({ reference: ok })));
      expect((await readCaseJson(store, loc))?.reference).toBe(ok);
    }
    for (const bad of ['<script>', 'a'.repeat(129), '', 'two words', 'café']) {
      await store.put('cases/k/case.json', Buffer.from(JSON.stringify({ reference: bad })));
      const err = (await readCaseJson(store, loc).catch((e: unknown) => e)) as CaseInputError;
      expect(err.code, bad).toBe('case_json_malformed');
      expect(err.message).toContain('reference');
    }
  });

  it('prefers case.json, then ref metadata, then auth metadata, then the default', async () => {
    await store.put('cases/k/case.json', Buffer.from('{"resourceCode":"11111111"}'));
    const settings = { defaultResourceCode: '44444444' };
    const refMeta = info({ 'resource-code': '22222222' });
    const authMeta = info({ 'resource-code': '33333333' });
    expect((await loadCaseInput(store, loc, refMeta, authMeta, settings)).resourceCode).toBe('11111111');
    await store.delete('cases/k/case.json');
    expect((await loadCaseInput(store, loc, refMeta, authMeta, settings)).resourceCode).toBe('22222222');
    expect((await loadCaseInput(store, loc, info(), authMeta, settings)).resourceCode).toBe('33333333');
    expect((await loadCaseInput(store, loc, info(), info(), settings)).resourceCode).toBe('44444444');
  });

  it('refuses a malformed resource-code in the metadata', async () => {
    await expect(
      loadCaseInput(store, loc, info({ 'resource-code': 'VN' }), info(), {}),
    ).rejects.toMatchObject({
      code: 'resource_code_invalid',
    });
  });
});
