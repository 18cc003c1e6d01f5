import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256HexOf } from '../../../shared/config.ts';
import { bearerKey, isAuthorised } from '../../../shared/http/auth.ts';
import { secondsUntilMidnight, toErrorReply } from '../../../shared/http/status.ts';
import { IdvError } from '../../../shared/idv/errors.ts';
import { PhotoError } from '../../../shared/photo/errors.ts';

describe('isAuthorised', () => {
  const hashes = [sha256HexOf('first-key-000000'), sha256HexOf('second-key-00000')];

  it('accepts any configured key, with the scheme in any case', () => {
    expect(isAuthorised('Bearer first-key-000000', hashes)).toBe(true);
    expect(isAuthorised('bearer second-key-00000', hashes)).toBe(true);
  });

  it('refuses a missing, empty, other-scheme or unknown key', () => {
    for (const header of [
      undefined,
      '',
      'Bearer ',
      'Basic Zmlyc3Q=',
      'Bearer first-key-00000',
      'first-key-000000',
    ]) {
      expect(isAuthorised(header, hashes)).toBe(false);
    }
  });

  it('never throws and accepts nothing when no key is configured', () => {
    fc.assert(fc.property(fc.option(fc.string(), { nil: undefined }), (header) => !isAuthorised(header, [])));
  });

  it('extracts the key after Bearer', () => {
    expect(bearerKey('Bearer abc')).toBe('abc');
  });
});

describe('status mapping', () => {
  it('counts the seconds until the next UTC midnight', () => {
    expect(secondsUntilMidnight(Date.UTC(2026, 5, 1, 23, 59, 30))).toBe(30);
    expect(secondsUntilMidnight(Date.UTC(2026, 5, 1, 0, 0, 0))).toBe(86_400);
  });

  it('counts to midnight at a UTC offset (Beijing time, +480 minutes)', () => {
    // 15:00 UTC is 23:00 in Beijing: one hour to go.
    expect(secondsUntilMidnight(Date.UTC(2026, 5, 1, 15, 0, 0), 480)).toBe(3600);
  });

  it('exposes a photo error with its field and never a cause', () => {
    const reply = toErrorReply(
      new PhotoError('photo_truncated', 'ref', 'ref is a truncated JPEG', new Error('libvips detail')),
      'r',
      0,
    );
    expect(reply).toMatchObject({
      status: 400,
      serverFault: false,
      body: { error: { code: 'photo_truncated', field: 'ref' } },
    });
    expect(JSON.stringify(reply.body)).not.toContain('libvips');
  });

  it('says the function has no credentials when nothing was sent, and that they were refused when the API said so', () => {
    const local = toErrorReply(
      new IdvError('AuthFailed', 'credentials could not be read: no credentials: no context.credentials'),
      'r',
      0,
    );
    expect(local.body.error).toMatchObject({ code: 'upstream_auth_failed' });
    expect(local.body.error.message).toContain('no usable credentials');
    expect(local.body.error.message).toContain('nothing was sent');
    const refused = toErrorReply(
      new IdvError('AuthFailed', 'upstream Code SignatureDoesNotMatch', {
        requestId: 'R-1',
        httpStatus: 400,
      }),
      'r',
      0,
    );
    expect(refused.body.error.message).toBe('the verification service refused our credentials');
  });

  it('turns a thrown non-error into a 500', () => {
    expect(toErrorReply('boom', 'r', 0).status).toBe(500);
  });
});
