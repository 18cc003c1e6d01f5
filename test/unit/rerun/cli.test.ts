import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../local/cli/args.ts';
import { parseCliArgs } from '../../../local/rerun-cli/args.ts';
import { caseLine, exitCodeOf, summaryTable } from '../../../local/rerun-cli/report.ts';
import { emptyCounts } from '../../../shared/rerun/counts.ts';
import type { RerunReport } from '../../../shared/rerun/run.ts';

describe('rerun CLI arguments', () => {
  it('reads every option and drops a trailing / from the prefix', () => {
    expect(
      parseCliArgs([
        '--prefix',
        'cases/',
        '--force',
        '--dry-run',
        '--concurrency',
        '8',
        '--limit',
        '5',
        '--bucket-dir',
        'b',
      ]),
    ).toMatchObject({
      prefix: 'cases',
      force: true,
      'dry-run': true,
      concurrency: 8,
      limit: 5,
      'bucket-dir': 'b',
    });
    expect(parseCliArgs(['--bucket', 'my-bucket', '--region', 'ap-southeast-1'])).toMatchObject({
      bucket: 'my-bucket',
      region: 'ap-southeast-1',
      force: false,
    });
  });

  it.each([
    [['--concurrency', '0'], '--concurrency'],
    [['--concurrency', '65'], '--concurrency'],
    [['--concurrency', 'many'], '--concurrency'],
    [['--bucket', 'b-1'], '--region'],
    [['--bucket', 'my-bucket', '--region', 'r', '--bucket-dir', 'x'], '--bucket-dir'],
    [['--prefix', '../up'], 'prefix'],
    [['--nope'], 'nope'],
    [['stray'], 'stray'],
  ])('refuses %j naming the problem', (argv, mention) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(mention);
  });
});

describe('rerun CLI output', () => {
  const report = (
    more: Partial<RerunReport['counts']> = {},
    extra: Partial<RerunReport> = {},
  ): RerunReport => ({
    counts: { ...emptyCounts(), ...more },
    stopReason: 'complete',
    failedCases: [],
    durationMs: 12,
    ...extra,
  });

  it('prints a table of the counts', () => {
    const table = summaryTable(
      report({ scanned: 120, due: 7, verified: 5, failed: 2 }, { failedCases: ['a', 'b'] }),
      false,
    );
    expect(table).toMatch(/\| cases scanned \| 120 \|/);
    expect(table).toMatch(/\| failed +\| +2 \|/);
    expect(table).toContain('Failed or not processed: a, b');
  });

  it('never tells a forced run stopped at --limit to simply run again (it would pay for the same cases)', () => {
    const stopped = report({ verified: 2, remaining: 3 }, { stopReason: 'limit' });
    expect(summaryTable(stopped, false)).toContain('run it again to take them');
    const forced = summaryTable(stopped, false, true);
    expect(forced).not.toContain('run it again to take them');
    expect(forced).toContain('pays again for the same cases');
  });

  it('exits 1 only when cases failed or could not be processed', () => {
    expect(exitCodeOf(report({ verified: 3, retrying: 2 }))).toBe(0);
    expect(exitCodeOf(report({ failed: 1 }))).toBe(1);
    expect(exitCodeOf(report({ errors: 1 }))).toBe(1);
  });

  it('prints a line per case that did something, none for skipped ones', () => {
    expect(caseLine({ caseId: 'a', decision: { action: 'skip', reason: 'final' } }, false)).toBeUndefined();
    expect(caseLine({ caseId: 'a', decision: { action: 'due', reason: 'no-result' } }, true)).toBe(
      'a  due (no-result)',
    );
    expect(
      caseLine(
        {
          caseId: 'a',
          decision: { action: 'due', reason: 'retry-due' },
          outcome: { kind: 'written', status: 'retrying', errorCode: 'QuotaExceeded', upstreamCalled: true },
        },
        false,
      ),
    ).toBe('a  retry-due -> retrying (QuotaExceeded)');
  });
});
