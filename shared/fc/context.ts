/**
 * The parts of the FC 3.0 context the functions use. Never log the context: `credentials` holds live STS keys.
 * Credentials are read per invocation because FC rotates them.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Credentials } from '../idv/types.ts';

const fcCredentialsSchema = z.object({
  accessKeyId: z.string().min(1),
  accessKeySecret: z.string().min(1),
  securityToken: z.string().optional(),
});

/**
 * FC's context as the handlers read it. Never refuses: FC always sends a requestId, but a hand-made or test
 * invocation without one (or without any context) gets a fresh id instead of a validation error.
 */
export const fcContextSchema = z
  .object({
    requestId: z
      .string()
      .min(1)
      .catch(() => randomUUID()),
    credentials: fcCredentialsSchema.optional().catch(undefined),
    function: z
      .object({
        name: z.string().optional(),
        /** Seconds. */
        timeout: z.number().positive().optional(),
      })
      .loose()
      .optional()
      .catch(undefined),
  })
  .loose()
  .catch(() => ({ requestId: randomUUID() }));
type FcContext = z.infer<typeof fcContextSchema>;

/** Credentials of this invocation: FC's STS keys when present, else the fallback (environment). */
export function credentialsFor(
  context: FcContext,
  fallback: Credentials | undefined,
): Credentials | undefined {
  const c = context.credentials;
  if (c)
    return {
      accessKeyId: c.accessKeyId,
      accessKeySecret: c.accessKeySecret,
      ...(c.securityToken ? { securityToken: c.securityToken } : {}),
    };
  return fallback;
}

/** FC has no remaining-time call: deadline = start + function timeout - margin, capped by a budget. */
export function deadlineFor(
  context: FcContext,
  startEpochMs: number,
  budgetMs: number,
  marginMs = 500,
): number {
  const timeoutS = context.function?.timeout;
  const fcDeadline =
    timeoutS === undefined ? Number.POSITIVE_INFINITY : startEpochMs + timeoutS * 1000 - marginMs;
  return Math.min(fcDeadline, startEpochMs + budgetMs);
}
