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

const toSchema = (s: z.ZodType, io: 'input' | 'output' = 'output') =>
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

/** Named schemas under components.schemas; requests are described as input, replies as output. */
const COMPONENTS = {
  VerifyJsonRequest: toSchema(verifyJsonRequestSchema, 'input'),
  VerifyMultipartRequest: toSchema(verifyMultipartRequestSchema, 'input'),
  VerifyResponse: toSchema(verifyResponseSchema),
  ErrorResponse: toSchema(errorResponseSchema),
  HealthResponse: toSchema(healthResponseSchema),
};
const ref = (name: keyof typeof COMPONENTS) => ({ $ref: `#/components/schemas/${name}` });

export function buildOpenApi(version: string): Record<string, unknown> {
  const error = ref('ErrorResponse');
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
      schemas: COMPONENTS,
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
              'application/json': { schema: ref('VerifyJsonRequest') },
              'multipart/form-data': { schema: ref('VerifyMultipartRequest') },
            },
          },
          responses: {
            '200': {
              description: 'The verdict',
              content: { 'application/json': { schema: ref('VerifyResponse') } },
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
              content: { 'application/json': { schema: ref('HealthResponse') } },
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
