/**
 * The port through which the core calls the ID Verification API. shared/idv/client.ts implements it with
 * @alicloud/pop-core; tests may pass small fakes.
 */
import type { CheckedBase64 } from './base64.ts';

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
}

/** The upstream's answer, parsed and typed. */
export interface Verdict {
  /** Upstream RequestId. */
  requestId: string;
  /** Data.passed: the comparison itself passed. */
  passed: boolean;
  /** extInfo.result: the API's final decision (false when faces differ or an attack is seen). */
  result: boolean;
  /** extInfo.score, 0-100. */
  score: number;
  /** extInfo.faceAttack; null when the API does not judge attacks (Cloudauth-intl FaceCompare). */
  faceAttack: boolean | null;
  retCode: string;
  retCodeSub: string;
  retMessage: string;
  /** True when the upstream's fields contradicted each other and `result` was set to false (verdict.ts). */
  upstreamInconsistent?: boolean;
  /** Cloudauth-intl Result.TransactionId, where the API gives one. */
  transactionId?: string;
  /** Attempts the client made, retries included (1 when the first one answered). */
  attempts: number;
  /** Of those, certainly billed (this answer included) and possibly billed (outcome unknown). */
  paidAttempts?: number;
  uncertainAttempts?: number;
}

export interface IdvClient {
  verify(request: VerifyRequest, options?: VerifyOptions): Promise<Verdict>;
}
