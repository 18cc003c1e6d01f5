/** Parse JSON held in a string or Buffer, then validate it with a zod schema. */
import type { z } from 'zod';

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
export const issuePath = (path: readonly PropertyKey[]): string => path.map(String).join('.');

export function parseJsonWith<T extends z.ZodType>(schema: T, raw: string | Buffer): z.infer<T> {
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (err) {
    throw new EventParseError('not valid JSON', undefined, err);
  }
  return validateWith(schema, value);
}

export function validateWith<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issuePath(issue.path);
  throw new EventParseError(`${path || '(root)'}: ${issue.message}`, path);
}
