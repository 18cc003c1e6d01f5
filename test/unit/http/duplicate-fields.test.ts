import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseVerifyBody } from '../../../shared/http/body.ts';
import { duplicateTopLevelKey } from '../../../shared/http/duplicate-keys.ts';
import { HttpError } from '../../../shared/http/errors.ts';
import { faceCrop } from '../../helpers/photos.ts';

const MAX = 5 * 1024 * 1024;

async function formBody(parts: [string, Buffer | string][]) {
  const form = new FormData();
  for (const [name, value] of parts) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new Blob([new Uint8Array(value)], { type: 'image/jpeg' }), `${name}.jpg`);
  }
  const request = new Request('http://multipart.invalid/', { method: 'POST', body: form });
  return {
    body: Buffer.from(await request.arrayBuffer()),
    contentType: request.headers.get('content-type')!,
  };
}

async function refusal(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    return err as HttpError;
  }
  throw new Error('accepted');
}

describe('duplicate fields in POST /verify', () => {
  let ref: Buffer;
  let face: Buffer;
  beforeAll(async () => {
    ref = await faceCrop(1);
    face = await faceCrop(2);
  });

  it('refuses two multipart ref parts with 400 duplicate_field naming ref', async () => {
    const { body, contentType } = await formBody([
      ['ref', ref],
      ['ref', face],
      ['auth', face],
    ]);
    const err = await refusal(parseVerifyBody(contentType, body, MAX));
    expect(err).toMatchObject({ code: 'duplicate_field', status: 400, field: 'ref' });
  });

  it('refuses two multipart resourceCode fields', async () => {
    const { body, contentType } = await formBody([
      ['ref', ref],
      ['auth', face],
      ['resourceCode', '12345678'],
      ['resourceCode', '87654321'],
    ]);
    expect(await refusal(parseVerifyBody(contentType, body, MAX))).toMatchObject({
      code: 'duplicate_field',
      field: 'resourceCode',
    });
  });

  it('refuses duplicate JSON keys for a photo, escaped spellings included', async () => {
    const a = ref.toString('base64');
    const b = face.toString('base64');
    const text = `{"refFaceContent":"${a}","authFaceContent":"${b}","ref\\u0046aceContent" : "${b}"}`;
    expect(await refusal(parseVerifyBody('application/json', text, MAX))).toMatchObject({
      code: 'duplicate_field',
      status: 400,
      field: 'refFaceContent',
    });
  });

  it('refuses duplicate JSON keys for the options', async () => {
    const text = JSON.stringify({
      refFaceContent: ref.toString('base64'),
      authFaceContent: face.toString('base64'),
    });
    const dup = `${text.slice(0, -1)},"reference":"a","reference":"b"}`;
    expect(await refusal(parseVerifyBody('application/json', dup, MAX))).toMatchObject({
      code: 'duplicate_field',
      field: 'reference',
    });
  });

  it('accepts a body where the same names appear only nested or as values', async () => {
    const body = {
      refFaceContent: ref.toString('base64'),
      authFaceContent: face.toString('base64'),
      reference: 'refFaceContent',
      extra: { refFaceContent: 'x', list: [{ reference: 'y' }] },
    };
    const input = await parseVerifyBody('application/json', JSON.stringify(body), MAX);
    expect(input.reference).toBe('refFaceContent');
  });

  it('finds a duplicate exactly when a top-level key repeats (property)', () => {
    const fields = new Set(['a', 'b', 'c']);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.jsonValue()), { maxLength: 6 }),
        (entries) => {
          const text = `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
          const keys = entries.map(([k]) => k).filter((k) => fields.has(k));
          const firstRepeat = keys.find((k, i) => keys.indexOf(k) !== i);
          expect(duplicateTopLevelKey(text, fields)).toBe(firstRepeat);
        },
      ),
      { seed: 13 },
    );
  });
});
