/**
 * Cloudauth-intl FaceCompare / FaceCompareV2 (Version 2022-08-09) on the emulator's port, answered by the same
 * face engine as ExecuteRequest. Request as the generated SDK sends it (`MerchantBizId` and the `...Url`
 * variants in the query, `SourceFacePicture`/`TargetFacePicture` base64 in the form body; RPC v1 clients send
 * everything in the form). Replies in the SDK model's shape:
 *   {"RequestId":"...","Code":"200","Message":"success","Result":{"TransactionId":"...","Passed":"Y",
 *    "FaceComparisonScore":98.5}}
 * and errors as Alibaba's "Server-side HTTP status codes" table lists them ({RequestId, Code, Message} with the
 * table's HTTP status). FaceCompare does not judge spoofing: `Passed` is the comparison alone.
 */
import { randomBytes } from 'node:crypto';
import { isStrictBase64 } from '../../shared/idv/base64.ts';
import { FACE_COMPARE_CODES, type FaceCompareErrorCode } from '../../shared/idv/face-compare-codes.ts';
import type { FaceEngine, Judged, UnjudgeableReason, Unjudged } from '../engine/types.ts';
import type { EmulatorReply } from './replies.ts';

export const FACE_COMPARE_VERSION = '2022-08-09';
const FACE_COMPARE_ACTIONS = ['FaceCompare', 'FaceCompareV2'] as const;
export const isFaceCompareAction = (action: string): boolean =>
  (FACE_COMPARE_ACTIONS as readonly string[]).includes(action);

/** Messages as the documentation's table words them. */
const MESSAGES: Record<FaceCompareErrorCode, string> = {
  MissingParameter: 'The parameter is required.',
  InvalidParameter: 'The parameter is invalid.',
  TransactionIdInvalid: 'The Transaction ID is invalid.',
  'Forbidden.ExceptionRepeatedInvoke': 'The maximum number of repeated exception invocations is exceeded.',
  UnqualifiedPhoto: 'The uploaded image is unreadable or does not meet the resolution requirements.',
  DataDuplication: 'The image was submitted in both Base64 and URL formats.',
  ToolargeImage: 'The image size exceeds the limit.',
  DownloadTimeout: 'The download of the image from the URL timed out.',
  NoFaceDetected: 'Face feature extraction from the uploaded image failed.',
  'Forbidden.RAMUserAccessDenied': 'Grant the RAM user the AliyunAntCloudAuthFullAccess permission.',
  'Forbidden.AccountAccessDenied':
    'Make sure that ID Verification is activated and that the account has no overdue payment.',
  'Throttling.Api': 'The API call exceeds the QPS limit.',
  ProcessNotCompleted: 'The verification process is not completed.',
  SuspiciousActivity: 'Restricted by the security policy. Try again later.',
  InternalError: 'An internal system error occurred.',
  ServiceUnavailable: 'The service is unavailable.',
};

/** An error reply of the table; `detail` names the parameter at fault (never its value). */
export function faceCompareError(
  code: FaceCompareErrorCode,
  requestId: string,
  detail?: string,
  outcome: string = code,
): EmulatorReply {
  return {
    status: FACE_COMPARE_CODES[code].status,
    outcome,
    body: {
      RequestId: requestId,
      Code: code,
      Message: detail ? `${MESSAGES[code]} ${detail}` : MESSAGES[code],
    },
  };
}

export function faceCompareSuccess(
  passed: boolean,
  score: number,
  requestId: string,
  outcome: string,
): EmulatorReply {
  return codeTwoHundred(requestId, outcome, {
    Passed: passed ? 'Y' : 'N',
    FaceComparisonScore: Math.round(Math.min(100, Math.max(0, score)) * 100) / 100,
  });
}

interface FaceComparePhotos {
  source: string;
  target: string;
}

const MERCHANT_BIZ_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Parameter checks of one FaceCompare call: a refusal, or the two base64 photos. */
export function validateFaceCompare(
  params: Record<string, string>,
  requestId: string,
): EmulatorReply | FaceComparePhotos {
  const bizId = params.MerchantBizId;
  if (!bizId) return faceCompareError('MissingParameter', requestId, '(MerchantBizId)', 'invalidParameters');
  if (!MERCHANT_BIZ_ID.test(bizId)) {
    return faceCompareError('InvalidParameter', requestId, '(MerchantBizId)', 'invalidParameters');
  }
  const photos: string[] = [];
  for (const side of ['Source', 'Target'] as const) {
    const base64 = params[`${side}FacePicture`];
    const url = params[`${side}FacePictureUrl`] || params[`${side}FacePictureFile`];
    if (base64 && url) {
      return faceCompareError('DataDuplication', requestId, `(${side}FacePicture)`, 'invalidParameters');
    }
    // The emulator has no network: a URL photo cannot be downloaded, as a URL that never answers.
    if (url)
      return faceCompareError('DownloadTimeout', requestId, `(${side}FacePictureUrl)`, 'downloadTimeout');
    if (!base64) {
      return faceCompareError('MissingParameter', requestId, `(${side}FacePicture)`, 'invalidParameters');
    }
    photos.push(base64);
  }
  return { source: photos[0] as string, target: photos[1] as string };
}

const UNJUDGEABLE_CODES: Readonly<Record<UnjudgeableReason, FaceCompareErrorCode>> = {
  empty: 'UnqualifiedPhoto',
  not_an_image: 'UnqualifiedPhoto',
  undecodable: 'UnqualifiedPhoto',
  truncated: 'UnqualifiedPhoto',
  too_large: 'ToolargeImage',
  no_face: 'NoFaceDetected',
  face_too_small: 'NoFaceDetected',
  face_blurred: 'UnqualifiedPhoto',
  face_not_frontal: 'UnqualifiedPhoto',
};

/** Compares the photos with the engine and shapes the documented answer. */
export async function judgeFaceCompare(
  engine: FaceEngine,
  photos: FaceComparePhotos,
  requestId: string,
): Promise<EmulatorReply> {
  for (const [name, text] of [
    ['SourceFacePicture', photos.source],
    ['TargetFacePicture', photos.target],
  ] as const) {
    if (!isStrictBase64(text))
      return faceCompareError('InvalidParameter', requestId, `(${name})`, 'unableGetImage');
  }
  let comparison: Judged | Unjudged;
  try {
    comparison = await engine.compare(
      Buffer.from(photos.source, 'base64'),
      Buffer.from(photos.target, 'base64'),
    );
  } catch {
    return faceCompareError('InternalError', requestId, undefined, 'engineError');
  }
  if (comparison.outcome === 'unjudgeable') {
    const field = comparison.photo === 'ref' ? 'SourceFacePicture' : 'TargetFacePicture';
    return faceCompareError(
      UNJUDGEABLE_CODES[comparison.reason],
      requestId,
      `(${field}: ${comparison.reason})`,
      'unableGetImage',
    );
  }
  return faceCompareSuccess(
    comparison.passed,
    comparison.score,
    requestId,
    comparison.passed ? 'passed' : 'facesDiffer',
  );
}

/** The `malformedSuccess` fault: Code "200" (billed) with a Result that does not parse. */
export const faceCompareMalformedSuccess = (requestId: string): EmulatorReply =>
  codeTwoHundred(requestId, 'malformedSuccess', { Passed: 'maybe', FaceComparisonScore: 'NaN%' });

function codeTwoHundred(requestId: string, outcome: string, verdict: Record<string, unknown>): EmulatorReply {
  return {
    status: 200,
    outcome,
    body: {
      RequestId: requestId,
      Code: '200',
      Message: 'success',
      Result: { TransactionId: randomBytes(16).toString('hex'), ...verdict },
    },
  };
}
