import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BucketWatcher, startBucketWatcher } from '../../../local/bucket/watcher.ts';
import { ossEventSchema, parseOssRecords } from '../../../shared/fc/oss-event.ts';
import { silentLogger } from '../../../shared/log.ts';
import { jpeg } from '../../helpers/oss-events.ts';

/** Waits until `check` passes, polling; the watcher is asynchronous by nature. */
async function eventually(check: () => void, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() - start > timeoutMs) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('bucket watcher', () => {
  let root: string;
  let watcher: BucketWatcher | undefined;
  let events: { key: string; size: number | undefined; eTag: string | undefined }[];
  let noticed: string[];
  let scans: number;
  const handler = async (event: Buffer) => {
    const parsed = parseOssRecords(ossEventSchema.parse(JSON.parse(event.toString('utf8'))));
    for (const r of parsed) {
      if (!r.ok) throw new Error(`bad record ${r.path}`);
      events.push({
        key: r.record.oss.object.key,
        size: r.record.oss.object.size,
        eTag: r.record.oss.object.eTag,
      });
    }
  };
  const start = (overrides: { stableMs?: number; rescanMs?: number } = {}) =>
    startBucketWatcher({
      dir: root,
      prefix: 'cases',
      handler,
      logger: silentLogger,
      stableMs: 100,
      rescanMs: 0,
      onActivity: (a) => {
        if (a.kind === 'noticed') noticed.push(a.key);
        else scans += 1;
      },
      ...overrides,
    });

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'watch-'));
    events = [];
    noticed = [];
    scans = 0;
  });
  afterEach(async () => {
    await watcher?.close();
    watcher = undefined;
    await rm(root, { recursive: true, force: true });
  });

  it('sends photos already present at start-up as FC-shaped OSS events', async () => {
    await mkdir(path.join(root, 'cases', 'a'), { recursive: true });
    await writeFile(path.join(root, 'cases', 'a', 'ref.jpg'), await jpeg(1));
    await writeFile(path.join(root, 'cases', 'a', 'auth.jpg'), await jpeg(2));
    await writeFile(path.join(root, 'cases', 'a', 'result.json'), '{}');
    watcher = await start();
    await watcher.idle();
    expect(events.map((e) => e.key).sort()).toEqual(['cases/a/auth.jpg', 'cases/a/ref.jpg']);
    expect(events[0]?.eTag).toMatch(/^[0-9A-F]{32}$/);
  });

  it('sends new and replaced photos, ignoring other files, the bookkeeping and the store folders', async () => {
    watcher = await start();
    await mkdir(path.join(root, 'cases', 'b'), { recursive: true });
    await mkdir(path.join(root, '.idv-meta', 'cases', 'b'), { recursive: true });
    await writeFile(path.join(root, 'cases', 'b', 'ref.jpg'), await jpeg(3));
    await writeFile(path.join(root, 'cases', 'b', 'notes.txt'), 'hello');
    await writeFile(path.join(root, 'cases', 'b', `.idv-${'a'.repeat(64)}.claim-000001.json`), '{}');
    await writeFile(path.join(root, '.idv-meta', 'cases', 'b', 'ref.jpg'), 'x');
    await writeFile(path.join(root, 'elsewhere.jpg'), 'x');
    await eventually(() => expect(events.map((e) => e.key)).toEqual(['cases/b/ref.jpg']));
    await writeFile(path.join(root, 'cases', 'b', 'ref.jpg'), await jpeg(4));
    await eventually(() => expect(events).toHaveLength(2));
    expect(events[0]?.eTag).not.toBe(events[1]?.eTag);
  });

  it('sends an edited case.json, and the case again when case.json is deleted', async () => {
    watcher = await start();
    const dir = path.join(root, 'cases', 'c');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'ref.jpg'), await jpeg(5));
    await writeFile(path.join(dir, 'auth.jpg'), await jpeg(6));
    await eventually(() => expect(events).toHaveLength(2));
    await writeFile(path.join(dir, 'case.json'), '{"reference":"x"}');
    await eventually(() => expect(events.map((e) => e.key)).toContain('cases/c/case.json'));
    await watcher.idle();
    await rm(path.join(dir, 'case.json'));
    await eventually(() => expect(events.map((e) => e.key).slice(3)).toEqual(['cases/c/ref.jpg']));
  });

  it('waits for a partial write to finish before sending', async () => {
    watcher = await start({ stableMs: 1000 });
    const full = await jpeg(5, 800, 600);
    await mkdir(path.join(root, 'cases', 'c'), { recursive: true });
    const handle = await open(path.join(root, 'cases', 'c', 'auth.jpg'), 'w');
    await handle.write(full.subarray(0, 100));
    // The watcher has seen the first 100 bytes; the rest arrives while it waits for the size to settle.
    await eventually(() => expect(noticed).toContain('cases/c/auth.jpg'));
    await handle.write(full.subarray(100));
    await handle.close();
    await eventually(() => expect(events).toHaveLength(1));
    await watcher.idle();
    expect(events).toEqual([expect.objectContaining({ key: 'cases/c/auth.jpg', size: full.length })]);
  });

  it('finds photos in a folder copied in at once, through the directory event or the rescan', async () => {
    watcher = await start({ rescanMs: 500 });
    const staging = await mkdtemp(path.join(tmpdir(), 'stage-'));
    await writeFile(path.join(staging, 'ref.jpg'), await jpeg(6));
    await writeFile(path.join(staging, 'auth.jpg'), await jpeg(7));
    await mkdir(path.join(root, 'cases'), { recursive: true });
    const { rename } = await import('node:fs/promises');
    await rename(staging, path.join(root, 'cases', 'moved'));
    await eventually(() =>
      expect(events.map((e) => e.key).sort()).toEqual(['cases/moved/auth.jpg', 'cases/moved/ref.jpg']),
    );
  });

  it('does not resend an unchanged photo and stops sending after close', async () => {
    await mkdir(path.join(root, 'cases', 'd'), { recursive: true });
    await writeFile(path.join(root, 'cases', 'd', 'ref.jpg'), await jpeg(8));
    watcher = await start({ rescanMs: 100 });
    await watcher.idle();
    const scansBefore = scans;
    await eventually(() => expect(scans).toBeGreaterThanOrEqual(scansBefore + 3));
    await watcher.idle();
    expect(events).toHaveLength(1);

    await watcher.close();
    const scansAtClose = scans;
    await writeFile(path.join(root, 'cases', 'd', 'auth.jpg'), await jpeg(9));
    // A live watcher on the same folder sends the new photo; by then the closed one would have too.
    const seenByLive: string[] = [];
    const live = await startBucketWatcher({
      dir: root,
      prefix: 'cases',
      handler: async (event) => {
        seenByLive.push(JSON.parse(event.toString('utf8')).events[0].oss.object.key);
      },
      logger: silentLogger,
      stableMs: 100,
      rescanMs: 0,
    });
    await live.idle();
    await live.close();
    expect(seenByLive).toContain('cases/d/auth.jpg');
    expect(events).toHaveLength(1);
    expect(scans).toBe(scansAtClose);
  });
});
