/**
 * JSON with a schema, the one way: parse the text, then validate it with a zod schema. `parseJson` says which
 * step failed (callers word the two differently); `jsonString` is the same inside a zod schema, for a field
 * whose value is JSON in a string (the upstream's `Data`, FaceCompare's reply body).
 */
import { z } from 'zod';

type JsonParsed<T> =
  | { ok: true; value: T }
  | { ok: false; notJson: true; cause: unknown }
  | { ok: false; notJson: false; issue: z.ZodError['issues'][number] };

export function parseJson<T extends z.ZodType>(schema: T, raw: string | Buffer): JsonParsed<z.infer<T>> {
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (cause) {
    return { ok: false, notJson: true, cause };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, notJson: false, issue: parsed.error.issues[0]! };
}

/** A string holding JSON that `schema` describes; a value that is not a string is validated as it is. */
export const jsonString = <T extends z.ZodType>(schema: T, notJsonMessage: string) =>
  z.preprocess((value, ctx) => {
    if (typeof value !== 'string') return value;
    const parsed = parseJson(z.unknown(), value);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: 'custom', message: notJsonMessage });
    return z.NEVER;
  }, schema);
