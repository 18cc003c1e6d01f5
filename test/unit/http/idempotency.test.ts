import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createIdempotency,
  idempotencyScope,
  parseIdempotencyKey,
  requestContentHash,
} from '../../../shared/http/idempotency.ts';
import { createFsStore } from '../../../shared/store/fs.ts';
import type { ObjectStore } from '../../../shared/store/types.ts';

describe('parseIdempotencyKey', () => {
  it.each([
    ['abc-123', 'abc-123'],
    ['"8e03978e-40d5-43e8-bc93-6894a57f9324"', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
  ])('accepts %s', (raw, expected) => expect(parseIdempotencyKey(raw)).toBe(expected));
  it.each([[''], ['has space'], ['x'.repeat(256)], ['caf\u00e9']])('refuses %j', (raw) =>
    expect(parseIdempotencyKey(raw)).toBeUndefined(),
  );
});

describe('idempotency records', () => {
  let dir: string;
  let store: ObjectStore;
  let nowMs = 1_000_000;
  const clock = { nowMs: () => nowMs };
  const idem = (maxUncertainRetries = 1) =>
    createIdempotency({
      store,
      prefix: 'idempotency',
      ttlMs: 3_600_000,
      leaseMs: 30_000,
      maxUncertainRetries,
      clock,
    });
  const scope = idempotencyScope('Bearer k', 'key-1');
  const request = (ref: string, resourceCode?: string, reference?: string) => ({
    ref: { bytes: Buffer.from(ref) },
    auth: { bytes: Buffer.from('auth photo') },
    resourceCode,
    reference,
  });
  const hash = requestContentHash(request('ref photo'));

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'idem-unit-'));
    store = createFsStore({ root: dir });
    nowMs = 1_000_000;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fingerprints the request content: every field counts, and nothing can be shifted between fields', () => {
    const base = requestContentHash(request('ref photo', '00840000', 'crm-1'));
    expect(requestContentHash(request('ref photo', '00840000', 'crm-1'))).toBe(base);
    expect(requestContentHash(request('ref photo!', '00840000', 'crm-1'))).not.toBe(base);
    expect(requestContentHash(request('ref photo', '00840001', 'crm-1'))).not.toBe(base);
    expect(requestContentHash(request('ref photo', '00840000', 'crm-2'))).not.toBe(base);
    expect(requestContentHash(request('ref photo', '00840000'))).not.toBe(base);
    // Swapping the photos, or moving text between resourceCode and reference, is another request.
    const swapped = { ...request('auth photo'), auth: { bytes: Buffer.from('ref photo') } };
    expect(requestContentHash(swapped)).not.toBe(requestContentHash(request('ref photo')));
    expect(requestContentHash(request('r', 'a', undefined))).not.toBe(
      requestContentHash(request('r', undefined, 'a')),
    );
  });

  it('scopes keys per caller: another API key with the same Idempotency-Key is a new record', () => {
    expect(idempotencyScope('Bearer a', 'k')).not.toBe(idempotencyScope('Bearer b', 'k'));
  });

  it('counts the sent attempts of a request that died in flight as possibly billed once its lease ends', async () => {
    const first = await idem(1).start(scope, hash);
    if (first.kind !== 'proceed') throw new Error(first.kind);
    await first.ticket.beforeAttempt(1); // ... and the instance dies here (kill -9)
    expect((await idem(1).start(scope, hash)).kind).toBe('in-flight');
    nowMs += 31_000;
    const takeover = await idem(1).start(scope, hash);
    if (takeover.kind !== 'proceed') throw new Error(takeover.kind);
    expect(takeover.ticket.priorUncertain).toBe(1);
    expect(takeover.ticket.remainingUncertainRetries).toBe(0);
  });

  it('leaves no budget after a crash when IDV_MAX_UNCERTAIN_RETRIES is 0', async () => {
    const first = await idem(0).start(scope, hash);
    if (first.kind !== 'proceed') throw new Error(first.kind);
    await first.ticket.beforeAttempt(1);
    nowMs += 31_000;
    const takeover = await idem(0).start(scope, hash);
    if (takeover.kind !== 'proceed') throw new Error(takeover.kind);
    expect(takeover.ticket.remainingUncertainRetries).toBe(-1);
  });

  it('replays a final reply until the TTL ends, then starts afresh', async () => {
    const first = await idem().start(scope, hash);
    if (first.kind !== 'proceed') throw new Error(first.kind);
    await first.ticket.finish({ status: 200, body: '{"ok":true}' }, { paid: 1, uncertain: 0 }, true);
    expect(await idem().start(scope, hash)).toEqual({
      kind: 'replay',
      reply: { status: 200, body: '{"ok":true}' },
    });
    expect((await idem().start(scope, requestContentHash(request('other photo')))).kind).toBe('mismatch');
    nowMs += 3_600_001;
    expect((await idem().start(scope, hash)).kind).toBe('proceed');
  });
});
