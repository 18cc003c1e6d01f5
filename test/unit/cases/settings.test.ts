import { describe, expect, it } from 'vitest';
import { caseSettingsSchema, DEFAULT_CASE_SETTINGS } from '../../../shared/cases/settings.ts';
import { ConfigError, loadBucketConfig } from '../../../shared/config.ts';

describe('loadBucketConfig', () => {
  it('defaults to the local folder store and the documented settings', () => {
    const config = loadBucketConfig({});
    expect(config.store).toMatchObject({ kind: 'fs', dir: './bucket' });
    expect(config.settings).toEqual({ ...DEFAULT_CASE_SETTINGS, defaultResourceCode: undefined });
    expect(caseSettingsSchema.safeParse(config.settings).success).toBe(true);
  });

  it('uses OSS when a bucket is configured, with the S3-compatible endpoint of the region', () => {
    const config = loadBucketConfig({ IDV_BUCKET: 'my-cases', OSS_REGION: 'ap-southeast-1' });
    expect(config.store).toMatchObject({ kind: 'oss', bucket: 'my-cases', region: 'ap-southeast-1' });
    expect(config.store.endpointFor('ap-southeast-1')).toBe('https://s3.oss-ap-southeast-1.aliyuncs.com');
    expect(loadBucketConfig({ IDV_OSS_ENDPOINT: 'http://127.0.0.1:9000' }).store.endpointFor('x')).toBe(
      'http://127.0.0.1:9000',
    );
  });

  it('reads every setting', () => {
    const { settings } = loadBucketConfig({
      IDV_PREFIX: 'in/2026',
      IDV_RESOURCE_CODE: '00840000',
      IDV_CLAIM_LEASE_MS: '30000',
      IDV_RETRY_BASE_MS: '1000',
      IDV_RETRY_MAX_MS: '5000',
      IDV_MAX_ATTEMPTS: '3',
      IDV_QUOTA_RESET_UTC_OFFSET_MINUTES: '480',
      IDV_DELETE_PHOTOS_AFTER_VERDICT: 'true',
      IDV_MAX_PHOTO_BYTES: '2048',
      IDV_MAX_PHOTO_PIXELS: '1000000',
    });
    expect(settings).toEqual({
      maxUncertainRetries: 1,
      prefix: 'in/2026',
      defaultResourceCode: '00840000',
      leaseMs: 30000,
      retryBaseMs: 1000,
      retryMaxMs: 5000,
      maxAttempts: 3,
      quotaResetUtcOffsetMinutes: 480,
      deletePhotosAfterVerdict: true,
      maxPhotoBytes: 2048,
      maxPhotoPixels: 1000000,
    });
  });

  it.each([
    ['IDV_PREFIX', '/abs'],
    ['IDV_PREFIX', 'a/../b'],
    ['IDV_STORE', 's3'],
    ['IDV_CLAIM_LEASE_MS', '5'],
    ['IDV_DELETE_PHOTOS_AFTER_VERDICT', 'yes please'],
    ['IDV_BUCKET', 'Not_A_Bucket'],
    ['IDV_QUOTA_RESET_UTC_OFFSET_MINUTES', '9999'],
  ])('fails fast naming %s when it is %j', (variable, value) => {
    const err = (() => {
      try {
        loadBucketConfig({ [variable]: value });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(variable);
    expect((err as ConfigError).message).not.toContain(value);
  });
});
