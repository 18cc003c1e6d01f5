/**
 * What a case's version is (both photos and case.json) and when a claim still protects it: case.json edits
 * re-verify once, A→B→A swaps are judged at once, and claims released after a run-level failure cost no
 * uncertain attempt.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processCase, readResult } from '../../../shared/cases/process.ts';
import { DEFAULT_CASE_SETTINGS } from '../../../shared/cases/settings.ts';
import type { CaseDeps } from '../../../shared/cases/types.ts';
import { IdvError } from '../../../shared/idv/errors.ts';
import type { IdvClient } from '../../../shared/idv/types.ts';
import { createLogger } from '../../../shared/log.ts';
import { createFsStore } from '../../../shared/store/fs.ts';
import type { ObjectStore } from '../../../shared/store/types.ts';
import { jpeg, movableClock, recordingClient, verdictOf } from '../../helpers/oss-events.ts';

const loc = { prefix: 'cases', caseId: 'case-1' };
const settings = { ...DEFAULT_CASE_SETTINGS, defaultResourceCode: '11111111', leaseMs: 120_000 };

describe('case versions', () => {
  let root: string;
  let store: ObjectStore;
  const clock = movableClock(Date.parse('2026-03-10T10:00:00Z'));
  const deps = (client: IdvClient, overrides: Partial<CaseDeps> = {}): CaseDeps => ({
    store,
    client,
    clock,
    logger: createLogger({ write: () => {}, level: 'error' }),
    settings,
    ...overrides,
  });
  const put = async (name: string, body: Buffer | string) =>
    store.put(`cases/case-1/${name}`, typeof body === 'string' ? Buffer.from(body) : body);

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'versions-'));
    store = createFsStore({ root });
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('verifies once when a malformed case.json is fixed, with the same photos', async () => {
    const { client, calls } = recordingClient();
    await put('ref.jpg', await jpeg(1));
    await put('auth.jpg', await jpeg(2));
    await put('case.json', '{"resourceCode": 12');
    await processCase(deps(client), loc);
    expect((await readResult(store, loc))?.error?.code).toBe('case_json_malformed');
    await put('case.json', '{"resourceCode": "22222222", "reference": "crm-1"}');
    expect(await processCase(deps(client), loc)).toMatchObject({ action: 'written', status: 'verified' });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.request.resourceCode).toBe('22222222');
    const caseJson = await store.head('cases/case-1/case.json');
    expect(await readResult(store, loc)).toMatchObject({
      status: 'verified',
      reference: 'crm-1',
      caseJson: { etag: caseJson?.etag, size: caseJson?.size },
    });
    // once: the next event for the same version changes nothing
    expect(await processCase(deps(client), loc)).toEqual({ action: 'up-to-date', status: 'verified' });
    expect(calls).toHaveLength(1);
  });

  it('re-verifies once when case.json changes or disappears after a verdict (a new version)', async () => {
    const { client, calls } = recordingClient();
    await put('ref.jpg', await jpeg(1));
    await put('auth.jpg', await jpeg(2));
    await put('case.json', '{"reference": "a"}');
    await processCase(deps(client), loc);
    await put('case.json', '{"reference": "b"}');
    await processCase(deps(client), loc);
    expect(await readResult(store, loc)).toMatchObject({ reference: 'b' });
    await store.delete('cases/case-1/case.json');
    await processCase(deps(client), loc);
    const result = await readResult(store, loc);
    expect(result?.reference).toBeUndefined();
    expect(result?.caseJson).toBeNull();
    await processCase(deps(client), loc);
    expect(calls).toHaveLength(3);
  });

  it('re-rejects once when a changed case.json is still malformed', async () => {
    const { client, calls } = recordingClient();
    await put('ref.jpg', await jpeg(1));
    await put('auth.jpg', await jpeg(2));
    await put('case.json', '{"resourceCode": 12');
    await processCase(deps(client), loc);
    await put('case.json', '{"resourceCod": "12345678"}');
    expect(await processCase(deps(client), loc)).toMatchObject({ action: 'written', status: 'rejected' });
    expect((await readResult(store, loc))?.error?.message).toContain('resourceCod');
    expect(await processCase(deps(client), loc)).toMatchObject({ action: 'up-to-date' });
    expect(calls).toHaveLength(0);
  });

  it('judges A again at once after A→B→A within the lease, reusing the verdict paid for A', async () => {
    const { client, calls } = recordingClient((n) => verdictOf({ requestId: `R-${n}` }));
    const [a, b] = [await jpeg(2), await jpeg(3)];
    await put('ref.jpg', await jpeg(1));
    await put('auth.jpg', a);
    await processCase(deps(client), loc);
    await put('auth.jpg', b);
    await processCase(deps(client), loc);
    expect((await readResult(store, loc))?.requestId).toBe('R-2');
    await put('auth.jpg', a);
    expect(await processCase(deps(client), loc)).toMatchObject({
      action: 'written',
      status: 'verified',
      upstreamCalled: false,
      reusedPaid: true,
    });
    const result = await readResult(store, loc);
    expect(result?.photos.auth.etag).toBe((await store.head('cases/case-1/auth.jpg'))?.etag);
    expect(result).toMatchObject({ requestId: 'R-1', paidAttempts: 1, uncertainAttempts: 0 });
    expect(calls).toHaveLength(2); // version A was paid for once
  });

  it('judges A at once when its own holder was superseded by B and A came back', async () => {
    const [a, b] = [await jpeg(2), await jpeg(3)];
    await put('ref.jpg', await jpeg(1));
    await put('auth.jpg', a);
    // The holder of A pays, then finds B there: it writes no result.
    const { client: slow } = recordingClient(async () => {
      await put('auth.jpg', b);
      return verdictOf({ requestId: 'R-A' });
    });
    expect(await processCase(deps(slow), loc)).toEqual({ action: 'superseded' });
    await put('auth.jpg', a);
    const { client, calls } = recordingClient();
    expect(await processCase(deps(client), loc)).toMatchObject({ action: 'written', reusedPaid: true });
    expect((await readResult(store, loc))?.requestId).toBe('R-A');
    expect(calls).toHaveLength(0);
  });

  it('does not count attempts of claims released after an authentication failure as possibly billed', async () => {
    await put('ref.jpg', await jpeg(1));
    await put('auth.jpg', await jpeg(2));
    // Like the real client: the attempt is recorded, leaves, and the gateway refuses the signature (not billed).
    const wrongSecret: IdvClient = {
      verify: async (_req, options) => {
        await options?.beforeAttempt?.(1);
        throw new IdvError('AuthFailed', 'SignatureDoesNotMatch', { requestId: 'R-AUTH' });
      },
    };
    const strict = { ...settings, maxUncertainRetries: 0 };
    for (let i = 0; i < 2; i++) {
      await expect(processCase(deps(wrongSecret, { settings: strict }), loc)).rejects.toMatchObject({
        code: 'AuthFailed',
      });
    }
    const { client, calls } = recordingClient();
    expect(await processCase(deps(client, { settings: strict }), loc)).toMatchObject({
      action: 'written',
      status: 'verified',
    });
    expect(await readResult(store, loc)).toMatchObject({ uncertainAttempts: 0, paidAttempts: 1 });
    expect(calls).toHaveLength(1);
  });

  it("keeps case.json's reference when a takeover writes the verdict paid for before a crash", async () => {
    const { client, calls } = recordingClient();
    await put('ref.jpg', await jpeg(1));
    await put('auth.jpg', await jpeg(2));
    await put('case.json', '{"reference": "crm-7"}');
    const dying: ObjectStore = {
      ...store,
      put: async (key, body, options) => {
        if (key.endsWith('result.json')) throw new Error('instance killed before writing result.json');
        return store.put(key, body, options);
      },
    };
    await expect(processCase(deps(client, { store: dying }), loc)).rejects.toThrow('killed');
    clock.advance(settings.leaseMs + 1);
    expect(await processCase(deps(client), loc)).toMatchObject({ action: 'written', reusedPaid: true });
    expect(await readResult(store, loc)).toMatchObject({ status: 'verified', reference: 'crm-7' });
    expect(calls).toHaveLength(1);
  });
});
