import { describe, expect, it } from 'vitest';
import { terminalLogLine } from '../../../local/rerun-cli/log-line.ts';
import { type Bar, createProgress } from '../../../local/rerun-cli/progress.ts';

function recordingBar() {
  const calls: string[] = [];
  const bar: Bar = {
    start: (total, value) => calls.push(`start ${value}/${total}`),
    setTotal: (total) => calls.push(`total ${total}`),
    update: (value) => calls.push(`update ${value}`),
    stop: () => calls.push('stop'),
  };
  return { bar, calls };
}

describe('rerun CLI progress bar', () => {
  it('starts empty (0 of the first case seen), never at 0/0, and grows its total as cases are listed', () => {
    const { bar, calls } = recordingBar();
    const p = createProgress(bar, {});
    p.onScan();
    p.onScan();
    p.onCase();
    p.stop();
    expect(calls).toEqual(['start 0/1', 'total 2', 'update 1', 'stop']);
  });

  it('draws nothing when no case is seen', () => {
    const { bar, calls } = recordingBar();
    createProgress(bar, {}).stop();
    expect(calls).toEqual([]);
  });
});

describe('rerun CLI log lines', () => {
  const line = JSON.stringify({
    level: 'error',
    msg: 'listing the prefix failed',
    err: { name: 'StoreError', message: 'm', stack: 'StoreError: m\n    at x', cause: { stack: 'y' } },
  });

  it('drops stack traces, keeping the error name and message', () => {
    const out = JSON.parse(terminalLogLine(line, false));
    expect(out.err).toEqual({ name: 'StoreError', message: 'm', cause: {} });
  });

  it('keeps them at LOG_LEVEL=debug, and passes lines that are not JSON through', () => {
    expect(terminalLogLine(line, true)).toBe(line);
    expect(terminalLogLine('plain', false)).toBe('plain');
  });
});
