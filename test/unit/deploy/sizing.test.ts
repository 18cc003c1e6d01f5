import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveSYaml, SYamlError } from '../../../scripts/deploy/s-yaml.ts';
import {
  backlogSecondsFor,
  largestBacklogFor,
  reservedConcurrencyFor,
  sizing,
} from '../../../scripts/deploy/sizing.ts';

describe('reservedConcurrencyFor', () => {
  it('is ceil(QPS x p50 in seconds) + 2', () => {
    expect(reservedConcurrencyFor(10, 800)).toBe(10);
    expect(reservedConcurrencyFor(10, 850)).toBe(11);
    expect(reservedConcurrencyFor(3, 1200)).toBe(6);
    expect(reservedConcurrencyFor(50, 400)).toBe(22);
  });

  it('always gives at least QPS x p50 instances (enough to keep the upstream at its limit)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 20_000 }), (qps, p50) => {
        const c = reservedConcurrencyFor(qps, p50);
        expect(c).toBeGreaterThanOrEqual((qps * p50) / 1000);
        expect(c).toBeLessThanOrEqual((qps * p50) / 1000 + 3);
      }),
      { seed: 17 },
    );
  });
});

describe('sizing of the event age', () => {
  it('needs pairs / QPS x 1.5 seconds', () => {
    expect(backlogSecondsFor(100_000, 10)).toBe(15_000);
    expect(largestBacklogFor(86_400, 10)).toBe(576_000);
  });

  it("says when a backlog cannot drain within FC's longest event age", () => {
    expect(sizing(10, 800, 100_000)).toEqual({
      reservedConcurrency: 10,
      neededEventAgeS: 15_000,
      backlogFits: true,
    });
    expect(sizing(3, 800, 200_000).backlogFits).toBe(false);
  });
});

const RESERVED_FROM_VAR = [
  '      concurrencyConfig:',
  `        reservedConcurrency: $\{env.init('vars.n')}`,
].join('\n');

describe('s.yaml expressions for numbers', () => {
  const yaml = (props: string) => `edition: 3.0.0
name: t
access: default
vars:
  n: \${env('N', 10)}
resources:
  a:
    component: fc3
    props:
      region: ap-southeast-1
      functionName: a
      runtime: nodejs20
      code: ./dist/a
      handler: index.handler
      memorySize: 512
      timeout: 60
      role: acs:ram::1:role/r
${props}`;

  it('keeps a numeric default as a number and parses a set variable with env.init (as s does)', () => {
    const text = yaml(RESERVED_FROM_VAR);
    const unset = resolveSYaml(text, { env: {}, config: {} });
    expect(unset.resources.a?.props.concurrencyConfig?.reservedConcurrency).toBe(10);
    const set = resolveSYaml(text, { env: { N: '14' }, config: {} });
    expect(set.resources.a?.props.concurrencyConfig?.reservedConcurrency).toBe(14);
  });

  it('fails when the reserved concurrency from the environment is not a number', () => {
    const text = yaml(RESERVED_FROM_VAR);
    expect(() => resolveSYaml(text, { env: { N: 'many' }, config: {} })).toThrow(SYamlError);
  });
});
