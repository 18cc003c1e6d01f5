/**
 * The cursor of a run that stopped early (deadline, limit, 402): `<prefix>/.rerun/cursor.json`. `.rerun` is not
 * a valid caseId (a caseId starts with a letter or digit) and the key ends in `.json`, so neither the rerun's
 * case grouping nor the OSS trigger's photo-suffix filter ever takes it for a case.
 */
import { jsonBody, readJson } from '../cases/claims.ts';
import type { ObjectStore } from '../store/types.ts';
import { cursorSchema, type RerunCursor } from './schemas.ts';

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

export async function saveCursor(store: ObjectStore, cursor: RerunCursor): Promise<void> {
  await store.put(cursorKey(cursor.prefix), jsonBody(cursorSchema.parse(cursor)), {
    contentType: 'application/json',
  });
}

export async function clearCursor(store: ObjectStore, prefix: string): Promise<void> {
  await store.delete(cursorKey(prefix));
}
