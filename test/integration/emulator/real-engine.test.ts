/**
 * The signed client -> emulator -> the real on-device face engine, with real photos (face-api's demo group
 * photos and human's screenshots, shipped in node_modules).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../local/emulator/server.ts';
import { createFaceEngine } from '../../../local/engine/engine.ts';
import type { FaceEngine } from '../../../local/engine/types.ts';
import { createIdvClient } from '../../../shared/idv/client.ts';
import type { IdvClient } from '../../../shared/idv/types.ts';
import { differentPeople, faceCrop, notAFace, samePersonPair } from '../../helpers/photos.ts';
import { testKey } from './helpers.ts';

const key = testKey();
let engine: FaceEngine;
let emulator: Emulator;
let client: IdvClient;

beforeAll(async () => {
  engine = await createFaceEngine();
  emulator = await startEmulator({ engine, keys: [key] });
  client = createIdvClient({
    endpoint: emulator.url,
    credentials: () => key,
    timeoutMs: 60_000,
    retry: { maxAttempts: 1 },
  });
});
afterAll(async () => {
  await emulator?.close();
  await engine?.close();
});

const pair = (ref: Buffer, auth: Buffer) => ({
  refFaceContent: ref.toString('base64'),
  authFaceContent: auth.toString('base64'),
  resourceCode: '00840000',
});

describe('emulator with the real face engine', () => {
  it('passes two different photos of the same person', async () => {
    const [ref, auth] = await samePersonPair();
    const verdict = await client.verify(pair(ref, auth));
    expect(verdict).toMatchObject({ passed: true, result: true, faceAttack: false, retCode: 'OK_SUCCESS' });
  });

  it('fails photos of two different people', async () => {
    const [ref, auth] = await differentPeople();
    const verdict = await client.verify(pair(ref, auth));
    expect(verdict).toMatchObject({ passed: false, result: false, retCode: 'OK_SUCCESS' });
    expect(verdict.score).toBeLessThan(60);
  });

  // The engine's own tests cover how robust replay detection is (re-encoded, cropped, ... copies); here the
  // point is the emulator's answer to an attack: result "false", faceAttack "true", sub-code Z9002.
  it('reports the reference photo sent again as the face photo as a face attack', async () => {
    const ref = await faceCrop(1);
    const verdict = await client.verify(pair(ref, ref));
    expect(verdict).toMatchObject({ faceAttack: true, result: false, retCodeSub: 'Z9002' });
  });

  it('answers a photo without a face with UNABLE_GET_IMAGE', async () => {
    const err = await client.verify(pair(await faceCrop(2), await notAFace())).catch((e) => e);
    expect(err).toMatchObject({ code: 'UnableGetImage' });
    expect(emulator.stats().byOutcome.unableGetImage).toBe(1);
  });
});
