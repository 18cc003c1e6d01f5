/** GET /openapi.json, generated from the zod schemas (zod 4 `z.toJSONSchema`), never written by hand. */
import { z } from 'zod';
import { PHOTO_ERRORS } from '../photo/errors.ts';
import { HTTP_ERRORS } from './errors.ts';
import {
  errorResponseSchema,
  healthResponseSchema,
  verifyJsonRequestSchema,
  verifyMultipartRequestSchema,
  verifyResponseSchema,
} from './schemas.ts';
import { UPSTREAM_STATUS } from './status.ts';

const schema = (s: z.ZodType, io: 'input' | 'output' = 'output') =>
  z.toJSONSchema(s, { target: 'openapi-3.0', io, unrepresentable: 'any' });

function errorCodesByStatus(): Map<number, string[]> {
  const byStatus = new Map<number, string[]>();
  const add = (status: number, code: string) => {
    const list = byStatus.get(status) ?? [];
    if (!list.includes(code)) list.push(code);
    byStatus.set(status, list);
  };
  for (const [code, status] of Object.entries({ ...HTTP_ERRORS, ...PHOTO_ERRORS })) add(status, code);
  for (const m of Object.values(UPSTREAM_STATUS)) add(m.status, m.code);
  add(500, 'internal_error');
  return byStatus;
}

export function buildOpenApi(version: string): Record<string, unknown> {
  const error = schema(errorResponseSchema);
  const errorResponses = Object.fromEntries(
    [...errorCodesByStatus()]
      .sort(([a], [b]) => a - b)
      .map(([status, codes]) => [
        String(status),
        {
          description: `error.code one of: ${codes.join(', ')}`,
          content: { 'application/json': { schema: error } },
        },
      ]),
  );
  return {
    openapi: '3.0.3',
    info: { title: 'ID Verification (face vs. ID photo)', version },
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key; the server stores its SHA-256.' },
      },
    },
    paths: {
      '/verify': {
        post: {
          summary: 'Compare a face photo with an ID photo',
          security: [{ apiKey: [] }],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: schema(verifyJsonRequestSchema, 'input') },
              'multipart/form-data': { schema: schema(verifyMultipartRequestSchema, 'input') },
            },
          },
          responses: {
            '200': {
              description: 'The verdict',
              content: { 'application/json': { schema: schema(verifyResponseSchema) } },
            },
            ...errorResponses,
          },
        },
      },
      '/healthz': {
        get: {
          summary: 'Liveness',
          responses: {
            '200': {
              description: 'ok',
              content: { 'application/json': { schema: schema(healthResponseSchema) } },
            },
          },
        },
      },
      '/openapi.json': {
        get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.0 document' } } },
      },
    },
  };
}
