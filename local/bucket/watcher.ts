/**
 * The local bucket door: a folder watched for case photos. Each new or changed `<prefix>/<caseId>/ref.jpg`,
 * `auth.jpg` or `case.json` becomes an FC 3.0 OSS trigger event (the same shape OSS sends) for the verify-oss
 * handler, so result.json appears beside the photos. Photos already present at start-up are processed. A
 * deleted case.json (a new version of its case too) sends the case's ref.jpg again.
 *
 * fs.watch({recursive: true}) is native on Linux since Node 20 (no chokidar needed), but a folder copied in
 * with files inside can report its files before their own watches exist, and some events are coalesced. So
 * every directory event rescans that directory, and a light periodic rescan catches anything else. Partial
 * writes are debounced: a photo is sent only once its size and mtime have not changed for `stableMs`.
 * Symbolic links are never followed, like in the folder store: a photo that is a link, or a folder reached
 * through one, is logged once with code `SymbolicLink` and skipped (never read, never sent).
 *
 * Crash recovery without the cron: when the handler reports a photo's pair `busy` (another instance holds its
 * claim), the watcher sends that photo again once the holder's lease has ended. A live holder has written
 * result.json by then (the event finds it up to date); a holder that died (kill -9) is taken over at once.
 */
import { randomUUID } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { lstat, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { caseOfCaseJsonKey, parseCaseKey, photoKey } from '../../shared/cases/layout.ts';
import { BUSY_RECHECK_GRACE_MS } from '../../shared/cases/lease.ts';
import { objectCreatedEvent } from '../../shared/fc/oss-event.ts';
import type { Logger } from '../../shared/log.ts';
import { StoreError } from '../../shared/store/errors.ts';
import { md5 } from '../../shared/store/fs-files.ts';
import { linkedFolderGuard } from '../../shared/store/fs-links.ts';
import { RESERVED_TOP_LEVEL } from '../../shared/store/keys.ts';

type OssEventHandler = (event: Buffer, context: unknown) => Promise<unknown>;

interface BucketWatcherOptions {
  dir: string;
  prefix: string;
  handler: OssEventHandler;
  logger: Logger;
  /** A photo is sent once unchanged for this long (ms). Default 300. */
  stableMs?: number;
  /** Full rescan period (ms); 0 disables it. Default 5000. */
  rescanMs?: number;
  /** Handler invocations in flight at once. Default 4. */
  concurrency?: number;
  /** Sent again this long after a busy pair's lease ends (ms). Default BUSY_RECHECK_GRACE_MS (lease.ts). */
  leaseGraceMs?: number;
  bucketName?: string;
  region?: string;
  /** Told when a photo is first noticed (before the debounce) and when a full scan ends; tests wait on these. */
  onActivity?: (activity: { kind: 'noticed'; key: string } | { kind: 'scanned' }) => void;
}

export interface BucketWatcher {
  /** Resolves when nothing is waiting, debouncing or being handled. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const IGNORED_DIRS = new Set<string>([...RESERVED_TOP_LEVEL, 'node_modules', '.git']);

export async function startBucketWatcher(options: BucketWatcherOptions): Promise<BucketWatcher> {
  const root = path.resolve(options.dir);
  await mkdir(root, { recursive: true });
  const stableMs = options.stableMs ?? 300;
  const limit = pLimit(options.concurrency ?? 4);
  const log = options.logger.child({ component: 'bucket-watcher' });
  /** key -> signature of the version last sent, so a spurious event does not resend it. */
  const sent = new Map<string, string>();
  const pending = new Map<string, { timer: NodeJS.Timeout; signature: string | undefined }>();
  const inFlight = new Set<Promise<void>>();
  /** key -> timer that sends it again when the lease of the claim that made it busy ends. */
  const rechecks = new Map<string, NodeJS.Timeout>();
  let closed = false;

  /** Reads the busy reports of a verify-oss reply and schedules a look at each when its lease ends. */
  const recheckBusy = (reply: unknown): void => {
    const reports = (reply as { reports?: unknown } | undefined)?.reports;
    if (!Array.isArray(reports)) return;
    for (const r of reports as { key?: unknown; action?: unknown; leaseUntilEpochMs?: unknown }[]) {
      if (r.action !== 'busy' || typeof r.key !== 'string' || typeof r.leaseUntilEpochMs !== 'number')
        continue;
      const key = r.key;
      const delayMs =
        Math.max(0, r.leaseUntilEpochMs - Date.now()) + (options.leaseGraceMs ?? BUSY_RECHECK_GRACE_MS);
      clearTimeout(rechecks.get(key));
      const timer = setTimeout(() => {
        rechecks.delete(key);
        if (closed) return;
        log.info('looking again at a pair whose claim lease has ended', { key });
        sent.delete(key);
        schedule(key);
      }, delayMs);
      rechecks.set(key, timer);
    }
  };

  const keyOf = (file: string): string => path.relative(root, file).split(path.sep).join('/');
  /** A photo of a case, or a case's case.json (part of its version). */
  const isCaseKey = (key: string): boolean =>
    parseCaseKey(key, options.prefix).kind !== 'other' ||
    caseOfCaseJsonKey(key, options.prefix) !== undefined;

  const assertNoLinkedFolder = linkedFolderGuard(root);
  const reportedLinks = new Set<string>();
  /** True when the photo is a link or lies in a linked folder: reported once per key, then skipped. */
  const isLinked = async (file: string): Promise<boolean> => {
    const key = keyOf(file);
    try {
      assertNoLinkedFolder(path.dirname(file), key);
      if (!(await lstat(file)).isSymbolicLink()) return false;
    } catch (err) {
      if (!(err instanceof StoreError && err.code === 'SymbolicLink')) return false; // missing: not a link
    }
    if (!reportedLinks.has(key)) {
      reportedLinks.add(key);
      log.warn('symbolic link skipped: links are not followed', { key, code: 'SymbolicLink' });
    }
    return true;
  };

  const reportedFolders = new Set<string>();
  /** A folder where a photo or case.json belongs (`mkdir cases/x/ref.jpg`): said once, never sent. */
  const reportFolderAsCaseFile = (key: string) => {
    if (!isCaseKey(key) || reportedFolders.has(key)) return;
    reportedFolders.add(key);
    log.warn('folder skipped: a photo or case.json must be a file', { key, code: 'NotAFile' });
  };

  const signatureOf = async (file: string): Promise<string | undefined> => {
    try {
      if (await isLinked(file)) return undefined;
      const s = await lstat(file);
      return s.isFile() ? `${s.size}:${s.mtimeMs}:${s.ino}` : undefined;
    } catch {
      return undefined;
    }
  };

  const send = async (key: string, signature: string): Promise<void> => {
    const file = path.join(root, ...key.split('/'));
    let body: Buffer;
    try {
      if (await isLinked(file)) return; // replaced by a link since its signature was taken
      body = await readFile(file);
    } catch {
      return; // deleted meanwhile
    }
    const event = objectCreatedEvent([
      {
        bucket: options.bucketName ?? 'local-bucket',
        region: options.region ?? 'local',
        key,
        eTag: md5(body),
        size: body.length,
        eventTimeIso: new Date().toISOString(),
      },
    ]);
    const context = { requestId: `local-${randomUUID()}`, function: { name: 'idv-verify-oss', timeout: 60 } };
    sent.set(key, signature);
    try {
      recheckBusy(await options.handler(Buffer.from(JSON.stringify(event)), context));
    } catch (err) {
      log.error('verify-oss failed for a local event', { key, err });
      sent.delete(key); // let the next rescan try again, like FC's async retries
    }
  };

  /** Debounce: wait until the file's signature is the same twice, stableMs apart. */
  const schedule = (key: string): void => {
    if (closed || !isCaseKey(key)) return;
    options.onActivity?.({ kind: 'noticed', key });
    const previous = pending.get(key);
    if (previous) clearTimeout(previous.timer);
    const check = async (last: string | undefined) => {
      const signature = await signatureOf(path.join(root, ...key.split('/')));
      if (closed) return;
      if (signature === undefined) {
        pending.delete(key);
        const location = caseOfCaseJsonKey(key, options.prefix);
        if (location && sent.delete(key)) {
          // case.json was deleted: a new version of the case. OSS events are ObjectCreated only, so the case
          // is sent again under its ref.jpg key.
          const refKey = photoKey(location, 'ref');
          const refSignature = await signatureOf(path.join(root, ...refKey.split('/')));
          if (refSignature !== undefined && !closed) {
            const job = limit(() => send(refKey, refSignature));
            inFlight.add(job);
            void job.finally(() => inFlight.delete(job));
          }
        }
        return;
      }
      if (signature !== last) {
        pending.set(key, { timer: setTimeout(() => void check(signature), stableMs), signature });
        return;
      }
      pending.delete(key);
      if (sent.get(key) === signature) return;
      const job = limit(() => send(key, signature));
      inFlight.add(job);
      void job.finally(() => inFlight.delete(job));
    };
    pending.set(key, {
      timer: setTimeout(() => void check(previous?.signature), stableMs),
      signature: previous?.signature,
    });
  };

  const scan = async (dir: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        reportFolderAsCaseFile(keyOf(full));
        if (!IGNORED_DIRS.has(entry.name)) await scan(full);
      } else if (entry.isFile()) {
        const key = keyOf(full);
        if (isCaseKey(key) && sent.get(key) !== (await signatureOf(full)) && !pending.has(key)) schedule(key);
      }
    }
  };

  const watcher: FSWatcher = watch(root, { recursive: true }, (_type, filename) => {
    if (closed || !filename) return;
    const rel = filename.toString();
    if (rel.split(path.sep).some((part) => IGNORED_DIRS.has(part))) return;
    const full = path.join(root, rel);
    const key = keyOf(full);
    if (isCaseKey(key)) schedule(key);
    else
      void lstat(full)
        .then((s) => (s.isDirectory() ? scan(full) : undefined))
        .catch(() => {});
  });
  watcher.on('error', (err) => log.error('folder watch failed', { err }));

  const scanAll = async (): Promise<void> => {
    await scan(root);
    if (!closed) options.onActivity?.({ kind: 'scanned' });
  };
  await scanAll();
  const rescanMs = options.rescanMs ?? 5000;
  const rescan = rescanMs > 0 ? setInterval(() => void scanAll(), rescanMs) : undefined;
  rescan?.unref();
  log.info('watching the bucket folder', { dir: root, prefix: options.prefix });

  return {
    async idle() {
      while (pending.size > 0 || inFlight.size > 0 || limit.activeCount + limit.pendingCount > 0) {
        await Promise.all([...inFlight]);
        await new Promise((r) => setTimeout(r, Math.min(50, stableMs)));
      }
    },
    async close() {
      closed = true;
      watcher.close();
      if (rescan) clearInterval(rescan);
      for (const p of pending.values()) clearTimeout(p.timer);
      pending.clear();
      for (const t of rechecks.values()) clearTimeout(t);
      rechecks.clear();
      await Promise.allSettled([...inFlight]);
    },
  };
}
