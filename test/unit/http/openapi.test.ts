import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { HTTP_ERRORS } from '../../../shared/http/errors.ts';
import { allErrorCodes, buildOpenApi } from '../../../shared/http/openapi.ts';
import {
  errorResponseSchema,
  verifyJsonRequestSchema,
  verifyResponseSchema,
} from '../../../shared/http/schemas.ts';
import { PHOTO_ERRORS } from '../../../shared/photo/errors.ts';

type Operation = {
  operationId?: string;
  security?: unknown[];
  requestBody?: { content: Record<string, { example?: unknown }> };
  responses: Record<
    string,
    { content?: Record<string, { example?: unknown; examples?: Record<string, { value: unknown }> }> }
  >;
};
type Doc = {
  servers?: unknown[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<
      string,
      { enum?: string[]; properties: { error: { properties: { code: { enum: string[] } } } } }
    >;
  };
};

const doc = () => buildOpenApi('1.2.3') as unknown as Doc;
const operations = (d: Doc) => Object.values(d.paths).flatMap((methods) => Object.values(methods));

describe('buildOpenApi', () => {
  it('is a valid OpenAPI 3.0 document when swagger-parser validates it', async () => {
    // validate() dereferences in place: hand it a copy.
    await expect(SwaggerParser.validate(structuredClone(doc()) as never)).resolves.toBeTruthy();
  });

  it('names a server and gives every operation an operationId and its own security', () => {
    const d = doc();
    expect(d.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    const ops = operations(d);
    expect(new Set(ops.map((o) => o.operationId)).size).toBe(ops.length);
    for (const op of ops) expect(Array.isArray(op.security)).toBe(true);
    expect(d.paths['/verify']?.post?.security).toEqual([{ apiKey: [] }]);
    expect(d.paths['/healthz']?.get?.security).toEqual([]);
  });

  it('takes the servers from its options when given', () => {
    const d = buildOpenApi('1', { servers: [{ url: 'https://idv.example.com' }] }) as unknown as Doc;
    expect(d.servers).toEqual([{ url: 'https://idv.example.com' }]);
  });

  it('lists every error code in the enum when codes come from the error modules', () => {
    const codes = allErrorCodes();
    for (const code of [
      ...Object.keys(HTTP_ERRORS),
      ...Object.keys(PHOTO_ERRORS),
      'internal_error',
      'upstream_timeout',
    ])
      expect(codes).toContain(code);
    expect(doc().components.schemas.ErrorCode?.enum).toEqual(codes);
    expect(doc().components.schemas.ErrorResponse?.properties.error.properties.code.enum).toEqual(codes);
  });

  it('has an example for the request and for every reply, each valid against its zod schema', () => {
    const post = doc().paths['/verify']?.post as Operation;
    verifyJsonRequestSchema.parse(post.requestBody?.content['application/json']?.example);
    for (const [status, reply] of Object.entries(post.responses)) {
      const media = reply.content?.['application/json'];
      const values = Object.values(media?.examples ?? {}).map((e) => e.value);
      expect(values.length, `examples of ${status}`).toBeGreaterThan(0);
      for (const value of values) {
        if (status === '200') verifyResponseSchema.parse(value);
        else {
          errorResponseSchema.parse(value);
          // each status's example codes are within that status's enum
          const enumOfStatus = (
            media as { schema: { properties: { error: { properties: { code: { enum: string[] } } } } } }
          ).schema.properties.error.properties.code.enum;
          expect(enumOfStatus).toContain((value as { error: { code: string } }).error.code);
        }
      }
    }
    for (const op of operations(doc()))
      for (const reply of Object.values(op.responses)) {
        const media = reply.content?.['application/json'];
        expect(media?.example ?? media?.examples).toBeDefined();
      }
  });
});
