/**
 * Sample events for bench/coldstart.ts: per function, what a first request looks like and the environment the
 * bundle needs to start. Each sample may start a local server (the S3 stand-in) and returns how to stop it.
 */
import { createHash } from 'node:crypto';

export interface Sample {
  /** Function (dist folder) name. */
  fn: string;
  label: string;
  /** JS size and time-above-bare targets from the issue. */
  target: { jsBytes: number; aboveBareMs: number };
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

function httpEvent(method: string, path: string, headers: Record<string, string>, body: string): string {
  return JSON.stringify({
    version: 'v1',
    rawPath: path,
    headers,
    queryParameters: {},
    body,
    isBase64Encoded: false,
    requestContext: { http: { method, path, sourceIp: '127.0.0.1' }, requestId: 'bench-1' },
  });
}

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
];
