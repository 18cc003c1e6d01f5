/**
 * The rerun's boundaries as zod schemas: the timer payload (`{prefix?, force?, limit?, concurrency?, dryRun?}`,
 * a JSON string on the FC timer trigger) and the cursor object a run leaves for the next one.
 */
import { z } from 'zod';
import { prefixSchema } from '../cases/layout.ts';

export const MAX_RERUN_CONCURRENCY = 64;

export const rerunPayloadSchema = z.strictObject({
  /** Cases under `<prefix>/<caseId>/`; default the configured IDV_PREFIX. */
  prefix: prefixSchema.optional(),
  /** Re-verify final verdicts too (an operator's explicit re-run: pays again for every complete pair). */
  force: z.boolean().optional(),
  /** At most this many due cases in this run; the cursor keeps the rest for the next one. */
  limit: z.number().int().positive().optional(),
  /** Cases verified at the same time (1..64). */
  concurrency: z.number().int().min(1).max(MAX_RERUN_CONCURRENCY).optional(),
  /** Decide and count only: no paid call, no write. */
  dryRun: z.boolean().optional(),
});
export type RerunPayload = z.infer<typeof rerunPayloadSchema>;

/** Where a stopped run ends: the next run lists from `pageToken` and skips case folders up to `afterFolder`. */
export const cursorSchema = z.object({
  schema: z.literal('idv.rerun-cursor/v1'),
  prefix: z.string(),
  /** A forced run and a normal run keep separate positions: a cursor of the other kind is ignored. */
  force: z.boolean(),
  /** Token of the listing page holding the first key of `afterFolder` (absent: the first page). */
  pageToken: z.string().optional(),
  /** Every case folder (`<prefix>/<caseId>/`) up to and including this one has been handled. */
  afterFolder: z.string(),
  savedAtIso: z.iso.datetime(),
  reason: z.string(),
});
export type RerunCursor = z.infer<typeof cursorSchema>;
