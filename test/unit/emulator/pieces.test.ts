import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFaultState } from '../../../local/emulator/faults.ts';
import { createNonceStore } from '../../../local/emulator/nonces.ts';
import { createQuota } from '../../../local/emulator/quota.ts';
import { createResourceCodeCheck, DEFAULT_RESOURCE_CODES } from '../../../local/emulator/resource-codes.ts';
import { decodePhoto, MISSING_FIELDS_MESSAGE, validateService } from '../../../local/emulator/service.ts';
import { loadEmulatorSettings } from '../../../local/emulator/settings.ts';
import { ConfigError } from '../../../shared/config.ts';

const movableClock = (startMs = Date.UTC(2026, 0, 1, 23, 59)) => {
  let nowMs = startMs;
  return { nowMs: () => nowMs, advance: (ms: number) => (nowMs += ms) };
};

describe('createFaultState', () => {
  it('spends counts first: hang, throttle, systemError, processing', () => {
    const f = createFaultState({
      hang: { count: 1 },
      throttle: { count: 1 },
      systemError: { count: 2 },
      processing: { count: 1 },
    });
    expect([f.next(), f.next(), f.next(), f.next(), f.next(), f.next()]).toEqual([
      'hang',
      'throttle',
      'systemError',
      'systemError',
      'processing',
      undefined,
    ]);
  });

  it('fires a share when the random draw is below it', () => {
    const draws = [0.2, 0.6];
    const f = createFaultState({ processing: { share: 0.5 } }, () => draws.shift() ?? 1);
    expect([f.next(), f.next()]).toEqual(['processing', undefined]);
  });

  it('fires nothing by default and resolves defaults', () => {
    const f = createFaultState();
    expect(f.next()).toBeUndefined();
    expect(f.config).toEqual({ latencyMs: 0, instant: false });
  });
});

describe('createNonceStore', () => {
  it('refuses a nonce seen for the same key until it expires', () => {
    const clock = movableClock();
    const store = createNonceStore(clock, 1000);
    expect(store.claim('ak', 'n1')).toBe(true);
    expect(store.claim('ak', 'n1')).toBe(false);
    expect(store.claim('other', 'n1')).toBe(true);
    clock.advance(1001);
    expect(store.claim('ak', 'n1')).toBe(true);
  });

  it('forgets expired nonces so memory stays bounded', () => {
    const clock = movableClock();
    const store = createNonceStore(clock, 10);
    for (let i = 0; i < 2500; i++) {
      store.claim('ak', `n${i}`);
      clock.advance(1);
    }
    expect(store.size).toBeLessThan(1100);
  });
});

describe('createQuota', () => {
  it('allows dailyQuota calls per UTC day, then refuses until the next day', () => {
    const clock = movableClock();
    const quota = createQuota(clock);
    expect([quota.take('ak', 2), quota.take('ak', 2), quota.take('ak', 2)]).toEqual([true, true, false]);
    expect(quota.take('other', 2)).toBe(true);
    clock.advance(60_000); // past midnight UTC
    expect(quota.take('ak', 2)).toBe(true);
  });

  it('is unlimited without a quota and closed with a quota of 0', () => {
    const quota = createQuota(movableClock());
    expect(quota.take('ak', undefined)).toBe(true);
    expect(quota.take('zero', 0)).toBe(false);
  });
});

describe('createResourceCodeCheck', () => {
  it('knows the documented example and refuses other or malformed codes', () => {
    const known = createResourceCodeCheck();
    expect(known('00840000')).toBe(true);
    expect(Object.keys(DEFAULT_RESOURCE_CODES).every(known)).toBe(true);
    expect(known('12345678')).toBe(false);
    expect(known('0084000')).toBe(false);
    expect(createResourceCodeCheck(['11111111'])('11111111')).toBe(true);
    expect(createResourceCodeCheck(['abc'])('abc')).toBe(false);
  });
});

describe('validateService', () => {
  const known = createResourceCodeCheck();
  const params = (sp: unknown) => ({ Service: 'intl_face_verify', ServiceParameters: JSON.stringify(sp) });

  it('returns the photos of a complete request', () => {
    const photos = { refFaceContent: 'AA==', authFaceContent: 'AA==', resourceCode: '00840000' };
    expect(validateService(params({ ...photos, extra: 1 }), 'R', known)).toEqual(photos);
  });

  it('answers anything else with a documented code, never throwing (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string()), (raw) => {
        const reply = validateService(raw, 'R', known);
        if ('status' in reply) expect([400, 404, 500]).toContain(reply.status);
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (sp) => {
        const reply = validateService(params(sp), 'R', known);
        if ('status' in reply && reply.status === 400)
          expect(reply.body.Message).toBe(MISSING_FIELDS_MESSAGE);
      }),
    );
  });
});

describe('decodePhoto', () => {
  it('decodes strict base64 and refuses prefixes, line breaks and garbage', () => {
    expect(decodePhoto(Buffer.from('hello').toString('base64'))?.toString()).toBe('hello');
    expect(decodePhoto('data:image/jpeg;base64,AAAA')).toBeUndefined();
    expect(decodePhoto('AAAA\r\nAAAA')).toBeUndefined();
    expect(decodePhoto('')).toBeUndefined();
    expect(decodePhoto('A')).toBeUndefined();
  });

  it('round-trips arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        expect(decodePhoto(Buffer.from(bytes).toString('base64'))).toEqual(Buffer.from(bytes));
      }),
    );
  });
});

describe('loadEmulatorSettings', () => {
  it('generates a key pair when none is configured', () => {
    const a = loadEmulatorSettings({});
    const b = loadEmulatorSettings({});
    expect(a.generatedKey).toBe(true);
    expect(a.key.accessKeySecret).not.toBe(b.key.accessKeySecret);
    expect(a.key.accessKeySecret.length).toBeGreaterThanOrEqual(20);
    expect(a.port).toBe(8787);
  });

  it('reads every IDV_EMULATOR_* variable', () => {
    const s = loadEmulatorSettings({
      IDV_EMULATOR_PORT: '0',
      IDV_EMULATOR_HOST: '0.0.0.0',
      IDV_EMULATOR_ACCESS_KEY_ID: 'LTAIlocal',
      IDV_EMULATOR_ACCESS_KEY_SECRET: 'local-secret',
      IDV_EMULATOR_SECURITY_TOKEN: 'tok',
      IDV_EMULATOR_DAILY_QUOTA: '5',
      IDV_EMULATOR_RESOURCE_CODES: '00840000, 11111111',
      IDV_EMULATOR_FAULTS: '{"latencyMs":10,"processing":{"share":0.1}}',
    });
    expect(s).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      generatedKey: false,
      key: { accessKeyId: 'LTAIlocal', accessKeySecret: 'local-secret', securityToken: 'tok', dailyQuota: 5 },
      resourceCodes: ['00840000', '11111111'],
      faults: { latencyMs: 10, processing: { share: 0.1 } },
    });
  });

  it.each([
    ['IDV_EMULATOR_PORT', 'not-a-port'],
    ['IDV_EMULATOR_ACCESS_KEY_SECRET', 'shrt'],
    ['IDV_EMULATOR_RESOURCE_CODES', '123'],
    ['IDV_EMULATOR_FAULTS', '{nope'],
    ['IDV_EMULATOR_FAULTS', '{"latencyMs":-1}'],
    // A misspelt fault would inject nothing and let a fault test pass without its fault.
    ['IDV_EMULATOR_FAULTS', '{"sytemError":{"count":2}}'],
    ['IDV_EMULATOR_FAULTS', '{"systemError":{"cont":2}}'],
  ])('fails fast naming %s for a bad value (%s)', (variable, value) => {
    try {
      loadEmulatorSettings({ [variable]: value });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe(variable);
      expect((err as Error).message).not.toContain(value);
    }
  });
});
