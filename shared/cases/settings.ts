/** Settings of the bucket door; shared/config.ts fills them from the environment (IDV_BUCKET_*, IDV_RETRY_*). */
import { z } from 'zod';
import { prefixSchema } from './layout.ts';

export const caseSettingsSchema = z.object({
  /** Cases live at `<prefix>/<caseId>/`. */
  prefix: prefixSchema,
  /** resourceCode when neither case.json nor the photo metadata `resource-code` gives one. */
  defaultResourceCode: z.string().optional(),
  /** How long a claim protects a pair; a claim older than this is taken over. Longer than any verification. */
  leaseMs: z.number().int().min(1000),
  /** Backoff for transient failures: base * 2^(attempts-1), capped. */
  retryBaseMs: z.number().int().min(0),
  retryMaxMs: z.number().int().min(0),
  /** Attempts after which a pair that keeps failing transiently is marked failed. */
  maxAttempts: z.number().int().min(1),
  /**
   * Upstream attempts of unknown outcome (possibly billed) a pair version may be retried after; beyond it the
   * case is `held` until an operator forces it (IDV_MAX_UNCERTAIN_RETRIES, default 1).
   */
  maxUncertainRetries: z.number().int().min(0).default(1),
  /** The upstream daily quota resets at midnight in this UTC offset (minutes). */
  quotaResetUtcOffsetMinutes: z.number().int().min(-720).max(840),
  /** Opt-in retention: delete ref.jpg and auth.jpg after a final verdict (result.json is kept). */
  deletePhotosAfterVerdict: z.boolean(),
  /** Photo limits, as for the HTTP door. */
  maxPhotoBytes: z.number().int().positive(),
  maxPhotoPixels: z.number().int().positive(),
});
export type CaseSettings = z.infer<typeof caseSettingsSchema>;

export const DEFAULT_CASE_SETTINGS: CaseSettings = {
  prefix: 'cases',
  leaseMs: 120_000,
  retryBaseMs: 60_000,
  retryMaxMs: 6 * 3_600_000,
  maxAttempts: 10,
  maxUncertainRetries: 1,
  quotaResetUtcOffsetMinutes: 0,
  deletePhotosAfterVerdict: false,
  maxPhotoBytes: 15 * 1024 * 1024,
  maxPhotoPixels: 50_000_000,
};
