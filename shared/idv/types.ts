/**
 * The port through which the core calls the ID Verification API. shared/idv/client.ts implements it with
 * @alicloud/pop-core; tests may pass small fakes.
 */

import type { z } from 'zod';
import type { Logger } from '../log.ts';
import type { CheckedBase64 } from './base64.ts';
import type { verdictSchema } from './verdict.ts';

/**
 * What the API needs for one comparison. Photos are base64 JPEG without a data: prefix or line breaks: plain
 * text (the client checks it) or CheckedBase64 (checked where it was made, not scanned again).
 */
export interface VerifyRequest {
  refFaceContent: string | CheckedBase64;
  authFaceContent: string | CheckedBase64;
  resourceCode: string;
  /** Cloudauth-intl FaceCompare's MerchantBizId (letters and digits, at most 32); generated when absent. */
  merchantBizId?: string;
}

/** Access keys for signing. STS credentials carry a securityToken (sent as SecurityToken). */
export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface VerifyOptions {
  /** Absolute deadline (epoch ms) for all attempts, retries included. */
  deadlineEpochMs?: number;
  /** Credentials for this call; when absent the client's own provider is used. */
  credentials?: Credentials;
  signal?: AbortSignal;
  /** Retries allowed after possibly-billed outcomes in this call (default: the client's policy). */
  maxUncertainRetries?: number;
  /**
   * Awaited right before each request leaves (attempt 1, 2, ...): the door records the attempt as possibly
   * paid, so a crash while it is in flight is known afterwards. When it throws, nothing is sent.
   */
  beforeAttempt?: (attempt: number) => Promise<void>;
  /**
   * The caller's logger for this call's lines (it carries the HTTP request id or the case id), so a
   * possibly-billed attempt can be traced to its request or case; default the client's.
   */
  logger?: Logger;
}

/** The upstream's answer, parsed and typed (verdictSchema in verdict.ts). */
export type Verdict = z.infer<typeof verdictSchema>;

export interface IdvClient {
  verify(request: VerifyRequest, options?: VerifyOptions): Promise<Verdict>;
}
