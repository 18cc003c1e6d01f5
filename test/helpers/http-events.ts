/**
 * Factories of FC 3.0 HTTP trigger events and contexts, started from the documented sample
 * (test/fixtures/events/http/get.json), plus a small recording fake of the IdvClient port.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FcHttpEvent } from '../../shared/fc/http-event.ts';
import type { IdvClient, Verdict, VerifyOptions, VerifyRequest } from '../../shared/idv/types.ts';
import { verdictOf } from './oss-events.ts';

const SAMPLE = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/events/http/get.json', import.meta.url)), 'utf8'),
) as FcHttpEvent;

export interface HttpEventOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Defaults to true for a Buffer body. */
  isBase64Encoded?: boolean;
  requestId?: string;
}

export function httpEvent(options: HttpEventOptions = {}): FcHttpEvent {
  const path = options.path ?? '/verify';
  const binary = Buffer.isBuffer(options.body);
  const base64 = options.isBase64Encoded ?? binary;
  const body =
    options.body === undefined
      ? ''
      : binary
        ? (options.body as Buffer).toString(base64 ? 'base64' : 'utf8')
        : (options.body as string);
  return {
    ...structuredClone(SAMPLE),
    rawPath: encodeURI(path),
    headers: options.headers ?? {},
    queryParameters: {},
    body,
    isBase64Encoded: base64,
    requestContext: {
      ...structuredClone(SAMPLE.requestContext),
      requestId: options.requestId ?? 'req-test-1',
      http: { ...SAMPLE.requestContext.http, method: options.method ?? 'POST', path },
    },
  };
}

/** The event as FC hands it to the handler: a Buffer of JSON. */
export const eventBuffer = (event: FcHttpEvent): Buffer => Buffer.from(JSON.stringify(event));

export function fcContext(
  options: {
    requestId?: string;
    credentials?: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
    timeoutS?: number;
  } = {},
) {
  return {
    requestId: options.requestId ?? 'ctx-req-1',
    ...(options.credentials ? { credentials: options.credentials } : {}),
    function: {
      name: 'verify-http',
      handler: 'index.handler',
      memory: 1024,
      timeout: options.timeoutS ?? 30,
    },
    service: { name: 'idv' },
    region: 'ap-southeast-1',
    accountId: '123456',
  };
}

export interface FakeIdv extends IdvClient {
  calls: { request: VerifyRequest; options: VerifyOptions | undefined }[];
}

/** An IdvClient that records calls and answers with `answer` (a verdict or an error to throw). */
export function fakeIdv(answer: Partial<Verdict> | Error = {}): FakeIdv {
  const calls: FakeIdv['calls'] = [];
  return {
    calls,
    async verify(request, options) {
      calls.push({ request, options });
      if (answer instanceof Error) throw answer;
      return verdictOf({ requestId: 'UPSTREAM-REQ-1', ...answer });
    },
  };
}
