/**
 * Every error.code the API can send is in the OpenAPI ErrorCode enum and in docs/http-api.md's error table,
 * with its status. The list comes from the tables the senders take their codes from: HTTP_ERRORS (HttpError),
 * EDGE_ERRORS (the FC adapter and the local runner), PHOTO_ERRORS (PhotoError), UPSTREAM_STATUS (IdvError)
 * and internal_error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../scripts/build.ts';
import { createFcHttpHandler } from '../../../shared/fc/http-adapter.ts';
import { createHttpApp } from '../../../shared/http/app.ts';
import { EDGE_ERRORS, HTTP_ERRORS, statusOfCode } from '../../../shared/http/errors.ts';
import { allErrorCodes, buildOpenApi, errorCodesByStatus } from '../../../shared/http/openapi.ts';
import { UPSTREAM_STATUS } from '../../../shared/http/status.ts';
import { silentLogger } from '../../../shared/log.ts';
import { PHOTO_ERRORS } from '../../../shared/photo/errors.ts';
import { fakeIdv } from '../../helpers/http-events.ts';

/** code -> status, from the sources; fails on a code given two statuses. */
function sourceStatuses(): Map<string, number> {
  const statuses = new Map<string, number>();
  const add = (code: string, status: number) => {
    const before = statuses.get(code);
    if (before !== undefined && before !== status)
      throw new Error(`${code} has statuses ${before} and ${status}`);
    statuses.set(code, status);
  };
  for (const [code, status] of Object.entries(HTTP_ERRORS)) add(code, status);
  for (const [code, e] of Object.entries(EDGE_ERRORS)) add(code, e.status);
  for (const [code, status] of Object.entries(PHOTO_ERRORS)) add(code, status);
  for (const m of Object.values(UPSTREAM_STATUS)) add(m.code, m.status);
  add('internal_error', 500);
  return statuses;
}

type Doc = {
  components: { schemas: { ErrorCode: { enum: string[] } } };
  paths: { '/verify': { post: { responses: Record<string, unknown> } } };
};
const doc = () => buildOpenApi('1') as unknown as Doc;

/** The rows of docs/http-api.md's error table: the codes of each row and its status cell. */
function docsTable(): { statuses: number[]; codes: string[] }[] {
  const text = readFileSync(join(REPO_ROOT, 'docs/http-api.md'), 'utf8');
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^\|\s*status\s*\|\s*`error\.code`/.test(l));
  expect(start, 'the error table of docs/http-api.md').toBeGreaterThanOrEqual(0);
  const rows: { statuses: number[]; codes: string[] }[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [status = '', codes = ''] = line.split('|').slice(1);
    rows.push({
      statuses: [...status.matchAll(/\d{3}/g)].map((m) => Number(m[0])),
      codes: [...codes.matchAll(/`([a-z][a-z0-9_]*)`/g)].map((m) => m[1]!),
    });
  }
  return rows;
}

describe('error codes', () => {
  it('the ErrorCode enum is exactly the codes of the source tables', () => {
    const codes = [...sourceStatuses().keys()].sort();
    expect(allErrorCodes()).toEqual(codes);
    expect(doc().components.schemas.ErrorCode.enum).toEqual(codes);
    for (const code of [
      'request_timeout',
      'headers_too_large',
      'bad_request',
      'invalid_event',
      'function_error',
    ])
      expect(codes).toContain(code);
  });

  it("lists each code under its own status in /verify's responses", () => {
    const byStatus = errorCodesByStatus();
    for (const [code, status] of sourceStatuses())
      expect(
        byStatus.get(status)?.map((e) => e.code),
        code,
      ).toContain(code);
    const responses = Object.keys(doc().paths['/verify'].post.responses);
    for (const status of ['400', '408', '413', '422', '431', '502']) expect(responses).toContain(status);
  });

  it('statusOfCode gives the table status of HttpError and edge codes', () => {
    expect(statusOfCode('request_timeout')).toBe(408);
    expect(statusOfCode('headers_too_large')).toBe(431);
    expect(statusOfCode('payload_too_large')).toBe(413);
    expect(statusOfCode('unauthorized')).toBe(401);
  });

  it("docs/http-api.md's error table lists every code once, in a row of its status, and nothing else", () => {
    const statuses = sourceStatuses();
    const rows = docsTable();
    const documented = rows.flatMap((r) => r.codes);
    expect([...documented].sort()).toEqual([...statuses.keys()].sort());
    expect(new Set(documented).size).toBe(documented.length);
    for (const row of rows)
      for (const code of row.codes) expect(row.statuses, `status of ${code}`).toContain(statuses.get(code));
  });

  it('the FC adapter answers a non-HTTP event with a code of the enum (invalid_event)', async () => {
    const clock = { nowMs: () => 0 };
    const app = createHttpApp({
      idv: fakeIdv(),
      clock,
      logger: silentLogger,
      apiKeyHashes: [],
      maxPhotoBytes: 1024,
      maxPhotoPixels: 1024,
      defaultResourceCode: undefined,
    });
    const handler = createFcHttpHandler({
      app,
      clock,
      fallbackCredentials: undefined,
      requestBudgetMs: 1000,
    });
    const reply = await handler(Buffer.from('{"not":"an event"}'), { requestId: 'r' });
    const code = JSON.parse(reply.body).error.code;
    expect(code).toBe('invalid_event');
    expect(reply.statusCode).toBe(EDGE_ERRORS.invalid_event.status);
    expect(allErrorCodes()).toContain(code);
  });
});
