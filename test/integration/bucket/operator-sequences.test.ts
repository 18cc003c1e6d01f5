/**
 * Property: whatever operators do to the bucket folder, in any order (drop, replace and revert photos, delete
 * files, edit case.json, put in symbolic links to files and folders outside the bucket, lose or duplicate events,
 * kill the door with a request in flight or before its result is written, and restart it), once the leases have
 * ended and the scheduled rerun has run:
 *   - every case folder whose photos and case.json are plain files has exactly one final result.json, about its
 *     current photos and case.json (verified; rejected with case_json_malformed for a malformed case.json);
 *   - no version was answered by the paid API twice (A→B→A reuses A's paid record);
 *   - nothing outside the bucket folder was read (the outside photo never reached the API, the outside case.json
 *     never reached a result) or written (the outside folder is unchanged).
 * The door runs in-process: the verify-oss handler over the folder store with a fake IDV client; "kill" is an
 * invocation that stops after its claim and sent record (or after the paid record), "restart" a new handler.
 * Seeded (TEST_SEED to try another seed), bounded: a few seconds on an idle machine.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifyOssHandler, type OssHandler } from '../../../functions/verify-oss/handler.ts';
import { processCase } from '../../../shared/cases/process.ts';
import { DEFAULT_CASE_SETTINGS } from '../../../shared/cases/settings.ts';
import type { CaseDeps } from '../../../shared/cases/types.ts';
import type { CheckedBase64 } from '../../../shared/idv/base64.ts';
import type { IdvClient } from '../../../shared/idv/types.ts';
import { silentLogger } from '../../../shared/log.ts';
import { headerDimensions } from '../../../shared/photo/dimensions.ts';
import { runRerun } from '../../../shared/rerun/run.ts';
import { createInlineRunner } from '../../../shared/rerun/runner.ts';
import { createFsStore } from '../../../shared/store/fs.ts';
import type { ObjectStore } from '../../../shared/store/types.ts';
import { fcContext, jpeg, movableClock, ossEventBuffer, verdictOf } from '../../helpers/oss-events.ts';
import { testSeed } from '../../helpers/random.ts';

const CASES = ['c1', 'c2', 'c3'] as const;
const LINKED_CASE = 'lnk';
const LEASE_MS = 60_000;
const MAX_UNCERTAIN = 10;
const CASE_JSONS = [
  '{"reference": "r-1"}',
  '{"resourceCode": "22222222", "reference": "r-2"}',
  '{"resourceCode": 12', // malformed: not JSON
  '{"resourceCod": "12345678"}', // malformed: unknown field
] as const;
const OUTSIDE_REFERENCE = 'OUTSIDE';
const OUTSIDE_SIZE = { width: 400, height: 300 };

type CaseId = (typeof CASES)[number];
type Op =
  | { t: 'put'; c: CaseId; role: 'ref' | 'auth'; photo: number; event: boolean }
  | { t: 'delete'; c: CaseId; name: 'ref.jpg' | 'auth.jpg' | 'case.json'; event: boolean }
  | { t: 'caseJson'; c: CaseId; v: number; event: boolean }
  | { t: 'linkPhoto'; c: CaseId; role: 'ref' | 'auth' }
  | { t: 'linkCaseJson'; c: CaseId }
  | { t: 'linkFolder' }
  | { t: 'duplicates'; c: CaseId }
  | { t: 'kill'; c: CaseId; when: 'in-flight' | 'before-result' }
  | { t: 'tick'; ms: number };

const caseId = fc.constantFrom(...CASES);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      t: fc.constant('put' as const),
      c: caseId,
      role: fc.constantFrom('ref' as const, 'auth' as const),
      photo: fc.nat(2),
      event: fc.boolean(),
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      t: fc.constant('delete' as const),
      c: caseId,
      name: fc.constantFrom('ref.jpg' as const, 'auth.jpg' as const, 'case.json' as const),
      event: fc.boolean(),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      t: fc.constant('caseJson' as const),
      c: caseId,
      v: fc.nat(CASE_JSONS.length - 1),
      event: fc.boolean(),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      t: fc.constant('linkPhoto' as const),
      c: caseId,
      role: fc.constantFrom('ref' as const, 'auth' as const),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ t: fc.constant('linkCaseJson' as const), c: caseId }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('linkFolder' as const) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('duplicates' as const), c: caseId }), weight: 2 },
  {
    arbitrary: fc.record({
      t: fc.constant('kill' as const),
      c: caseId,
      when: fc.constantFrom('in-flight' as const, 'before-result' as const),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ t: fc.constant('tick' as const), ms: fc.constantFrom(1_000, LEASE_MS + 1) }),
    weight: 1,
  },
);

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex').toUpperCase();
const textOf = (x: string | CheckedBase64) => (typeof x === 'string' ? x : x.text);

/** Every file under dir (relative path -> md5, or `-> target` for a link), to prove nothing outside changed. */
async function snapshot(
  dir: string,
  base = dir,
  out = new Map<string, string>(),
): Promise<Map<string, string>> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const rel = path.relative(base, full);
    if (entry.isDirectory()) await snapshot(full, base, out);
    else out.set(rel, entry.isFile() ? md5(await readFile(full)) : 'other');
  }
  return out;
}

const isPlainFile = async (file: string): Promise<boolean> => {
  try {
    return (await lstat(file)).isFile();
  } catch {
    return false;
  }
};

describe('operator sequences on the folder bucket (property)', () => {
  let photos: Buffer[];
  let outsidePhoto: Buffer;
  let work: string;

  beforeAll(async () => {
    photos = await Promise.all([jpeg(11), jpeg(12), jpeg(13)]);
    outsidePhoto = await jpeg(99, OUTSIDE_SIZE.width, OUTSIDE_SIZE.height);
    work = await mkdtemp(path.join(tmpdir(), 'operator-seq-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('ends every case with one final result.json about its current photos and case.json, and touches nothing outside', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 22 }), async (ops) => {
        run += 1;
        const root = path.join(work, `run-${run}`, 'bucket');
        const outside = path.join(work, `run-${run}`, 'outside');
        await mkdir(path.join(outside, 'dir'), { recursive: true });
        await mkdir(path.join(root, 'cases'), { recursive: true });
        await writeFile(path.join(outside, 'face.jpg'), outsidePhoto);
        await writeFile(path.join(outside, 'case.json'), JSON.stringify({ reference: OUTSIDE_REFERENCE }));
        await writeFile(path.join(outside, 'dir', 'ref.jpg'), outsidePhoto);
        await writeFile(path.join(outside, 'dir', 'auth.jpg'), photos[0] as Buffer);
        const outsideBefore = await snapshot(outside);

        const clock = movableClock(Date.parse('2026-06-01T08:00:00Z'));
        const fsStore = createFsStore({ root });
        // Which version a call is for: the claim created last (invocations run one at a time, except
        // `duplicates`, whose concurrent invocations are for one version and must make one call).
        let lastClaim = '';
        let dieOnResultPut = false;
        const store: ObjectStore = {
          ...fsStore,
          get: (k) => fsStore.get(k),
          head: (k) => fsStore.head(k),
          list: (r) => fsStore.list(r),
          delete: (k) => fsStore.delete(k),
          putIfAbsent: async (k, b, o) => {
            const created = await fsStore.putIfAbsent(k, b, o);
            if (created.created && /\.claim-\d+\.json$/.test(k))
              lastClaim = k.replace(/\.claim-\d+\.json$/, '');
            return created;
          },
          put: async (k, b, o) => {
            if (dieOnResultPut && k.endsWith('/result.json')) {
              dieOnResultPut = false;
              throw new Error('instance killed before writing result.json');
            }
            return fsStore.put(k, b, o);
          },
        };
        const answered = new Map<string, number>();
        let dieInFlight = false;
        let outsideSent = 0;
        const client: IdvClient = {
          async verify(request, options) {
            for (const content of [request.refFaceContent, request.authFaceContent]) {
              const dims = headerDimensions(Buffer.from(textOf(content), 'base64'), 'jpeg');
              if (dims?.width === OUTSIDE_SIZE.width && dims.height === OUTSIDE_SIZE.height) outsideSent += 1;
            }
            await options?.beforeAttempt?.(1);
            if (dieInFlight) {
              dieInFlight = false;
              throw new Error('instance killed with the request in flight');
            }
            answered.set(lastClaim, (answered.get(lastClaim) ?? 0) + 1);
            return verdictOf({ requestId: `R-${answered.size}` });
          },
        };
        const env = {
          IDV_STORE: 'fs',
          IDV_BUCKET_DIR: root,
          IDV_PREFIX: 'cases',
          IDV_RESOURCE_CODE: '00840000',
          IDV_CLAIM_LEASE_MS: String(LEASE_MS),
          // At most MAX_UNCERTAIN kills per case: no case is held for the operator in this property.
          IDV_MAX_UNCERTAIN_RETRIES: String(MAX_UNCERTAIN),
          IDV_ENDPOINT: 'http://127.0.0.1:9/',
          ALIBABA_CLOUD_ACCESS_KEY_ID: 'ak',
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'sk',
        };
        const startDoor = (): OssHandler =>
          createVerifyOssHandler(env, { clock, logger: silentLogger, store, client });
        let door = startDoor();
        const deliver = async (keys: string[]) => {
          // A failed invocation is redelivered later by FC; here the final rerun picks the case up.
          await door(ossEventBuffer(keys), fcContext()).catch(() => undefined);
        };
        const file = (c: string, name: string) => path.join(root, 'cases', c, name);
        const replace = async (c: string, name: string, body: Buffer | string) => {
          await mkdir(path.join(root, 'cases', c), { recursive: true }).catch(() => undefined);
          await rm(file(c, name), { force: true }); // an operator's cp never writes through a link it replaces
          await writeFile(file(c, name), body);
        };

        const kills = new Map<string, number>();
        for (const op of ops) {
          switch (op.t) {
            case 'put':
              await replace(op.c, `${op.role}.jpg`, photos[op.photo] as Buffer);
              if (op.event) await deliver([`cases/${op.c}/${op.role}.jpg`]);
              break;
            case 'delete':
              await rm(file(op.c, op.name), { force: true });
              // OSS sends no event for a deletion; the local watcher sends ref.jpg for a deleted case.json.
              if (op.event && op.name === 'case.json') await deliver([`cases/${op.c}/ref.jpg`]);
              break;
            case 'caseJson':
              await replace(op.c, 'case.json', CASE_JSONS[op.v] as string);
              if (op.event) await deliver([`cases/${op.c}/case.json`]);
              break;
            case 'linkPhoto':
              await mkdir(path.join(root, 'cases', op.c), { recursive: true });
              await rm(file(op.c, `${op.role}.jpg`), { force: true });
              await symlink(path.join(outside, 'face.jpg'), file(op.c, `${op.role}.jpg`));
              await deliver([`cases/${op.c}/${op.role}.jpg`]);
              break;
            case 'linkCaseJson':
              await mkdir(path.join(root, 'cases', op.c), { recursive: true });
              await rm(file(op.c, 'case.json'), { force: true });
              await symlink(path.join(outside, 'case.json'), file(op.c, 'case.json'));
              await deliver([`cases/${op.c}/case.json`]);
              break;
            case 'linkFolder':
              await rm(path.join(root, 'cases', LINKED_CASE), { force: true, recursive: false }).catch(
                () => undefined,
              );
              await symlink(path.join(outside, 'dir'), path.join(root, 'cases', LINKED_CASE)).catch(
                () => undefined,
              );
              await deliver([`cases/${LINKED_CASE}/ref.jpg`, `cases/${LINKED_CASE}/auth.jpg`]);
              break;
            case 'duplicates': {
              const keys = [`cases/${op.c}/ref.jpg`, `cases/${op.c}/auth.jpg`];
              await Promise.all([deliver(keys), deliver(keys), deliver([...keys].reverse())]);
              break;
            }
            case 'kill':
              kills.set(op.c, (kills.get(op.c) ?? 0) + 1);
              if ((kills.get(op.c) ?? 0) > MAX_UNCERTAIN) break;
              if (op.when === 'in-flight') dieInFlight = true;
              else dieOnResultPut = true;
              await deliver([`cases/${op.c}/auth.jpg`]);
              dieInFlight = false;
              dieOnResultPut = false;
              door = startDoor(); // restart: a new instance, nothing kept in memory
              break;
            case 'tick':
              clock.advance(op.ms);
              break;
          }
        }

        // Every lease ends; then the scheduled rerun (the same case code) picks up whatever is due.
        clock.advance(LEASE_MS + 1);
        const deps: CaseDeps = {
          store,
          client,
          clock,
          logger: silentLogger,
          settings: {
            ...DEFAULT_CASE_SETTINGS,
            prefix: 'cases',
            defaultResourceCode: '00840000',
            leaseMs: LEASE_MS,
            maxUncertainRetries: MAX_UNCERTAIN,
          },
        };
        await runRerun(
          { store, clock, logger: silentLogger, runner: createInlineRunner(deps) },
          { prefix: 'cases', concurrency: 2, useCursor: false },
        );

        const context = `seed-run ${run}: ${JSON.stringify(ops)}`;
        for (const c of CASES) {
          const [ref, auth, caseJsonPlain] = await Promise.all([
            isPlainFile(file(c, 'ref.jpg')),
            isPlainFile(file(c, 'auth.jpg')),
            isPlainFile(file(c, 'case.json')),
          ]);
          const caseJsonLink =
            (await lstat(file(c, 'case.json')).catch(() => undefined))?.isSymbolicLink() ?? false;
          if (!ref || !auth || caseJsonLink) continue; // incomplete, or a link the door must skip
          const result = JSON.parse(
            await readFile(file(c, 'result.json'), 'utf8').catch(() => 'null'),
          ) as Record<string, unknown> | null;
          expect(result, `${c} has a result.json (${context})`).not.toBeNull();
          const caseJson = caseJsonPlain ? await readFile(file(c, 'case.json')) : undefined;
          const photosJudged = result?.photos as { ref: { etag: string }; auth: { etag: string } };
          expect(photosJudged.ref.etag, `${c} ref (${context})`).toBe(
            md5(await readFile(file(c, 'ref.jpg'))),
          );
          expect(photosJudged.auth.etag, `${c} auth (${context})`).toBe(
            md5(await readFile(file(c, 'auth.jpg'))),
          );
          expect(result?.caseJson, `${c} case.json (${context})`).toEqual(
            caseJson ? { etag: md5(caseJson), size: caseJson.length } : null,
          );
          const malformed = caseJson !== undefined && CASE_JSONS.indexOf(caseJson.toString() as never) >= 2;
          expect(result?.status, `${c} status (${context})`).toBe(malformed ? 'rejected' : 'verified');
          if (!malformed && caseJson)
            expect(result?.reference).toBe(JSON.parse(caseJson.toString()).reference);
          // Nothing is left to do for it: another event changes nothing.
          expect(
            await processCase(deps, { prefix: 'cases', caseId: c }),
            `${c} settled (${context})`,
          ).toMatchObject({
            action: 'up-to-date',
          });
        }
        for (const [version, n] of answered)
          expect(n, `version ${version} answered once (${context})`).toBe(1);
        expect(outsideSent, `outside photo sent (${context})`).toBe(0);
        expect(await snapshot(outside), `outside unchanged (${context})`).toEqual(outsideBefore);
        const results = [...(await snapshot(root)).keys()].filter((k) => k.endsWith('result.json'));
        for (const k of results) {
          const body = await readFile(path.join(root, k), 'utf8');
          expect(body, `${k} (${context})`).not.toContain(OUTSIDE_REFERENCE);
        }
      }),
      { seed: testSeed(), numRuns: Number(process.env.OPSEQ_RUNS ?? 30), endOnFailure: true },
    );
  });
});
