import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cronExpression, fc3PropsSchema, triggerSchema } from '../../../scripts/deploy/fc3-schema.ts';
import { resolveSYaml, SYamlError } from '../../../scripts/deploy/s-yaml.ts';

const baseProps = {
  region: 'ap-southeast-1',
  functionName: 'idv-verify-http',
  runtime: 'nodejs20',
  code: './dist/verify-http',
  handler: 'index.handler',
  memorySize: 512,
  timeout: 30,
  role: 'acs:ram::123:role/fc-idv-role',
};

describe('fc3PropsSchema', () => {
  it('accepts the props we use', () => {
    expect(fc3PropsSchema.safeParse(baseProps).success).toBe(true);
  });

  it('accepts reserved concurrency and a provisioned target', () => {
    const props = {
      ...baseProps,
      concurrencyConfig: { reservedConcurrency: 10 },
      provisionConfig: { defaultTarget: 2, alwaysAllocateCPU: true },
    };
    expect(fc3PropsSchema.safeParse(props).success).toBe(true);
  });

  it.each([
    ['a misspelt key', { ...baseProps, memorysize: 512 }],
    ['instanceConcurrency (custom runtimes only on FC 3.0)', { ...baseProps, instanceConcurrency: 4 }],
    ['another runtime', { ...baseProps, runtime: 'nodejs18' }],
    ['an unknown region', { ...baseProps, region: 'mars-north-1' }],
    ['memory that is not a multiple of 64', { ...baseProps, memorySize: 500 }],
    ['a function name starting with a digit', { ...baseProps, functionName: '1fn' }],
    ['a handler without export', { ...baseProps, handler: 'index' }],
    ['a role that is not an ARN', { ...baseProps, role: 'fc-idv-role' }],
    ['a reserved concurrency of 0', { ...baseProps, concurrencyConfig: { reservedConcurrency: 0 } }],
    [
      'a reserved concurrency as a string',
      { ...baseProps, concurrencyConfig: { reservedConcurrency: '10' } },
    ],
    ['a misspelt concurrency key', { ...baseProps, concurrencyConfig: { reservedConcurency: 10 } }],
  ])('rejects %s', (_label, props) => {
    expect(fc3PropsSchema.safeParse(props).success).toBe(false);
  });
});

describe('triggerSchema', () => {
  it('rejects an http trigger with an unknown authType', () => {
    const t = {
      triggerName: 'http',
      triggerType: 'http',
      triggerConfig: { authType: 'apikey', methods: ['GET'] },
    };
    expect(triggerSchema.safeParse(t).success).toBe(false);
  });

  it('rejects an oss trigger without sourceArn or filter', () => {
    const t = {
      triggerName: 'oss',
      triggerType: 'oss',
      invocationRole: 'acs:ram::1:role/r',
      triggerConfig: { events: ['oss:ObjectCreated:PutObject'] },
    };
    expect(triggerSchema.safeParse(t).success).toBe(false);
  });

  it('rejects an oss event name fc3 does not know', () => {
    const t = {
      triggerName: 'oss',
      triggerType: 'oss',
      sourceArn: 'acs:oss:cn-hangzhou:1:bucket-a',
      invocationRole: 'acs:ram::1:role/r',
      triggerConfig: {
        events: ['ObjectCreated:PutObject'],
        filter: { key: { prefix: 'a/', suffix: '.jpg' } },
      },
    };
    expect(triggerSchema.safeParse(t).success).toBe(false);
  });

  it('rejects a timer whose payload is not a string', () => {
    const t = {
      triggerName: 't',
      triggerType: 'timer',
      triggerConfig: { cronExpression: '0 0 * * * *', enable: true, payload: { a: 1 } },
    };
    expect(triggerSchema.safeParse(t).success).toBe(false);
  });
});

describe('cronExpression', () => {
  it('accepts exactly six fields, or @every', () => {
    const field = fc.constantFrom('0', '*', '*/15', '1-5', '?');
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 8 }), (fields) => {
        expect(cronExpression.safeParse(fields.join(' ')).success).toBe(fields.length === 6);
      }),
    );
    expect(cronExpression.safeParse('@every 15m').success).toBe(true);
  });
});

/** An s.yaml expression (`${...}`), spelt without a template-literal look-alike. */
const expr = (inner: string) => `$\{${inner}}`;

describe('resolveSYaml', () => {
  const minimal = (region: string) => `edition: 3.0.0
name: t
access: default
vars:
  region: ${region}
resources:
  f:
    component: fc3
    props:
      region: \${vars.region}
      functionName: f
      runtime: nodejs20
      code: ./dist/f
      handler: index.handler
      memorySize: 128
      timeout: 3
      role: acs:ram::\${config('AccountID')}:role/r
`;

  it('substitutes vars, env and config', () => {
    const doc = resolveSYaml(minimal(expr("env('R', 'cn-hangzhou')")), {
      env: { R: 'eu-west-1' },
      config: { AccountID: '42' },
    });
    expect(doc.resources.f?.props.region).toBe('eu-west-1');
    expect(doc.resources.f?.props.role).toBe('acs:ram::42:role/r');
  });

  it('only ever throws SYamlError, whatever the environment holds', () => {
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: undefined }), fc.string(), (region, account) => {
        try {
          resolveSYaml(minimal(expr("env('R')")), { env: { R: region }, config: { AccountID: account } });
        } catch (err) {
          expect(err).toBeInstanceOf(SYamlError);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('rejects an expression it cannot evaluate', () => {
    expect(() => resolveSYaml(minimal(expr('path("x")')), { env: {}, config: { AccountID: '1' } })).toThrow(
      /unsupported expression/,
    );
  });
});
