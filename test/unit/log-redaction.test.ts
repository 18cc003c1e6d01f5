import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IdvError } from '../../shared/idv/errors.ts';
import { parseReply, safeUpstreamMessage } from '../../shared/idv/reply.ts';
import { createLogger, redactString, redactUpstreamText } from '../../shared/log.ts';

/** Base64 of random bytes, exactly `chars` characters long. */
const base64Run = (chars: number) =>
  randomBytes(chars).toString('base64').replace(/[+/=]/g, 'A').slice(0, chars);

describe('redaction of base64 in upstream text', () => {
  it('masks a 160-character base64 run inside an upstream message', () => {
    const run = base64Run(160);
    const message = safeUpstreamMessage(`bad image ${run} end`);
    expect(message).not.toContain(run.slice(0, 40));
    expect(message).toContain('[redacted 160 chars]');
  });

  it('masks base64 runs from 40 characters in upstream text, whatever they look like', () => {
    const run = 'a'.repeat(40);
    expect(redactUpstreamText(`x ${run} y`)).toBe('x [redacted 40 chars] y');
    expect(redactUpstreamText(`x ${'a'.repeat(39)} y`)).toBe(`x ${'a'.repeat(39)} y`);
  });

  it('masks a 40-character base64 run in any logged string', () => {
    const run = base64Run(40);
    const lines: string[] = [];
    createLogger({ write: (l) => lines.push(l) }).warn(`upstream said ${run}`, { note: `x${run}` });
    expect(lines.join('\n')).not.toContain(run);
  });

  it('keeps pair hashes, UUIDs and caseIds readable in logs', () => {
    const hash = 'a'.repeat(32) + '0123456789abcdef'.repeat(2);
    const uuid = '0CE4BBEF-F149-490C-97CE-CBBD66E25D6C';
    expect(redactString(`${hash} ${uuid} case-2026-11-29`)).toBe(`${hash} ${uuid} case-2026-11-29`);
  });

  it('masks base64 in the retMessage of a verdict and in error messages built from the reply', () => {
    const run = base64Run(60);
    const ok = parseReply({
      Code: 200,
      RequestId: 'R',
      Data: JSON.stringify({
        passed: 'true',
        retCode: 'OK_SUCCESS',
        retMessage: `passed ${run}`,
        extInfo: { result: 'true', score: '90', faceAttack: 'false' },
      }),
    });
    expect(ok.retMessage).not.toContain(run);
    let error: unknown;
    try {
      parseReply({ Code: 500, RequestId: 'R', Message: `failed on ${run}` });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(IdvError);
    expect((error as IdvError).message).not.toContain(run);
  });
});
