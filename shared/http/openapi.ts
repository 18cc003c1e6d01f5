/**
 * GET /openapi.json, generated from the zod schemas (zod 4 `z.toJSONSchema`), never written by hand.
 * It is a valid OpenAPI 3.0.3 document (test/unit/http/openapi.test.ts validates it with swagger-parser):
 * servers, an operationId and a security requirement on every operation, examples for the request and for
 * every reply, and the error codes as an enum (per status and in full).
 */
import { z } from 'zod';
import { PHOTO_ERRORS } from '../photo/errors.ts';
import { EDGE_ERRORS, HTTP_ERRORS } from './errors.ts';
import {
  errorResponseSchema,
  healthResponseSchema,
  verifyJsonRequestSchema,
  verifyMultipartRequestSchema,
  verifyResponseSchema,
} from './schemas.ts';
import { UPSTREAM_STATUS } from './status.ts';

const toSchema = (s: z.ZodType, io: 'input' | 'output' = 'output') =>
  z.toJSONSchema(s, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, unknown>;

/**
 * Every error code with its status and one message that goes with it (for the examples), from the tables the
 * senders take their codes from (test/unit/http/error-codes.test.ts holds docs/http-api.md to the same list).
 */
export function errorCodesByStatus(): Map<number, { code: string; message: string }[]> {
  const byStatus = new Map<number, { code: string; message: string }[]>();
  const add = (status: number, code: string, message: string) => {
    const list = byStatus.get(status) ?? [];
    if (!list.some((e) => e.code === code)) list.push({ code, message });
    byStatus.set(status, list);
  };
  for (const [code, status] of Object.entries(HTTP_ERRORS)) add(status, code, `request refused: ${code}`);
  for (const [code, e] of Object.entries(EDGE_ERRORS)) add(e.status, code, e.message);
  for (const [code, status] of Object.entries(PHOTO_ERRORS)) add(status, code, `the face photo: ${code}`);
  for (const m of Object.values(UPSTREAM_STATUS)) add(m.status, m.code, m.message);
  add(500, 'internal_error', 'internal error; quote request id 1-6a8f-example');
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

/** All error codes, sorted: the enum of ErrorResponse.error.code. */
export const allErrorCodes = (): string[] =>
  [...new Set([...errorCodesByStatus().values()].flat().map((e) => e.code))].sort();

/** ErrorResponse as zod generates it, with error.code narrowed to `codes`. */
function errorSchema(codes: string[]): Record<string, unknown> {
  const base = toSchema(errorResponseSchema) as {
    properties: { error: { properties: { code: Record<string, unknown> } } };
  };
  const copy = structuredClone(base);
  copy.properties.error.properties.code = { ...copy.properties.error.properties.code, enum: codes };
  return copy as unknown as Record<string, unknown>;
}

// A few bytes of a JPEG header: the examples show the shape, not a real photo.
const EXAMPLE_BASE64 = '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDA==';
const EXAMPLE_REQUEST_ID = '1-6a8f3c2e-0b1d4f5a6c7e8f9a0b1c2d3e';

const VERIFY_EXAMPLE = {
  requestId: EXAMPLE_REQUEST_ID,
  upstreamRequestId: '8FC3D6AC-9FED-4311-8DA7-C4BF47D9F260',
  passed: true,
  result: true,
  score: 97.8,
  faceAttack: false,
  retCode: 'OK_SUCCESS',
  retCodeSub: 'OK',
  retMessage: 'success',
  reference: 'order-4711',
  verifiedAt: '2026-11-29T06:00:00.000Z',
};

const COMPONENTS = () => ({
  VerifyJsonRequest: toSchema(verifyJsonRequestSchema, 'input'),
  VerifyMultipartRequest: toSchema(verifyMultipartRequestSchema, 'input'),
  VerifyResponse: toSchema(verifyResponseSchema),
  ErrorResponse: errorSchema(allErrorCodes()),
  ErrorCode: { type: 'string', enum: allErrorCodes(), description: 'Every value of error.code.' },
  HealthResponse: toSchema(healthResponseSchema),
});
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

interface OpenApiOptions {
  /** Where the API is served; default: the same origin as the document ("/"). */
  servers?: { url: string; description?: string }[];
}

/** One reply per error status, with every code of that status as an example. */
function errorResponses(): Record<string, unknown> {
  return Object.fromEntries(
    [...errorCodesByStatus()].map(([status, errors]) => [
      String(status),
      {
        description: `error.code one of: ${errors.map((e) => e.code).join(', ')}`,
        content: {
          'application/json': {
            schema: errorSchema(errors.map((e) => e.code)),
            examples: Object.fromEntries(
              errors.map((e) => [
                e.code,
                {
                  summary: e.code,
                  value: {
                    error: {
                      code: e.code,
                      message: e.message,
                      ...(e.code.startsWith('photo_') || e.code === 'upstream_unable_get_image'
                        ? { field: 'auth' }
                        : {}),
                    },
                    requestId: EXAMPLE_REQUEST_ID,
                  },
                },
              ]),
            ),
          },
        },
      },
    ]),
  );
}

/** POST /verify: the request in both encodings, the verdict and every error reply. */
function verifyOperation(): Record<string, unknown> {
  return {
    operationId: 'verifyPhotos',
    tags: ['verification'],
    summary: 'Compare a face photo with an ID photo',
    description:
      'One paid comparison. `result` is the decision; `score` (0-100) is the similarity. Photos are validated and normalised before the paid call; a refused photo is named in error.field.',
    security: [{ apiKey: [] }],
    parameters: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        schema: { type: 'string', minLength: 1, maxLength: 255 },
        description:
          'IETF draft-ietf-httpapi-idempotency-key-header. The same key with the same request (the same photos, resourceCode and reference, however encoded: JSON or multipart, any boundary) within IDV_IDEMPOTENCY_TTL (default 24 h) gets the stored reply (no second paid call) with `Idempotent-Replayed: true`; the same key with a different request is 422 idempotency_key_reused; a second request while the first is in flight is 409 idempotency_in_flight with Retry-After. Without a configured store the header is refused: 400 idempotency_not_configured. Keys are scoped to the API key.',
      },
    ],
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: ref('VerifyJsonRequest'),
          example: {
            refFaceContent: EXAMPLE_BASE64,
            authFaceContent: EXAMPLE_BASE64,
            reference: 'order-4711',
          },
        },
        'multipart/form-data': {
          schema: ref('VerifyMultipartRequest'),
          encoding: {
            ref: { contentType: 'image/jpeg, image/png, image/webp' },
            auth: { contentType: 'image/jpeg, image/png, image/webp' },
          },
          example: { ref: '(ID photo file)', auth: '(face photo file)', reference: 'order-4711' },
        },
      },
    },
    responses: {
      '200': {
        description: 'The verdict',
        headers: {
          'Idempotent-Replayed': {
            description:
              '`true` when this is the stored reply of an earlier request with the same Idempotency-Key',
            schema: { type: 'string', enum: ['true'] },
          },
        },
        content: {
          'application/json': {
            schema: ref('VerifyResponse'),
            examples: {
              verified: { summary: 'the same person', value: VERIFY_EXAMPLE },
              notSamePerson: {
                summary: 'two different people',
                value: { ...VERIFY_EXAMPLE, passed: false, result: false, score: 11.2 },
              },
            },
          },
        },
      },
      ...errorResponses(),
    },
  };
}

const open: never[] = [];

/** GET /healthz and GET /openapi.json: no API key needed. */
function operationsPaths(version: string): Record<string, unknown> {
  return {
    '/healthz': {
      get: {
        operationId: 'getHealth',
        tags: ['operations'],
        summary: 'Liveness',
        security: open,
        responses: {
          '200': {
            description: 'ok',
            content: { 'application/json': { schema: ref('HealthResponse'), example: { status: 'ok' } } },
          },
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        tags: ['operations'],
        summary: 'This document',
        security: open,
        responses: {
          '200': {
            description: 'OpenAPI 3.0 document',
            content: {
              'application/json': {
                schema: { type: 'object' },
                example: {
                  openapi: '3.0.3',
                  info: { title: 'ID Verification (face vs. ID photo)', version },
                },
              },
            },
          },
        },
      },
    },
  };
}

export function buildOpenApi(version: string, options: OpenApiOptions = {}): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: {
      title: 'ID Verification (face vs. ID photo)',
      version,
      description:
        'Compares a face photo with an ID photo through the Alibaba Cloud ID Verification API and answers with the verdict.',
      license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
    },
    servers: options.servers ?? [{ url: '/', description: 'the host that served this document' }],
    tags: [
      { name: 'verification', description: 'Face vs. ID photo' },
      { name: 'operations', description: 'Health and this document' },
    ],
    components: {
      schemas: COMPONENTS(),
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key; the server stores its SHA-256.' },
      },
    },
    paths: {
      '/verify': { post: verifyOperation() },
      ...operationsPaths(version),
    },
  };
}
