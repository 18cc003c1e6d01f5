/**
 * npm start's rerun timer piece: fires the rerun-batch handler on the local bucket folder against the emulator
 * (instant mode), on demand and on its schedule, and stops cleanly.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDevConfig } from '../../../local/dev/config.ts';
import { type Emulator, startEmulator } from '../../../local/emulator/server.ts';
import type { FaceEngine } from '../../../local/engine/types.ts';
import { intervalSchedule } from '../../../local/timer/schedule.ts';
import { onDemandCommand, startRerunTimer } from '../../../local/timer/timer.ts';
import { readResult } from '../../../shared/cases/process.ts';
import { createLogger } from '../../../shared/log.ts';
import { createFsStore } from '../../../shared/store/fs.ts';
import { jpeg } from '../../helpers/oss-events.ts';

const unusedEngine: FaceEngine = {
  compare: async () => {
    throw new Error('the engine is not used in instant mode');
  },
  close: async () => {},
};

describe('the local rerun timer', () => {
  const secret = randomBytes(18).toString('base64url');
  let emulator: Emulator;
  let root: string;
  const upstream = (secretOnScreen = true) => ({
    endpoint: emulator.url,
    credentials: { accessKeyId: 'timer-ak', accessKeySecret: secret },
    defaultResourceCode: '00840000',
    secretOnScreen,
  });

  beforeAll(async () => {
    emulator = await startEmulator({
      engine: unusedEngine,
      keys: [{ accessKeyId: 'timer-ak', accessKeySecret: secret }],
      faults: { instant: true },
    });
    root = await mkdtemp(path.join(tmpdir(), 'rerun-timer-'));
  });
  afterAll(async () => {
    await emulator.close();
    await rm(root, { recursive: true, force: true });
  });

  it('verifies pairs that never got a result, when fired and on its schedule', async () => {
    const store = createFsStore({ root });
    await store.put('cases/t1/ref.jpg', await jpeg(1));
    await store.put('cases/t1/auth.jpg', await jpeg(2));
    const logs: string[] = [];
    const timer = await startRerunTimer(
      loadDevConfig({ IDV_BUCKET_DIR: root, IDV_PREFIX: 'cases' }),
      upstream(),
      createLogger({ write: (l) => logs.push(l) }),
      { schedule: intervalSchedule(50) },
    );
    try {
      expect(timer.lines.join('\n')).toContain('Rerun timer');
      await timer.fire();
      expect((await readResult(store, { prefix: 'cases', caseId: 't1' }))?.status).toBe('verified');
      // A pair added later is picked up by a scheduled tick, without calling fire().
      await store.put('cases/t2/ref.jpg', await jpeg(3));
      await store.put('cases/t2/auth.jpg', await jpeg(4));
      await expect
        .poll(async () => (await readResult(store, { prefix: 'cases', caseId: 't2' }))?.status, {
          timeout: 10_000,
        })
        .toBe('verified');
    } finally {
      await timer.stop();
    }
    expect(emulator.stats().byOutcome.instant).toBe(2);
    expect(logs.some((l) => l.includes('rerun finished'))).toBe(true);
  });

  it('prints the on-demand command with the generated emulator key, and never a configured secret', () => {
    expect(onDemandCommand(upstream(), '/b')).toBe(
      `IDV_ENDPOINT=${emulator.url} ALIBABA_CLOUD_ACCESS_KEY_ID=timer-ak ALIBABA_CLOUD_ACCESS_KEY_SECRET=${secret} ` +
        'IDV_RESOURCE_CODE=00840000 npm run rerun -- --bucket-dir /b',
    );
    const configured = onDemandCommand(upstream(false), '/b');
    expect(configured).toContain('npm run rerun -- --bucket-dir /b');
    expect(configured).not.toContain(secret);
    // Pasted as it is, it reaches the same upstream (never Alibaba's paid default endpoint).
    expect(configured).toContain(`IDV_ENDPOINT=${emulator.url} ALIBABA_CLOUD_ACCESS_KEY_ID=timer-ak`);
    expect(configured).toContain("ALIBABA_CLOUD_ACCESS_KEY_SECRET='<the AccessKey secret npm start uses>'");
  });
});
