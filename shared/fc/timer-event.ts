/** FC 3.0 timer trigger event. `payload` is the string configured on the trigger (ours may hold JSON). */
import { z } from 'zod';
import { parseJsonWith } from './json.ts';

export const fcTimerEventSchema = z.object({
  triggerTime: z.string().min(1),
  triggerName: z.string().min(1),
  payload: z.string().default(''),
});
type FcTimerEvent = z.infer<typeof fcTimerEventSchema>;

/** Parses the JSON held in the payload string with a schema; an empty payload validates `{}`. */
export function parseTimerPayload<T extends z.ZodType>(schema: T, event: FcTimerEvent): z.infer<T> {
  const text = event.payload.trim();
  return parseJsonWith(schema, text === '' ? '{}' : text, {
    message: 'payload: not valid JSON',
    path: 'payload',
  });
}
