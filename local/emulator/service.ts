/**
 * ExecuteRequest for Service intl_face_verify: validates the request the way the documentation describes, then
 * answers from the face engine. Judged -> Code 200, OK_SUCCESS, Data.passed = the comparison passed,
 * extInfo.result = passed and no attack, extInfo.score with one decimal ("87.3"). Unjudged -> Code 200 with
 * retCode UNABLE_GET_IMAGE and one of the emulator's sub-codes.
 */
import { isStrictBase64 } from '../../shared/idv/base64.ts';
import type { FaceEngine, Judged, Unjudged } from '../engine/types.ts';
import { type EmulatorReply, serviceReply, systemErrorReply } from './replies.ts';
import { SUB_CODES, UNJUDGEABLE_SUB_CODES } from './subcodes.ts';

const SERVICE_NAME = 'intl_face_verify';
/** The documented message of Code 400. */
export const MISSING_FIELDS_MESSAGE = 'refFaceContent or authFaceContent or resourceCode is null';

interface ServicePhotos {
  refFaceContent: string;
  authFaceContent: string;
  resourceCode: string;
}

/** Service and ServiceParameters checks; a reply when the request is refused, the photos otherwise. */
export function validateService(
  params: Record<string, string>,
  requestId: string,
  isKnownResourceCode: (code: string) => boolean,
): EmulatorReply | ServicePhotos {
  if (params.Service !== SERVICE_NAME) {
    return serviceReply(404, 'The specified Service is not supported.', requestId, 'invalidService');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(params.ServiceParameters ?? '');
  } catch {
    parsed = undefined;
  }
  const fields = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  const { refFaceContent, authFaceContent, resourceCode } = fields;
  if (!isFilled(refFaceContent) || !isFilled(authFaceContent) || !isFilled(resourceCode)) {
    return serviceReply(400, MISSING_FIELDS_MESSAGE, requestId, 'invalidParameters');
  }
  if (!isKnownResourceCode(resourceCode)) {
    const { sub, message } = SUB_CODES.invalidResourceCode;
    return systemErrorReply(requestId, 'invalidResourceCode', sub, message);
  }
  return { refFaceContent, authFaceContent, resourceCode };
}

const isFilled = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
export function decodePhoto(content: string): Buffer | undefined {
  return isStrictBase64(content) ? Buffer.from(content, 'base64') : undefined;
}

/** Compares the photos with the engine and shapes the documented answer. */
export async function judge(
  engine: FaceEngine,
  photos: ServicePhotos,
  requestId: string,
): Promise<EmulatorReply> {
  const ref = decodePhoto(photos.refFaceContent);
  const auth = decodePhoto(photos.authFaceContent);
  if (!ref || !auth) {
    const which = !ref ? 'refFaceContent' : 'authFaceContent';
    return unableGetImage(requestId, SUB_CODES.badBase64.sub, `${which} ${SUB_CODES.badBase64.message}`);
  }
  let comparison: Judged | Unjudged;
  try {
    comparison = await engine.compare(ref, auth);
  } catch {
    const { sub, message } = SUB_CODES.engineFailed;
    return systemErrorReply(requestId, 'engineError', sub, message);
  }
  if (comparison.outcome === 'unjudgeable') {
    const sub = UNJUDGEABLE_SUB_CODES[comparison.reason];
    const field = comparison.photo === 'ref' ? 'refFaceContent' : 'authFaceContent';
    return unableGetImage(requestId, sub, `${field}: ${comparison.reason} (${sub})`);
  }
  return judgedReply(comparison.passed, comparison.faceAttack, comparison.score, requestId);
}

export function judgedReply(passed: boolean, faceAttack: boolean, score: number, requestId: string) {
  const result = passed && !faceAttack;
  const { sub, message } = result
    ? SUB_CODES.passed
    : faceAttack
      ? SUB_CODES.faceAttack
      : SUB_CODES.facesDiffer;
  const outcome = result ? 'passed' : faceAttack ? 'faceAttack' : 'facesDiffer';
  return serviceReply(200, 'OK', requestId, outcome, {
    passed: passed ? 'true' : 'false',
    retCode: 'OK_SUCCESS',
    retCodeSub: sub,
    retMessage: message,
    extInfo: {
      result: result ? 'true' : 'false',
      score: Math.min(100, Math.max(0, score)).toFixed(1),
      faceAttack: faceAttack ? 'true' : 'false',
    },
  });
}

function unableGetImage(requestId: string, sub: string, message: string): EmulatorReply {
  return serviceReply(200, 'OK', requestId, 'unableGetImage', {
    passed: 'false',
    retCode: 'UNABLE_GET_IMAGE',
    retCodeSub: sub,
    retMessage: message,
  });
}
