/** Why a photo was refused. Each code maps to one HTTP status; messages name the photo, never echo it. */

export const PHOTO_ERRORS = {
  photo_missing: 400,
  photo_empty: 400,
  photo_not_base64: 400,
  photo_unsupported_type: 415,
  photo_undecodable: 400,
  photo_truncated: 400,
  photo_too_small: 400,
  photo_too_large: 413,
  photo_too_many_pixels: 413,
} as const;
type PhotoErrorCode = keyof typeof PHOTO_ERRORS;

export class PhotoError extends Error {
  override readonly name = 'PhotoError';
  readonly code: PhotoErrorCode;
  readonly status: number;
  /** The request field holding the photo (refFaceContent, authFaceContent, ref, auth). */
  readonly field: string;
  constructor(code: PhotoErrorCode, field: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.status = PHOTO_ERRORS[code];
    this.field = field;
  }
}
