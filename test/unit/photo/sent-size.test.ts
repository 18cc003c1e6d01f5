import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { processCase, readResult } from '../../../shared/cases/process.ts';
import { DEFAULT_CASE_SETTINGS } from '../../../shared/cases/settings.ts';
import { silentLogger } from '../../../shared/log.ts';
import { PhotoError } from '../../../shared/photo/errors.ts';
import { normalisePhoto } from '../../../shared/photo/normalise.ts';
import { createFsStore } from '../../../shared/store/fs.ts';
import { jpeg, movableClock, recordingClient } from '../../helpers/oss-events.ts';

const LIMITS = { maxBytes: 15 * 1024 * 1024, maxPixels: 50_000_000 };

/** A long thin JPEG: its short side passes the input check, but fitting it into 1920x1080 shrinks it to 1920x38. */
const strip = (width = 10_000, height = 200) =>
  sharp({ create: { width, height, channels: 3, background: '#888' } })
    .jpeg()
    .toBuffer();

describe('size checks on the photo that will be sent', () => {
  it('refuses a 10000x200 JPEG with photo_too_small because it would be sent as 1920x38', async () => {
    const err = await normalisePhoto(await strip(), 'ref', LIMITS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhotoError);
    expect((err as PhotoError).code).toBe('photo_too_small');
    expect((err as PhotoError).message).toContain('1920x38');
  });

  it('still accepts a long photo whose fitted size is large enough', async () => {
    const photo = await normalisePhoto(await strip(4000, 1000), 'ref', LIMITS);
    expect([photo.width, photo.height]).toEqual([1920, 480]);
  });

  it('rejects such a pair in the bucket without a paid call', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'sent-size-'));
    try {
      const store = createFsStore({ root });
      await store.put('cases/c1/ref.jpg', await strip());
      await store.put('cases/c1/auth.jpg', await jpeg(2));
      const { client, calls } = recordingClient();
      const loc = { prefix: 'cases', caseId: 'c1' };
      await processCase(
        {
          store,
          client,
          clock: movableClock(Date.parse('2026-03-10T10:00:00Z')),
          logger: silentLogger,
          settings: { ...DEFAULT_CASE_SETTINGS, defaultResourceCode: '11111111' },
        },
        loc,
      );
      expect(calls).toHaveLength(0);
      expect(await readResult(store, loc)).toMatchObject({
        status: 'rejected',
        error: { code: 'photo_too_small' },
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
