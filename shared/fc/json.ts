/** An FC event's JSON (a string or Buffer) validated with a zod schema, failing with an EventParseError. */
import type { z } from 'zod';
import { parseJson } from '../json.ts';

export class EventParseError extends Error {
  override readonly name = 'EventParseError';
  readonly code = 'InvalidEvent';
  /** Dotted path of the first failing field, when the JSON parsed but did not validate. */
  readonly path: string | undefined;
  constructor(message: string, path?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.path = path;
  }
}

/** Path of a zod issue as text, e.g. `events.0.oss.object.key`. */
const issuePath = (path: readonly PropertyKey[]): string => path.map(String).join('.');

/** An event's JSON validated by `schema`; an EventParseError (`notJson` when it is not JSON at all) otherwise. */
export function parseJsonWith<T extends z.ZodType>(
  schema: T,
  raw: string | Buffer,
  notJson: { message: string; path?: string } = { message: 'not valid JSON' },
): z.infer<T> {
  const parsed = parseJson(schema, raw);
  if (parsed.ok) return parsed.value;
  if (parsed.notJson) throw new EventParseError(notJson.message, notJson.path, parsed.cause);
  const path = issuePath(parsed.issue.path);
  throw new EventParseError(`${path || '(root)'}: ${parsed.issue.message}`, path);
}
