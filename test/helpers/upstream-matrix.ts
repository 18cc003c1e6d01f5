/**
 * The upstream APIs the integration and end-to-end suites run against: one row per API, with what its verdicts
 * and failures look like at the doors. Suites iterate over it (`describe.each(UPSTREAM_MATRIX)`), so both APIs
 * run the same tests. FaceCompareV2 shares FaceCompare's request, reply and parser; the emulator tests cover it.
 */
import { UNUSED_RESOURCE_CODE } from '../../shared/config.ts';
import type { IdvApi } from '../../shared/idv/apis.ts';

export interface UpstreamCase {
  api: IdvApi;
  /** Environment that selects the API. */
  env: { IDV_API: IdvApi };
  /** `faceAttack` of a judged verdict with no attack: false where the API judges attacks, null where not. */
  noAttack: false | null;
  /** True when the API flags a replayed reference photo as an attack. */
  judgesAttacks: boolean;
  /** `retCode` of a judged verdict. */
  okRetCode: string;
  /** True when the API reads resourceCode (unknown codes fail as InvalidResourceCode). */
  usesResourceCode: boolean;
  /** resourceCode recorded in result.json under npm start. */
  localResourceCode: string;
  /** How a spent daily quota reaches the doors: HTTP status and code, and the bucket's error code. */
  quotaSpent: { status: number; httpCode: string; caseCode: string; caseStatus: 'retrying' | 'unjudged' };
}

export const UPSTREAM_MATRIX: readonly UpstreamCase[] = [
  {
    api: 'intl_face_verify',
    env: { IDV_API: 'intl_face_verify' },
    noAttack: false,
    judgesAttacks: true,
    okRetCode: 'OK_SUCCESS',
    usesResourceCode: true,
    localResourceCode: '00840000',
    quotaSpent: {
      status: 429,
      httpCode: 'upstream_quota_exceeded',
      caseCode: 'QuotaExceeded',
      caseStatus: 'retrying',
    },
  },
  {
    api: 'face_compare',
    env: { IDV_API: 'face_compare' },
    noAttack: null,
    judgesAttacks: false,
    okRetCode: '200',
    usesResourceCode: false,
    localResourceCode: UNUSED_RESOURCE_CODE,
    // Cloudauth-intl documents no quota reply: the emulator answers Forbidden.AccountAccessDenied, which the
    // bucket door treats as a run-level error (no result.json, the invocation fails).
    quotaSpent: {
      status: 502,
      httpCode: 'upstream_not_activated',
      caseCode: 'NotActivated',
      caseStatus: 'unjudged',
    },
  },
];
