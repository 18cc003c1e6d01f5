/**
 * The cursor of a run that stopped early (deadline, limit, 402): `<prefix>/.rerun/cursor.json`. `.rerun` is not
 * a valid caseId (a caseId starts with a letter or digit) and the key ends in `.json`, so neither the rerun's
 * case grouping nor the OSS trigger's photo-suffix filter ever takes it for a case.
 */
import { jsonBody, readJson } from '../store/json.ts';
import type { ObjectStore } from '../store/types.ts';
import type { StopReason } from './counts.ts';
import { cursorSchema, type RerunCursor } from './schemas.ts';
import type { Position } from './watermark.ts';

export const RERUN_DIR = '.rerun';

export const cursorKey = (prefix: string): string =>
  prefix === '' ? `${RERUN_DIR}/cursor.json` : `${prefix}/${RERUN_DIR}/cursor.json`;

/** The saved cursor for this prefix and kind of run; an unreadable one counts as none (start over). */
export async function readCursor(
  store: ObjectStore,
  prefix: string,
  force: boolean,
): Promise<RerunCursor | undefined> {
  const cursor = await readJson(store, cursorKey(prefix), cursorSchema);
  return cursor && cursor.prefix === prefix && cursor.force === force ? cursor : undefined;
}

async function saveCursor(store: ObjectStore, cursor: RerunCursor): Promise<void> {
  await store.put(cursorKey(cursor.prefix), jsonBody(cursorSchema.parse(cursor)), {
    contentType: 'application/json',
  });
}

async function clearCursor(store: ObjectStore, prefix: string): Promise<void> {
  await store.delete(cursorKey(prefix));
}

/**
 * At the end of a run: a complete run deletes the cursor it resumed from; a run that stopped early saves its
 * position (nothing when no case is behind it yet, so an earlier cursor stays as it was).
 */
export async function settleCursor(
  store: ObjectStore,
  run: {
    prefix: string;
    force: boolean;
    reason: StopReason;
    resumed: boolean;
    position: Position | undefined;
    nowEpochMs: number;
  },
): Promise<RerunCursor | undefined> {
  if (run.reason === 'complete') {
    if (run.resumed) await clearCursor(store, run.prefix);
    return undefined;
  }
  if (!run.position) return undefined;
  const cursor: RerunCursor = {
    schema: 'idv.rerun-cursor/v1',
    prefix: run.prefix,
    force: run.force,
    ...(run.position.pageToken === undefined ? {} : { pageToken: run.position.pageToken }),
    afterFolder: run.position.folder,
    savedAtIso: new Date(run.nowEpochMs).toISOString(),
    reason: run.reason,
  };
  await saveCursor(store, cursor);
  return cursor;
}
