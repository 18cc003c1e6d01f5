/**
 * The body of POST /verify: JSON (base64 photos) or multipart/form-data (files `ref`, `auth`).
 *
 * Multipart is parsed with the platform's `Request.formData()` (undici, shipped inside Node 20): no extra
 * dependency, maintained with Node itself, and the FC event hands us the whole body in memory anyway (sync
 * limit 32 MB), so a streaming parser such as busboy would buy nothing here. A malformed body makes it
 * throw a TypeError, which becomes a 400.
 */

import type { CheckedBase64 } from '../idv/base64.ts';
import { decodePhotoBase64Text } from '../photo/base64.ts';
import { PhotoError } from '../photo/errors.ts';
import { duplicateTopLevelKey } from './duplicate-keys.ts';
import { HttpError } from './errors.ts';
import { referenceSchema, resourceCodeSchema, verifyJsonRequestSchema } from './schemas.ts';

export interface PhotoInput {
  /** The request field that held it, used in error messages. */
  field: string;
  bytes: Buffer;
  /** The canonical base64 of `bytes` when the body held base64 (reused upstream when the photo is unchanged). */
  base64?: CheckedBase64;
}
export interface VerifyInput {
  ref: PhotoInput;
  auth: PhotoInput;
  resourceCode: string | undefined;
  reference: string | undefined;
}

const mediaType = (contentType: string | undefined) => contentType?.split(';')[0]?.trim().toLowerCase() ?? '';

/** `body` is the FC event's body text as is, or its bytes when it came base64-encoded. */
export async function parseVerifyBody(
  contentType: string | undefined,
  body: Buffer | string,
  maxPhotoBytes: number,
): Promise<VerifyInput> {
  const type = mediaType(contentType);
  if (type === 'application/json' || type.endsWith('+json')) return parseJsonBody(body, maxPhotoBytes);
  if (type === 'multipart/form-data') return parseMultipartBody(contentType!, body, maxPhotoBytes);
  throw new HttpError('unsupported_content_type', 'send application/json or multipart/form-data', {
    field: 'content-type',
  });
}

/** The fields that may appear once; a second one (JSON key or multipart part) is refused as ambiguous. */
const SINGLE_FIELDS = {
  json: new Set(['refFaceContent', 'authFaceContent', 'resourceCode', 'reference']),
  multipart: ['ref', 'auth', 'resourceCode', 'reference'],
} as const;

const duplicateField = (field: string) =>
  new HttpError('duplicate_field', `${field} appears more than once; send each field once`, { field });

function parseJsonBody(body: Buffer | string, maxPhotoBytes: number): VerifyInput {
  let value: unknown;
  const text = typeof body === 'string' ? body : body.toString('utf8');
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HttpError('invalid_json', 'the body is not valid JSON', { cause: err });
  }
  const duplicate = duplicateTopLevelKey(text, SINGLE_FIELDS.json);
  if (duplicate !== undefined) throw duplicateField(duplicate);
  const parsed = verifyJsonRequestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.') || undefined;
    if ((field === 'refFaceContent' || field === 'authFaceContent') && issue.code === 'invalid_type') {
      const present = value !== null && typeof value === 'object' && field in value;
      if (!present) throw new PhotoError('photo_missing', field, `${field} is required`);
    }
    throw new HttpError(
      'invalid_request',
      field ? `${field}: ${issue.message}` : issue.message,
      field ? { field } : {},
    );
  }
  const { refFaceContent, authFaceContent, resourceCode, reference } = parsed.data;
  const photo = (field: 'refFaceContent' | 'authFaceContent', text: string): PhotoInput => {
    return { field, ...decodePhotoBase64Text(text, field, maxPhotoBytes) };
  };
  return {
    ref: photo('refFaceContent', refFaceContent),
    auth: photo('authFaceContent', authFaceContent),
    resourceCode,
    reference,
  };
}

async function parseMultipartBody(
  contentType: string,
  body: Buffer | string,
  maxPhotoBytes: number,
): Promise<VerifyInput> {
  let form: FormData;
  try {
    form = await new Request('http://multipart.invalid/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
    }).formData();
  } catch (err) {
    throw new HttpError('invalid_multipart', 'the multipart body could not be parsed', { cause: err });
  }
  for (const field of SINGLE_FIELDS.multipart) {
    if (form.getAll(field).length > 1) throw duplicateField(field);
  }
  const file = async (field: 'ref' | 'auth'): Promise<PhotoInput> => {
    const entry = form.get(field);
    if (entry === null) throw new PhotoError('photo_missing', field, `${field} is required (a file part)`);
    if (typeof entry === 'string') {
      throw new HttpError('invalid_request', `${field} must be a file part, not a text field`, { field });
    }
    if (entry.size > maxPhotoBytes)
      throw new PhotoError('photo_too_large', field, `${field} is larger than ${maxPhotoBytes} bytes`);
    return { field, bytes: Buffer.from(await entry.arrayBuffer()) };
  };
  const text = (
    field: string,
    schema: typeof resourceCodeSchema | typeof referenceSchema,
  ): string | undefined => {
    const entry = form.get(field);
    if (entry === null) return undefined;
    const parsed = schema.safeParse(typeof entry === 'string' ? entry.trim() : undefined);
    if (!parsed.success) {
      throw new HttpError('invalid_request', `${field}: ${parsed.error.issues[0]!.message}`, { field });
    }
    return parsed.data;
  };
  return {
    ref: await file('ref'),
    auth: await file('auth'),
    resourceCode: text('resourceCode', resourceCodeSchema),
    reference: text('reference', referenceSchema),
  };
}
