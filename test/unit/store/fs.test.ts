import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../../shared/store/errors.ts';
import { createFsStore } from '../../../shared/store/fs.ts';
import { listAll, type ObjectStore } from '../../../shared/store/types.ts';

describe('fs store', () => {
  let root: string;
  let store: ObjectStore;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'fs-store-'));
    store = createFsStore({ root });
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('returns what was put, with an MD5 ETag, content type and metadata', async () => {
    const { etag } = await store.put('cases/a/ref.jpg', Buffer.from('hello'), {
      contentType: 'image/jpeg',
      metadata: { 'Resource-Code': '12345678' },
    });
    expect(etag).toBe('5D41402ABC4B2A76B9719D911017C592');
    const got = await store.get('cases/a/ref.jpg');
    expect(got?.body.toString()).toBe('hello');
    expect(got?.etag).toBe(etag);
    expect(got?.size).toBe(5);
    expect(got?.contentType).toBe('image/jpeg');
    expect(got?.metadata).toEqual({ 'resource-code': '12345678' });
    const head = await store.head('cases/a/ref.jpg');
    expect(head).toMatchObject({ etag, size: 5, metadata: { 'resource-code': '12345678' } });
  });

  it('returns undefined for missing keys and deletes idempotently', async () => {
    expect(await store.get('nope/x')).toBeUndefined();
    expect(await store.head('nope/x')).toBeUndefined();
    await store.put('a/b', Buffer.from('1'));
    await store.delete('a/b');
    await store.delete('a/b');
    expect(await store.head('a/b')).toBeUndefined();
  });

  it('reads files dropped by hand, without metadata, and forgets metadata of an overwritten object', async () => {
    await store.put('a/ref.jpg', Buffer.from('v1'), { metadata: { k: 'v' } });
    await writeFile(path.join(root, 'a', 'ref.jpg'), 'v2 by hand');
    const head = await store.head('a/ref.jpg');
    expect(head?.metadata).toEqual({});
    expect(head?.size).toBe(10);
    await writeFile(path.join(root, 'dropped.jpg'), 'x');
    expect((await store.get('dropped.jpg'))?.body.toString()).toBe('x');
  });

  it('drops the metadata of an object rewritten without any', async () => {
    await store.put('a/x', Buffer.from('same'), { metadata: { k: 'v' } });
    await store.put('a/x', Buffer.from('same'));
    expect((await store.head('a/x'))?.metadata).toEqual({});
  });

  it('implies the content type from the name and keeps a sidecar only for anything else', async () => {
    const sidecars = async () =>
      readdir(path.join(root, '.idv-meta', 'c'), { recursive: true }).catch(() => []);
    await store.put('c/result.json', Buffer.from('{}'), { contentType: 'application/json' });
    expect(await sidecars()).toEqual([]);
    expect((await store.head('c/result.json'))?.contentType).toBe('application/json');
    await writeFile(path.join(root, 'c', 'by-hand.PNG'), 'x');
    expect((await store.head('c/by-hand.PNG'))?.contentType).toBe('image/png');
    await store.put('c/notes', Buffer.from('x'));
    expect((await store.head('c/notes'))?.contentType).toBeUndefined();
    await store.put('c/odd.json', Buffer.from('x'), { contentType: 'text/plain' });
    expect(await sidecars()).toEqual(['odd.json.json']);
    expect((await store.get('c/odd.json'))?.contentType).toBe('text/plain');
    await store.put('c/odd.json', Buffer.from('y'), { contentType: 'application/json' });
    expect(await sidecars()).toEqual([]);
    expect((await store.head('c/odd.json'))?.contentType).toBe('application/json');
  });

  it('creates only once with putIfAbsent', async () => {
    expect(await store.putIfAbsent('c/claim.json', Buffer.from('first'))).toMatchObject({ created: true });
    expect(await store.putIfAbsent('c/claim.json', Buffer.from('second'))).toEqual({ created: false });
    expect((await store.get('c/claim.json'))?.body.toString()).toBe('first');
  });

  it('lets exactly one of many simultaneous putIfAbsent calls win', async () => {
    for (let round = 0; round < 20; round++) {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.putIfAbsent(`race/${round}`, Buffer.from(`writer ${i}`))),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect((await store.get(`race/${round}`))?.body.toString()).toMatch(/^writer \d$/);
    }
  });

  it('never exposes a partial object to a concurrent reader', async () => {
    const body = Buffer.alloc(2 * 1024 * 1024, 7);
    const reads: Promise<unknown>[] = [];
    const write = store.putIfAbsent('big/obj', body);
    for (let i = 0; i < 20; i++) {
      reads.push(
        store.get('big/obj').then((o) => expect(o === undefined || o.body.length === body.length).toBe(true)),
      );
    }
    await Promise.all([write, ...reads]);
  });

  it('lists in key order with pagination, hiding temporary files and metadata sidecars', async () => {
    const keys = Array.from({ length: 7 }, (_, i) => `p/case-${i}/ref.jpg`);
    for (const key of keys.slice().reverse())
      await store.put(key, Buffer.from(key), { metadata: { a: 'b' } });
    await store.put('other/x', Buffer.from('x'));
    const first = await store.list({ prefix: 'p/', limit: 3 });
    expect(first.entries.map((e) => e.key)).toEqual(keys.slice(0, 3));
    expect(first.nextToken).toBeDefined();
    const all = await listAll(store, 'p/');
    expect(all.map((e) => e.key)).toEqual(keys);
    expect((await listAll(store, '')).map((e) => e.key)).toEqual(['other/x', ...keys]);
    expect(await readdir(root)).toContain('.idv-meta');
    expect(all[0]?.etag).toMatch(/^[0-9A-F]{32}$/);
  });

  it('pages through nested keys in code-unit order whatever the page size, when names sort across folders', async () => {
    // 'a-c' sorts before 'a/b' ('-' < '/'), 'a.b/x' after 'a/z': the walk must follow key order, not folder order.
    const segment = fc.constantFrom('a', 'a-c', 'a.b', 'b', 'ref.jpg', 'Z', 'a0');
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/')),
          {
            maxLength: 25,
          },
        ),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom('', 'a', 'a/', 'a-', 'b/'),
        async (keys, pageSize, prefix) => {
          const dir = await mkdtemp(path.join(tmpdir(), 'fs-order-'));
          try {
            const s = createFsStore({ root: dir });
            // A key that is also the folder of another key cannot exist on disk: drop both of such pairs.
            const kept = keys.filter(
              (k) => !keys.some((o) => o !== k && (o.startsWith(`${k}/`) || k.startsWith(`${o}/`))),
            );
            for (const k of kept) await s.put(k, Buffer.from(k));
            const expected = kept
              .filter((k) => k.startsWith(prefix))
              .sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
            const listed: string[] = [];
            let token: string | undefined;
            do {
              const page = await s.list({ prefix, limit: pageSize, ...(token ? { token } : {}) });
              expect(page.entries.length).toBeLessThanOrEqual(pageSize);
              listed.push(...page.entries.map((e) => e.key));
              token = page.nextToken;
            } while (token);
            expect(listed).toEqual(expected);
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('lists by a partial name prefix and an empty folder', async () => {
    await store.put('p/abc/1', Buffer.from('1'));
    await store.put('p/abd/1', Buffer.from('1'));
    expect((await listAll(store, 'p/ab')).map((e) => e.key)).toEqual(['p/abc/1', 'p/abd/1']);
    expect((await listAll(store, 'p/abc')).map((e) => e.key)).toEqual(['p/abc/1']);
    expect(await listAll(store, 'missing/')).toEqual([]);
  });

  it.each([
    '../escape',
    'a/../../escape',
    '/etc/passwd',
    'a\\b',
    'a\0b',
    '',
    'a//b',
    'a/./b',
    '.idv-meta/x',
    '.idv-tmp/x',
    'C:/windows',
  ])('refuses the key %j with InvalidKey', async (key) => {
    for (const op of [
      () => store.get(key),
      () => store.put(key, Buffer.from('x')),
      () => store.putIfAbsent(key, Buffer.from('x')),
      () => store.delete(key),
    ]) {
      await expect(op()).rejects.toMatchObject({ name: 'StoreError', code: 'InvalidKey' });
    }
  });

  it('reports a key that is a folder on disk as missing, and a file in the way of a folder as a StoreError', async () => {
    await store.put('dir/file', Buffer.from('x'));
    expect(await store.get('dir')).toBeUndefined();
    const err = await store.put('dir/file/child', Buffer.from('y')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('Unexpected');
  });

  it('keeps the object bytes exactly as written', async () => {
    const body = Buffer.from([0, 1, 2, 255, 254]);
    await store.put('bin/x', body);
    expect(await readFile(path.join(root, 'bin', 'x'))).toEqual(body);
  });
});
