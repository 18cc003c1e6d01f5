/**
 * The upstream APIs the signed client can call, as data: one setting (IDV_API) picks one, and everything
 * behind the three doors stays the same. Each entry says how to build the signed parameters of one
 * comparison and how to read the reply into the one Verdict shape.
 * - `intl_face_verify`: saf ExecuteRequest, Version 2019-05-21, Service intl_face_verify (the seed's API).
 * - `face_compare` / `face_compare_v2`: Cloudauth-intl FaceCompare / FaceCompareV2, Version 2022-08-09
 *   (docs/upstream-apis.md says which one a new account gets, with sources). Both take `MerchantBizId` and the
 *   photos as base64 `SourceFacePicture` (the ID photo) / `TargetFacePicture` (the face photo).
 * Regions and endpoints: docs/upstream-apis.md; `defaultEndpoint` picks the same-region VPC endpoint inside
 * Function Compute and the public one elsewhere.
 */
import { randomBytes } from 'node:crypto';
import { parseFaceCompareReply } from './face-compare-reply.ts';
import { parseReply } from './reply.ts';
import type { Verdict } from './types.ts';

export const IDV_APIS = ['intl_face_verify', 'face_compare', 'face_compare_v2'] as const;
export type IdvApi = (typeof IDV_APIS)[number];
export const DEFAULT_IDV_API: IdvApi = 'intl_face_verify';

/** The photos and resourceCode of one comparison, already checked (strict base64). */
interface ComparisonInput {
  refFaceContent: string;
  authFaceContent: string;
  resourceCode: string;
  /** FaceCompare's MerchantBizId (32 letters/digits at most); generated when absent. */
  merchantBizId?: string;
}

interface UpstreamApi {
  id: IdvApi;
  product: 'saf' | 'cloudauth-intl';
  version: string;
  action: string;
  /** True when the API reads `resourceCode` (only ExecuteRequest does). */
  usesResourceCode: boolean;
  /** The API parameters of one comparison (built once, signed anew for every attempt). */
  params(input: ComparisonInput): Record<string, string>;
  parse(body: unknown, meta?: { httpStatus?: number; attempts?: number }): Verdict;
}

/**
 * `JSON.stringify` of ServiceParameters built by hand, key order as in the documentation's samples: strict
 * base64 needs no escaping, and stringify would scan both photos again (about 2 ms for two 300 KB photos).
 */
const serviceParametersJson = (r: ComparisonInput): string =>
  `{"refFaceContent":"${r.refFaceContent}","authFaceContent":"${r.authFaceContent}","resourceCode":${JSON.stringify(r.resourceCode)}}`;

/** 32 hex characters: within FaceCompare's "letters and digits, at most 32" MerchantBizId. */
const newMerchantBizId = (): string => randomBytes(16).toString('hex');
export const MERCHANT_BIZ_ID_PATTERN = /^[A-Za-z0-9]{1,32}$/;

const faceCompare = (id: 'face_compare' | 'face_compare_v2', action: string): UpstreamApi => ({
  id,
  product: 'cloudauth-intl',
  version: '2022-08-09',
  action,
  usesResourceCode: false,
  params: (r) => ({
    MerchantBizId: r.merchantBizId ?? newMerchantBizId(),
    SourceFacePicture: r.refFaceContent,
    TargetFacePicture: r.authFaceContent,
  }),
  parse: parseFaceCompareReply,
});

export const UPSTREAM_APIS: Readonly<Record<IdvApi, UpstreamApi>> = {
  intl_face_verify: {
    id: 'intl_face_verify',
    product: 'saf',
    version: '2019-05-21',
    action: 'ExecuteRequest',
    usesResourceCode: true,
    params: (r) => ({ Service: 'intl_face_verify', ServiceParameters: serviceParametersJson(r) }),
    parse: parseReply,
  },
  face_compare: faceCompare('face_compare', 'FaceCompare'),
  face_compare_v2: faceCompare('face_compare_v2', 'FaceCompareV2'),
};

/** Regions each API serves (docs/upstream-apis.md gives the sources). */
const API_REGIONS: Readonly<Record<UpstreamApi['product'], readonly string[]>> = {
  saf: ['ap-southeast-1', 'cn-shanghai'],
  'cloudauth-intl': ['ap-southeast-1', 'ap-southeast-3', 'ap-southeast-5', 'cn-hongkong'],
};
const DEFAULT_REGION = 'ap-southeast-1';

/**
 * The endpoint when IDV_ENDPOINT is unset. Cloudauth-intl: inside Function Compute (FC_REGION set) in a region
 * the API serves, the same-region VPC endpoint `cloudauth-intl-vpc.<region>.aliyuncs.com`; elsewhere the public
 * `cloudauth-intl.<region>.aliyuncs.com` of IDV_REGION (default ap-southeast-1). saf keeps the seed's public
 * `saf.ap-southeast-1.aliyuncs.com` (no VPC endpoint is documented for it).
 */
export function defaultEndpoint(api: IdvApi, opts: { fcRegion?: string; region?: string } = {}): string {
  const { product } = UPSTREAM_APIS[api];
  if (product === 'saf') return `https://saf.${opts.region ?? DEFAULT_REGION}.aliyuncs.com`;
  const regions = API_REGIONS[product];
  if (opts.fcRegion && regions.includes(opts.fcRegion) && (!opts.region || opts.region === opts.fcRegion)) {
    return `https://cloudauth-intl-vpc.${opts.fcRegion}.aliyuncs.com`;
  }
  return `https://cloudauth-intl.${opts.region ?? DEFAULT_REGION}.aliyuncs.com`;
}
