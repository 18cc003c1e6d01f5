import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadCredentialsConfig,
  loadHttpConfig,
  loadIdvConfig,
  loadLocalConfig,
  sha256HexOf,
} from '../../../shared/config.ts';

const HASH = sha256HexOf('k'.repeat(32));

function failure(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadIdvConfig', () => {
  it('defaults to the Singapore endpoint and a 10 s timeout when nothing is set', () => {
    expect(loadIdvConfig({})).toMatchObject({
      endpoint: 'https://saf.ap-southeast-1.aliyuncs.com',
      timeoutMs: 10_000,
      endpointFromEnv: false,
    });
  });

  it('names IDV_ENDPOINT when it is not an http(s) URL', () => {
    expect(failure(() => loadIdvConfig({ IDV_ENDPOINT: 'ftp://x' })).variable).toBe('IDV_ENDPOINT');
  });

  it('names IDV_RESOURCE_CODE when it is not 8 digits', () => {
    expect(failure(() => loadIdvConfig({ IDV_RESOURCE_CODE: '123' })).variable).toBe('IDV_RESOURCE_CODE');
  });

  it('treats an empty variable as unset', () => {
    expect(loadIdvConfig({ IDV_TIMEOUT_MS: '' }).timeoutMs).toBe(10_000);
  });
});

describe('loadHttpConfig', () => {
  it('accepts comma-separated SHA-256 hashes, lower-cased', () => {
    const cfg = loadHttpConfig({ IDV_API_KEYS: ` ${HASH.toUpperCase()} , ${'a'.repeat(64)}` });
    expect(cfg.apiKeyHashes).toEqual([HASH, 'a'.repeat(64)]);
  });

  it('hashes a plain IDV_API_KEY', () => {
    expect(loadHttpConfig({ IDV_API_KEY: 'k'.repeat(32) }).apiKeyHashes).toEqual([HASH]);
  });

  it('fails naming IDV_API_KEYS when no key is configured at all', () => {
    expect(failure(() => loadHttpConfig({})).variable).toBe('IDV_API_KEYS');
  });

  it('fails naming IDV_API_KEYS when an entry is not a hash, without echoing it', () => {
    const err = failure(() => loadHttpConfig({ IDV_API_KEYS: 'my-plain-secret-key' }));
    expect(err.variable).toBe('IDV_API_KEYS');
    expect(err.message).not.toContain('my-plain-secret-key');
  });

  it('names IDV_MAX_PHOTO_BYTES when it is not a number', () => {
    expect(
      failure(() => loadHttpConfig({ IDV_API_KEY: 'k'.repeat(32), IDV_MAX_PHOTO_BYTES: 'lots' })).variable,
    ).toBe('IDV_MAX_PHOTO_BYTES');
  });
});

describe('loadCredentialsConfig', () => {
  it('returns nothing when no key is set', () => {
    expect(loadCredentialsConfig({})).toBeUndefined();
  });

  it('returns the key pair and the STS token', () => {
    expect(
      loadCredentialsConfig({
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'id',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret',
        ALIBABA_CLOUD_SECURITY_TOKEN: 'tok',
      }),
    ).toEqual({ accessKeyId: 'id', accessKeySecret: 'secret', securityToken: 'tok' });
  });

  it('fails when only half of the pair is set', () => {
    expect(failure(() => loadCredentialsConfig({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'id' })).variable).toBe(
      'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    );
  });
});

describe('loadLocalConfig', () => {
  it('defaults PORT to 9000 and accepts 0 for an OS-chosen port', () => {
    expect(loadLocalConfig({}).port).toBe(9000);
    expect(loadLocalConfig({ PORT: '0' }).port).toBe(0);
  });

  it('names PORT when it is out of range', () => {
    expect(failure(() => loadLocalConfig({ PORT: '70000' })).variable).toBe('PORT');
  });
});
