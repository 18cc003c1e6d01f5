import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { processCase, readResult } from '../../../shared/cases/process.ts';
import { DEFAULT_CASE_SETTINGS } from '../../../shared/cases/settings.ts';
import { sha256HexOf } from '../../../shared/config.ts';
import { createFcHttpHandler } from '../../../shared/fc/http-adapter.ts';
import { createHttpApp } from '../../../shared/http/app.ts';
import { parseReply } from '../../../shared/idv/reply.ts';
import { settleVerdict } from '../../../shared/idv/verdict.ts';
import { createLogger } from '../../../shared/log.ts';
import { createFsStore } from '../../../shared/store/fs.ts';
import { eventBuffer, fakeIdv, fcContext, httpEvent } from '../../helpers/http-events.ts';
import { jpeg, movableClock, recordingClient, verdictOf } from '../../helpers/oss-events.ts';
import { faceCrop } from '../../helpers/photos.ts';

const reply = (ext: { result: string; faceAttack: string }, passed: string) => ({
  Code: 200,
  Message: 'OK',
  RequestId: 'REQ-INCONSISTENT',
  Data: JSON.stringify({
    passed,
    retCode: 'OK_SUCCESS',
    retCodeSub: 'Z1140',
    retMessage: 'Facial recognition passed (Z1140)',
    extInfo: { ...ext, score: '99.0' },
  }),
});

describe('contradictory upstream verdicts', () => {
  it('decides result false and flags the verdict when passed is false but result is true', () => {
    const verdict = parseReply(reply({ result: 'true', faceAttack: 'false' }, 'false'));
    expect(verdict).toMatchObject({ result: false, passed: false, upstreamInconsistent: true });
  });

  it('decides result false and flags the verdict when faceAttack is true but result is true', () => {
    const verdict = parseReply(reply({ result: 'true', faceAttack: 'true' }, 'true'));
    expect(verdict).toMatchObject({ result: false, faceAttack: true, upstreamInconsistent: true });
  });

  it('leaves consistent verdicts unflagged whatever they say', () => {
    for (const [passed, result, faceAttack] of [
      [true, true, false],
      [false, false, false],
      [true, false, true],
      [false, false, true],
      [true, false, false],
    ] as const) {
      const settled = settleVerdict(verdictOf({ passed, result, faceAttack }));
      expect(settled.result).toBe(result);
      expect(settled.upstreamInconsistent).toBeUndefined();
    }
  });

  it('settles a verdict from any client, not only the ExecuteRequest parser', () => {
    const settled = settleVerdict(verdictOf({ passed: false, result: true }));
    expect(settleVerdict(settled)).toEqual(settled);
    expect(settled).toMatchObject({ result: false, upstreamInconsistent: true });
  });
});

describe('contradictory upstream verdicts at the doors', () => {
  let ref: Buffer;
  let face: Buffer;
  beforeAll(async () => {
    ref = await faceCrop(1);
    face = await faceCrop(2);
  });

  it('answers HTTP 200 with result false and upstreamInconsistent true, and logs the flag', async () => {
    const lines: string[] = [];
    const KEY = 'test-key-0123456789abcdef';
    const clock = { nowMs: () => Date.UTC(2026, 0, 2) };
    const app = createHttpApp({
      idv: fakeIdv({ passed: false, result: true, faceAttack: true }),
      clock,
      logger: createLogger({ write: (l) => lines.push(l) }),
      apiKeyHashes: [sha256HexOf(KEY)],
      maxPhotoBytes: 5 * 1024 * 1024,
      maxPhotoPixels: 50_000_000,
      defaultResourceCode: '12345678',
    });
    const handler = createFcHttpHandler({
      app,
      clock,
      fallbackCredentials: { accessKeyId: 'id', accessKeySecret: 'secret' },
      requestBudgetMs: 20_000,
    });
    const body = JSON.stringify({
      refFaceContent: ref.toString('base64'),
      authFaceContent: face.toString('base64'),
    });
    const answer = await handler(
      eventBuffer(
        httpEvent({
          headers: { 'Content-Type': 'application/json', authorization: `Bearer ${KEY}` },
          body,
        }),
      ),
      fcContext(),
    );
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ result: false, upstreamInconsistent: true });
    expect(lines.some((l) => JSON.parse(l).upstreamInconsistent === true)).toBe(true);
  });

  it('writes result.json with result false and upstreamInconsistent true in the bucket', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'inconsistent-'));
    try {
      const store = createFsStore({ root });
      await store.put('cases/c1/ref.jpg', await jpeg(1));
      await store.put('cases/c1/auth.jpg', await jpeg(2));
      const lines: string[] = [];
      const { client } = recordingClient(() => verdictOf({ passed: false, result: true }));
      const loc = { prefix: 'cases', caseId: 'c1' };
      await processCase(
        {
          store,
          client,
          clock: movableClock(Date.parse('2026-03-10T10:00:00Z')),
          logger: createLogger({ write: (l) => lines.push(l) }),
          settings: { ...DEFAULT_CASE_SETTINGS, defaultResourceCode: '11111111' },
        },
        loc,
      );
      const result = await readResult(store, loc);
      expect(result?.verdict).toMatchObject({ result: false, upstreamInconsistent: true });
      expect(lines.some((l) => JSON.parse(l).upstreamInconsistent === true)).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
