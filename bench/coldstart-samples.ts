/**
 * Sample events for bench/coldstart.ts: per function, what a first request looks like and the environment the
 * bundle needs to start. Each sample may start a local server (the S3 stand-in) and returns how to stop it.
 */
import { createHash } from 'node:crypto';
import { startEmulator } from '../local/emulator/server.ts';
import { createFaceEngine } from '../local/engine/engine.ts';
import { bucketWithHalfACase, httpEvent, largePhoto, ossEvent } from './coldstart-fixtures.ts';

export interface Sample {
  /** Function (dist folder) name. */
  fn: string;
  label: string;
  /** JS size and time-above-bare targets from the issue; none for samples whose reply includes upstream work. */
  target?: { jsBytes: number; aboveBareMs: number };
  setup(): Promise<{
    event: string;
    env: Record<string, string>;
    context: Record<string, unknown>;
    stop(): Promise<void>;
  }>;
}

const API_KEY = 'bench-api-key-0123456789';
const apiKeyHash = createHash('sha256').update(API_KEY).digest('hex');
const MB = 1024 * 1024;

const context = (name: string, timeout: number) => ({
  requestId: 'bench-1',
  function: { name, timeout },
  credentials: { accessKeyId: 'bench-id', accessKeySecret: 'bench-secret-never-used' },
});

const none = async () => {};

export const SAMPLES: Sample[] = [
  {
    fn: 'verify-http',
    label: 'GET /healthz',
    target: { jsBytes: 1 * MB, aboveBareMs: 150 },
    setup: async () => ({
      event: httpEvent('GET', '/healthz', {}, ''),
      env: { IDV_API_KEYS: apiKeyHash },
      context: context('idv-verify-http', 30),
      stop: none,
    }),
  },
  {
    fn: 'verify-http',
    label: 'POST /verify, wrong API key (401)',
    target: { jsBytes: 1 * MB, aboveBareMs: 150 },
    setup: async () => ({
      event: httpEvent(
        'POST',
        '/verify',
        { 'content-type': 'application/json', 'x-api-key': 'not-the-key-000000' },
        '{}',
      ),
      env: { IDV_API_KEYS: apiKeyHash },
      context: context('idv-verify-http', 30),
      stop: none,
    }),
  },
  {
    // The reply waits for the emulator's face comparison, so the time is not a cold start figure; the row is
    // here for the peak RSS of a real verification (two large photos decoded and re-encoded): memorySize.
    fn: 'verify-http',
    label: 'POST /verify, two 12 MP photos via the emulator',
    setup: async () => {
      const key = { accessKeyId: 'bench-id', accessKeySecret: 'bench-secret-0001' };
      const engine = await createFaceEngine();
      const emulator = await startEmulator({ engine, port: 0, keys: [key] });
      const photo = await largePhoto();
      const body = JSON.stringify({
        refFaceContent: photo.toString('base64'),
        authFaceContent: photo.toString('base64'),
      });
      return {
        event: httpEvent(
          'POST',
          '/verify',
          { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
          body,
        ),
        env: { IDV_API_KEYS: apiKeyHash, IDV_ENDPOINT: emulator.url, IDV_RESOURCE_CODE: '00840000' },
        context: { ...context('idv-verify-http', 30), credentials: key },
        stop: async () => {
          await emulator.close();
          await engine.close();
        },
      };
    },
  },
  {
    fn: 'verify-oss',
    label: 'ObjectCreated ref.jpg, pair incomplete',
    target: { jsBytes: 2 * MB, aboveBareMs: 250 },
    setup: async () => {
      const bucket = await bucketWithHalfACase();
      return {
        event: ossEvent('cases/bench-1/ref.jpg'),
        env: {
          IDV_BUCKET: 'bench-cases',
          OSS_REGION: 'cn-hangzhou',
          IDV_OSS_ENDPOINT: bucket.endpoint,
          IDV_PREFIX: 'cases',
        },
        context: { ...context('idv-verify-oss', 60), credentials: bucket.key },
        stop: bucket.stop,
      };
    },
  },
  {
    fn: 'rerun-batch',
    label: 'timer, dry run over one due case',
    target: { jsBytes: 2 * MB, aboveBareMs: 250 },
    setup: async () => {
      const bucket = await bucketWithHalfACase(true);
      return {
        event: JSON.stringify({
          triggerTime: '2026-01-01T00:00:00Z',
          triggerName: 'rerun-due',
          payload: '{"dryRun":true}',
        }),
        env: {
          IDV_BUCKET: 'bench-cases',
          OSS_REGION: 'cn-hangzhou',
          IDV_OSS_ENDPOINT: bucket.endpoint,
          IDV_PREFIX: 'cases',
          IDV_ENDPOINT: 'http://127.0.0.1:9',
        },
        context: { ...context('idv-rerun-batch', 600), credentials: bucket.key },
        stop: bucket.stop,
      };
    },
  },
];
