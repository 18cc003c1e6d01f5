/**
 * retCodeSub values. Z1140 and Z1141 are Alibaba's (documented); the Z9xxx codes are the emulator's own,
 * chosen outside Alibaba's range, and tabulated in docs/emulator.md. Callers must not branch on sub-codes (the
 * documentation says so too): they are for troubleshooting.
 */
import type { UnjudgeableReason } from '../engine/types.ts';

export const SUB_CODES = {
  passed: { sub: 'Z1140', message: 'Facial recognition passed (Z1140)' },
  invalidResourceCode: { sub: 'Z1141', message: 'resourceCode value invalid' },
  facesDiffer: { sub: 'Z9001', message: 'Facial recognition failed: the faces differ (Z9001)' },
  faceAttack: { sub: 'Z9002', message: 'Facial recognition failed: spoofing attack suspected (Z9002)' },
  badBase64: { sub: 'Z9110', message: 'is not valid base64 (no data: prefix, no line breaks)' },
  processing: { sub: 'Z9301', message: 'The photo is being processed, try again later (Z9301)' },
  systemError: { sub: 'Z9302', message: 'system error, try again (Z9302)' },
  engineFailed: { sub: 'Z9303', message: 'the face engine failed on this request (Z9303)' },
} as const;

/** UNABLE_GET_IMAGE sub-codes, one per reason the engine cannot judge a photo. */
export const UNJUDGEABLE_SUB_CODES: Readonly<Record<UnjudgeableReason, string>> = {
  empty: 'Z9101',
  not_an_image: 'Z9102',
  undecodable: 'Z9103',
  truncated: 'Z9104',
  too_large: 'Z9105',
  no_face: 'Z9106',
  face_too_small: 'Z9107',
  face_blurred: 'Z9108',
  face_not_frontal: 'Z9109',
};
