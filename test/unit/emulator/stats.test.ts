import { describe, expect, it } from 'vitest';
import { createStats } from '../../../local/emulator/stats.ts';

describe('emulator stats', () => {
  it('counts keys and actions named like Object.prototype members as plain names, and snapshots them', () => {
    const stats = createStats();
    for (const name of ['valueOf', '__proto__', 'constructor', 'toString', '__proto__']) {
      stats.started();
      stats.paid(name);
      stats.finished(name, name, name);
    }
    const snapshot = stats.snapshot();
    expect(snapshot.paidCalls).toBe(5);
    expect(Object.entries(snapshot.paidByKey).sort()).toEqual([
      ['__proto__', 2],
      ['constructor', 1],
      ['toString', 1],
      ['valueOf', 1],
    ]);
    expect(Object.entries(Object.getOwnPropertyDescriptor(snapshot.byKey, '__proto__')?.value)).toEqual([
      ['__proto__', 2],
    ]);
    expect(Object.entries(snapshot.byAction.valueOf ?? {})).toEqual([['valueOf', 1]]);
    expect(Object.entries(snapshot.byOutcome).length).toBe(4);
    expect(snapshot.inFlight).toBe(0);
    expect(JSON.parse(JSON.stringify(snapshot)).byKey.constructor).toEqual({ constructor: 1 });
  });
});
