import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleObjectKey } from '../../../shared/cases/batch.ts';
import { DEFAULT_CASE_SETTINGS } from '../../../shared/cases/settings.ts';
import { silentLogger } from '../../../shared/log.ts';
import { StoreError } from '../../../shared/store/errors.ts';
import { createFsStore } from '../../../shared/store/fs.ts';
import { listAll, type ObjectStore } from '../../../shared/store/types.ts';
import { jpeg, movableClock, recordingClient } from '../../helpers/oss-events.ts';

const linkError = async (promise: Promise<unknown>) => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe('SymbolicLink');
};

describe('fs store and symbolic links', () => {
  let base: string;
  let root: string;
  let outside: string;
  let store: ObjectStore;

  beforeEach(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'links-'));
    root = path.join(base, 'bucket');
    outside = path.join(base, 'outside');
    await mkdir(path.join(root, 'cases', 'x'), { recursive: true });
    await mkdir(outside, { recursive: true });
    await writeFile(path.join(outside, 'face.jpg'), await jpeg(7));
    store = createFsStore({ root });
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('refuses to read a photo that is a link to a file outside the bucket', async () => {
    await symlink(path.join(outside, 'face.jpg'), path.join(root, 'cases', 'x', 'ref.jpg'));
    await linkError(store.get('cases/x/ref.jpg'));
    await linkError(store.head('cases/x/ref.jpg'));
  });

  it('refuses to read a link to a system file', async () => {
    await symlink('/etc/hostname', path.join(root, 'cases', 'x', 'case.json'));
    await linkError(store.get('cases/x/case.json'));
  });

  it('never writes, reads or deletes through a linked folder', async () => {
    await symlink(outside, path.join(root, 'cases', 'y'));
    await linkError(store.put('cases/y/result.json', Buffer.from('{}')));
    await linkError(store.putIfAbsent('cases/y/.idv-claim.json', Buffer.from('{}')));
    await linkError(store.put('cases/y/new/deeper/result.json', Buffer.from('{}')));
    await linkError(store.get('cases/y/face.jpg'));
    await linkError(store.delete('cases/y/face.jpg'));
    expect((await readdir(outside)).sort()).toEqual(['face.jpg']);
  });

  it('does not overwrite a link with put', async () => {
    await symlink(path.join(outside, 'face.jpg'), path.join(root, 'cases', 'x', 'result.json'));
    await linkError(store.put('cases/x/result.json', Buffer.from('{}')));
    expect((await readFile(path.join(outside, 'face.jpg'))).length).toBeGreaterThan(100);
  });

  it('lists neither links nor what lies behind a linked folder', async () => {
    await store.put('cases/x/auth.jpg', await jpeg(1));
    await symlink(path.join(outside, 'face.jpg'), path.join(root, 'cases', 'x', 'ref.jpg'));
    await symlink(outside, path.join(root, 'cases', 'y'));
    expect((await listAll(store, 'cases/')).map((e) => e.key)).toEqual(['cases/x/auth.jpg']);
    expect(await listAll(store, 'cases/y/')).toEqual([]);
  });

  it('refuses a link even when it points inside the bucket', async () => {
    await store.put('cases/x/auth.jpg', await jpeg(1));
    await symlink(path.join(root, 'cases', 'x'), path.join(root, 'cases', 'z'));
    await linkError(store.get('cases/z/auth.jpg'));
  });

  it('skips a case whose photo is a link, with code SymbolicLink and no paid call', async () => {
    await store.put('cases/x/auth.jpg', await jpeg(1));
    await symlink(path.join(outside, 'face.jpg'), path.join(root, 'cases', 'x', 'ref.jpg'));
    const { client, calls } = recordingClient();
    const report = await handleObjectKey(
      {
        store,
        client,
        clock: movableClock(),
        logger: silentLogger,
        settings: { ...DEFAULT_CASE_SETTINGS, defaultResourceCode: '11111111' },
      },
      'cases/x/auth.jpg',
    );
    expect(report).toMatchObject({ action: 'skipped', code: 'SymbolicLink' });
    expect(calls).toHaveLength(0);
  });

  it('skips a linked case folder and writes nothing outside the bucket', async () => {
    await writeFile(path.join(outside, 'ref.jpg'), await jpeg(2));
    await writeFile(path.join(outside, 'auth.jpg'), await jpeg(3));
    await symlink(outside, path.join(root, 'cases', 'y'));
    const { client, calls } = recordingClient();
    const report = await handleObjectKey(
      {
        store,
        client,
        clock: movableClock(),
        logger: silentLogger,
        settings: { ...DEFAULT_CASE_SETTINGS, defaultResourceCode: '11111111' },
      },
      'cases/y/ref.jpg',
    );
    expect(report).toMatchObject({ action: 'skipped', code: 'SymbolicLink' });
    expect(calls).toHaveLength(0);
    expect((await readdir(outside)).sort()).toEqual(['auth.jpg', 'face.jpg', 'ref.jpg']);
  });
});
