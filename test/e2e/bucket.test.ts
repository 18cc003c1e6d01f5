/**
 * The bucket door through `npm start` (node --import tsx local/dev.ts, as the script runs it): photo pairs
 * written into the watched folder get a result.json beside them, from the emulator and the real face engine.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaseResult, resultSchema } from '../../shared/cases/schemas.ts';
import { differentPeople, faceCrop, samePersonPair } from '../helpers/photos.ts';
import { UPSTREAM_MATRIX } from '../helpers/upstream-matrix.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Bounds, not expectations: on a loaded 2-core machine loading the face engine alone can take a minute.
describe.each(UPSTREAM_MATRIX)('npm start: the bucket door ($api)', { timeout: 300_000 }, (upstream) => {
  let child: ChildProcess;
  let output = '';
  let bucket: string;
  let exited: Promise<number | null>;

  const writePair = async (caseId: string, ref: Buffer, auth: Buffer) => {
    const dir = path.join(bucket, 'cases', caseId);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'ref.jpg'), ref);
    await writeFile(path.join(dir, 'auth.jpg'), auth);
  };

  const resultOf = async (caseId: string, timeoutMs = 240_000): Promise<CaseResult> => {
    const file = path.join(bucket, 'cases', caseId, 'result.json');
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      try {
        return resultSchema.parse(JSON.parse(await readFile(file, 'utf8')));
      } catch {
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    throw new Error(`no result.json for ${caseId}; npm start said:\n${output}`);
  };

  beforeAll(async () => {
    bucket = await mkdtemp(path.join(tmpdir(), 'e2e-bucket-'));
    // A pair already there before start-up must be processed too.
    await writePair('before-start', ...(await samePersonPair()));
    child = spawn(process.execPath, ['--import', 'tsx', 'local/dev.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        PORT: '0',
        IDV_EMULATOR_PORT: '0',
        IDV_BUCKET_DIR: bucket,
        LOG_LEVEL: 'warn',
        ...upstream.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const until = Date.now() + 240_000;
    while (!/Local stack ready/.test(output)) {
      if (child.exitCode !== null || Date.now() > until)
        throw new Error(`npm start did not come up:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 300_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGINT');
      await exited;
    }
    if (bucket) await rm(bucket, { recursive: true, force: true });
  });

  it('prints the bucket folder it watches', () => {
    expect(output).toContain(`Bucket folder:    ${bucket}`);
  });

  it('verifies a pair that was in the folder before start-up', async () => {
    const result = await resultOf('before-start');
    expect(result).toMatchObject({
      status: 'verified',
      verdict: { result: true, faceAttack: upstream.noAttack },
    });
  });

  it('passes two photos of the same person', async () => {
    await writePair('same-person', ...(await samePersonPair()));
    const result = await resultOf('same-person');
    expect(result).toMatchObject({
      schema: 'idv.result/v1',
      caseId: 'same-person',
      status: 'verified',
      verdict: { passed: true, result: true, faceAttack: upstream.noAttack, retCode: upstream.okRetCode },
      resourceCode: upstream.localResourceCode,
      attempts: 1,
    });
    expect(result.requestId).toBeTruthy();
  });

  it('fails two photos of different people', async () => {
    await writePair('different-people', ...(await differentPeople()));
    const result = await resultOf('different-people');
    expect(result).toMatchObject({ status: 'verified', verdict: { result: false } });
  });

  it('flags the reference photo sent again as the face photo (a replay)', async () => {
    // Replays of transformed copies are the engine's own tests; here the point is that the bucket door
    // carries an attack verdict into result.json.
    const ref = await faceCrop(1);
    await writePair('replay', ref, Buffer.from(ref));
    const result = await resultOf('replay');
    if (upstream.judgesAttacks) {
      expect(result).toMatchObject({ status: 'verified', verdict: { faceAttack: true, result: false } });
    } else {
      // FaceCompare does not judge attacks: result.json says null, never a silent false.
      expect(result).toMatchObject({ status: 'verified', verdict: { faceAttack: null } });
    }
  });

  it('rejects a file that is not an image, keeping it untouched', async () => {
    const notImage = Buffer.from('%PDF-1.7 this is a document, not a photo');
    await writePair('not-an-image', notImage, await faceCrop(2));
    const result = await resultOf('not-an-image');
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'photo_unsupported_type' } });
    expect(await readFile(path.join(bucket, 'cases', 'not-an-image', 'ref.jpg'))).toEqual(notImage);
  });
});

// Its own process, so it holds whichever tests run and in whatever order. IDV_ENDPOINT with credentials starts
// no emulator (no face engine to load): the pieces that stop are the HTTP function, the bucket watcher (with a
// photo in its folder) and the timer.
describe('npm start: the bucket door on SIGINT', { timeout: 300_000 }, () => {
  it('stops every piece cleanly, exit code 0', async () => {
    const bucket = await mkdtemp(path.join(tmpdir(), 'e2e-bucket-sigint-'));
    try {
      await mkdir(path.join(bucket, 'cases', 'c1'), { recursive: true });
      await writeFile(path.join(bucket, 'cases', 'c1', 'ref.jpg'), await faceCrop(1));
      const child = spawn(process.execPath, ['--import', 'tsx', 'local/dev.ts'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/tmp',
          PORT: '0',
          IDV_BUCKET_DIR: bucket,
          IDV_ENDPOINT: 'http://127.0.0.1:9/',
          ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIe2e',
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'e2e-secret-not-real',
          IDV_RESOURCE_CODE: '00840000',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr?.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const exitCode = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const until = Date.now() + 240_000;
      while (!/Local stack ready/.test(out)) {
        if (child.exitCode !== null || Date.now() > until) {
          child.kill('SIGKILL');
          throw new Error(`npm start did not come up:\n${out}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(out).toContain(`Bucket folder:    ${bucket}`);

      child.kill('SIGINT');

      expect(await exitCode, out).toBe(0);
      expect(out).toContain('Stopped.');
      expect(out).not.toContain('piece failed to stop');
    } finally {
      await rm(bucket, { recursive: true, force: true });
    }
  });
});
