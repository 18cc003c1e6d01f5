/**
 * Settings of the emulator as zod schemas: the trusted keys (with quota, activation switch and optional STS
 * token) and the fault injection that tests and benchmarks change at run time.
 */
import { z } from 'zod';

export const EmulatorKeySchema = z.object({
  accessKeyId: z.string().min(1),
  accessKeySecret: z.string().min(1),
  /**
   * When set, the key behaves like STS credentials: every request must carry exactly this SecurityToken.
   * When unset, a request may still carry any SecurityToken (it is signed like every parameter) and is accepted.
   */
  securityToken: z.string().min(1).optional(),
  /** Calls per UTC day that reach the face engine; unlimited when unset. Spent -> Code 402. */
  dailyQuota: z.number().int().min(0).optional(),
  /** false -> Code 403 (service not activated or expired). */
  activated: z.boolean().default(true),
  /** false -> the gateway's InvalidAccessKeyId.Inactive (a disabled AccessKey), before any signature check. */
  enabled: z.boolean().default(true),
});
export type EmulatorKey = z.input<typeof EmulatorKeySchema>;
export type EmulatorKeyConfig = z.infer<typeof EmulatorKeySchema>;

/** How often a fault fires: on the next `count` API calls, then on a `share` (0-1) of the calls after those. */
const FaultRateSchema = z.strictObject({
  count: z.number().int().min(0).optional(),
  share: z.number().min(0).max(1).optional(),
});
export type FaultRate = z.infer<typeof FaultRateSchema>;

/** Strict: a misspelt fault (`sytemError`) is refused, not ignored, so a fault test cannot pass without its fault. */
export const FaultConfigSchema = z.strictObject({
  /** Added to every authenticated API reply, in ms. */
  latencyMs: z.number().int().min(0).default(0),
  /** Code 500 SYSTEM_ERROR (transient) instead of an answer. */
  systemError: FaultRateSchema.optional(),
  /** The gateway's flow control: HTTP 400, Code `Throttling.User` (retried by the client). */
  throttle: FaultRateSchema.optional(),
  /** Code 200 with retCode PROCESSING (transient: try again later). */
  processing: FaultRateSchema.optional(),
  /** Never answers (the client must time out); the connection is dropped when the emulator closes. */
  hang: FaultRateSchema.optional(),
  /** Code 200, OK_SUCCESS, with a `Data` whose verdict does not parse: a billed call the client cannot read. */
  malformedSuccess: FaultRateSchema.optional(),
  /**
   * A normal (billed) answer, sent `ms` after the request arrived: counted as a completed paid call in the stats
   * even when the client has gone (timed out) meanwhile, as the real service would bill it.
   */
  slowSuccess: FaultRateSchema.extend({ ms: z.number().int().min(0).max(600_000) }).optional(),
  /** Answers "passed" at once without decoding the photos or calling the engine (overhead benchmarks only). */
  instant: z.boolean().default(false),
});
export type FaultConfig = z.input<typeof FaultConfigSchema>;
export type ResolvedFaultConfig = z.infer<typeof FaultConfigSchema>;

/** Requests whose Timestamp is further than this from the emulator's clock are rejected (Alibaba: 15 minutes). */
export const TIMESTAMP_SKEW_MS = 15 * 60 * 1000;
/** Largest request body accepted (FC's synchronous limit is 32 MB; photos are about 1 MB each). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** Large enough for a GET that carries both photos in its query string. */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;
