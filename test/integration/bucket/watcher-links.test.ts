import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BucketWatcher, startBucketWatcher } from '../../../local/bucket/watcher.ts';
import { ossEventSchema, parseOssRecords } from '../../../shared/fc/oss-event.ts';
import { createLogger } from '../../../shared/log.ts';
import { jpeg } from '../../helpers/oss-events.ts';

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

describe('bucket watcher and symbolic links', () => {
  let base: string;
  let root: string;
  let outside: string;
  let watcher: BucketWatcher | undefined;
  let keys: string[];
  let lines: string[];
  let scans: number;

  beforeEach(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'watch-links-'));
    root = path.join(base, 'bucket');
    outside = path.join(base, 'outside');
    await mkdir(path.join(root, 'cases', 'x'), { recursive: true });
    await mkdir(outside, { recursive: true });
    await writeFile(path.join(outside, 'ref.jpg'), await jpeg(1));
    await writeFile(path.join(outside, 'auth.jpg'), await jpeg(2));
    keys = [];
    lines = [];
    scans = 0;
  });
  afterEach(async () => {
    await watcher?.close();
    watcher = undefined;
    await rm(base, { recursive: true, force: true });
  });

  const start = () =>
    startBucketWatcher({
      dir: root,
      prefix: 'cases',
      handler: async (event) => {
        for (const r of parseOssRecords(ossEventSchema.parse(JSON.parse(event.toString('utf8'))))) {
          if (r.ok) keys.push(r.record.oss.object.key);
        }
      },
      logger: createLogger({ write: (l) => lines.push(l) }),
      stableMs: 50,
      rescanMs: 100,
      onActivity: (a) => {
        if (a.kind === 'scanned') scans += 1;
      },
    });

  it('never sends a photo that is a link or lies in a linked folder, and reports the link', async () => {
    await writeFile(path.join(root, 'cases', 'x', 'auth.jpg'), await jpeg(3));
    await symlink(path.join(outside, 'ref.jpg'), path.join(root, 'cases', 'x', 'ref.jpg'));
    await symlink(outside, path.join(root, 'cases', 'y'));
    watcher = await start();
    // A link created while watching is seen by fs.watch: it must be refused too.
    await mkdir(path.join(root, 'cases', 'w'));
    await symlink(path.join(outside, 'auth.jpg'), path.join(root, 'cases', 'w', 'auth.jpg'));
    await symlink(outside, path.join(root, 'cases', 'v'));
    await eventually(() => expect(keys).toContain('cases/x/auth.jpg'));
    const scansSoFar = scans;
    await eventually(() => expect(scans).toBeGreaterThan(scansSoFar + 2));
    await watcher.idle();
    expect(keys).toEqual(['cases/x/auth.jpg']);
  });

  it('logs a folder named like a photo once, with code NotAFile, and sends nothing for it', async () => {
    await mkdir(path.join(root, 'cases', 'x', 'ref.jpg'));
    await writeFile(path.join(root, 'cases', 'x', 'auth.jpg'), await jpeg(3));
    watcher = await start();
    await eventually(() => expect(keys).toContain('cases/x/auth.jpg'));
    const scansSoFar = scans;
    await eventually(() => expect(scans).toBeGreaterThan(scansSoFar + 2));
    await watcher.idle();
    const reports = lines.filter((l) => JSON.parse(l).code === 'NotAFile');
    expect(reports).toHaveLength(1);
    expect(JSON.parse(reports[0]!).key).toBe('cases/x/ref.jpg');
    expect(keys).toEqual(['cases/x/auth.jpg']);
  });

  it('logs a photo replaced by a link with code SymbolicLink and does not send it', async () => {
    watcher = await start();
    await symlink(path.join(outside, 'ref.jpg'), path.join(root, 'cases', 'x', 'ref.jpg'));
    await eventually(() =>
      expect(lines.some((l) => JSON.parse(l).code === 'SymbolicLink' && l.includes('cases/x/ref.jpg'))).toBe(
        true,
      ),
    );
    await watcher.idle();
    expect(keys).toEqual([]);
  });
});
