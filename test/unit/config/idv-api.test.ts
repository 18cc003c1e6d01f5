import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadBucketConfig,
  loadIdvConfig,
  UNUSED_RESOURCE_CODE,
} from '../../../shared/config.ts';
import { defaultEndpoint, UPSTREAM_APIS } from '../../../shared/idv/apis.ts';

describe('loadIdvConfig: IDV_API', () => {
  it('defaults to the seed API and its endpoint', () => {
    expect(loadIdvConfig({})).toMatchObject({
      api: 'intl_face_verify',
      endpoint: 'https://saf.ap-southeast-1.aliyuncs.com',
      resourceCode: undefined,
      defaultResourceCode: undefined,
    });
  });

  it('selects FaceCompare on the public Cloudauth-intl endpoint outside Function Compute', () => {
    expect(loadIdvConfig({ IDV_API: 'face_compare' })).toMatchObject({
      api: 'face_compare',
      endpoint: 'https://cloudauth-intl.ap-southeast-1.aliyuncs.com',
    });
    expect(loadIdvConfig({ IDV_API: 'face_compare_v2', IDV_REGION: 'cn-hongkong' }).endpoint).toBe(
      'https://cloudauth-intl.cn-hongkong.aliyuncs.com',
    );
  });

  it('uses the same-region VPC endpoint inside Function Compute', () => {
    expect(loadIdvConfig({ IDV_API: 'face_compare', FC_REGION: 'ap-southeast-5' }).endpoint).toBe(
      'https://cloudauth-intl-vpc.ap-southeast-5.aliyuncs.com',
    );
  });

  it('uses the public endpoint from a Function Compute region the API does not serve, or another region', () => {
    expect(loadIdvConfig({ IDV_API: 'face_compare', FC_REGION: 'cn-shanghai' }).endpoint).toBe(
      'https://cloudauth-intl.ap-southeast-1.aliyuncs.com',
    );
    expect(
      loadIdvConfig({ IDV_API: 'face_compare', FC_REGION: 'ap-southeast-1', IDV_REGION: 'cn-hongkong' })
        .endpoint,
    ).toBe('https://cloudauth-intl.cn-hongkong.aliyuncs.com');
  });

  it('lets IDV_ENDPOINT override every default', () => {
    const env = { IDV_API: 'face_compare', FC_REGION: 'ap-southeast-1', IDV_ENDPOINT: 'http://127.0.0.1:1' };
    expect(loadIdvConfig(env).endpoint).toBe('http://127.0.0.1:1');
  });

  it('refuses an unknown API, naming the variable', () => {
    expect(() => loadIdvConfig({ IDV_API: 'ExecuteRequest' })).toThrow(ConfigError);
    expect(() => loadIdvConfig({ IDV_API: 'ExecuteRequest' })).toThrow(/^IDV_API:/);
  });

  it('needs no resourceCode for FaceCompare (both doors record it as unused)', () => {
    expect(loadIdvConfig({ IDV_API: 'face_compare' }).defaultResourceCode).toBe(UNUSED_RESOURCE_CODE);
    expect(loadBucketConfig({ IDV_API: 'face_compare' }).settings.defaultResourceCode).toBe(
      UNUSED_RESOURCE_CODE,
    );
    expect(
      loadIdvConfig({ IDV_API: 'face_compare', IDV_RESOURCE_CODE: '00840000' }).defaultResourceCode,
    ).toBe('00840000');
  });
});

describe('UPSTREAM_APIS', () => {
  it('builds the seed request unchanged', () => {
    const params = UPSTREAM_APIS.intl_face_verify.params({
      refFaceContent: 'AAAA',
      authFaceContent: 'BBBB',
      resourceCode: '00840000',
    });
    expect(params).toEqual({
      Service: 'intl_face_verify',
      ServiceParameters: '{"refFaceContent":"AAAA","authFaceContent":"BBBB","resourceCode":"00840000"}',
    });
    expect(JSON.parse(params.ServiceParameters ?? '')).toEqual({
      refFaceContent: 'AAAA',
      authFaceContent: 'BBBB',
      resourceCode: '00840000',
    });
  });

  it('builds the FaceCompare request of the generated SDK: ID photo as source, face photo as target', () => {
    const api = UPSTREAM_APIS.face_compare;
    expect([api.action, api.version]).toEqual(['FaceCompare', '2022-08-09']);
    expect(UPSTREAM_APIS.face_compare_v2.action).toBe('FaceCompareV2');
    const params = api.params({ refFaceContent: 'AAAA', authFaceContent: 'BBBB', resourceCode: 'unused' });
    expect(params).toMatchObject({ SourceFacePicture: 'AAAA', TargetFacePicture: 'BBBB' });
    expect(params.MerchantBizId).toMatch(/^[0-9a-f]{32}$/);
    expect(Object.keys(params).sort()).toEqual(['MerchantBizId', 'SourceFacePicture', 'TargetFacePicture']);
  });

  it('defaultEndpoint keeps saf public', () => {
    expect(defaultEndpoint('intl_face_verify', { fcRegion: 'ap-southeast-1' })).toBe(
      'https://saf.ap-southeast-1.aliyuncs.com',
    );
  });
});
