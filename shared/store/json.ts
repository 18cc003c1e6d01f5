/** JSON objects in a store: read one with its schema, write one as text. */
import type { z } from 'zod';
import { parseJson } from '../json.ts';
import type { ObjectStore } from './types.ts';

/** The object at `key` validated by `schema`; undefined when it is missing, not JSON or does not match. */
export async function readJson<T extends z.ZodType>(
  store: ObjectStore,
  key: string,
  schema: T,
): Promise<z.infer<T> | undefined> {
  const object = await store.get(key);
  if (!object) return undefined;
  const parsed = parseJson(schema, object.body);
  return parsed.ok ? parsed.value : undefined;
}

/** A JSON object's body: indented, with a final newline (result.json is read by people too). */
export const jsonBody = (value: unknown): Buffer => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
