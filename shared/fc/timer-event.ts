/** FC 3.0 timer trigger event. `payload` is the string configured on the trigger (ours may hold JSON). */
import { z } from 'zod';
import { EventParseError, validateWith } from './json.ts';

export const fcTimerEventSchema = z.object({
  triggerTime: z.string().min(1),
  triggerName: z.string().min(1),
  payload: z.string().default(''),
});
export type FcTimerEvent = z.infer<typeof fcTimerEventSchema>;

/** Parses the JSON held in the payload string with a schema; an empty payload validates `{}`. */
export function parseTimerPayload<T extends z.ZodType>(schema: T, event: FcTimerEvent): z.infer<T> {
  const text = event.payload.trim();
  if (text === '') return validateWith(schema, {});
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new EventParseError('payload: not valid JSON', 'payload', err);
  }
  return validateWith(schema, value);
}
