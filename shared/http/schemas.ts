/** The HTTP API's payloads. The single source of truth for validation, types and /openapi.json. */
import { z } from 'zod';

export const resourceCodeSchema = z
  .string()
  .regex(/^\d{8}$/, 'must be an 8-digit resourceCode')
  .meta({ description: 'The ID Verification resource code; defaults to the configured IDV_RESOURCE_CODE.' });
export const referenceSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w.:@/+-]+$/, 'may hold letters, digits and _ . : @ / + - only')
  .meta({ description: 'Your own identifier for this check, echoed back in the reply.' });

const photoBase64 = (what: string) =>
  z.string().meta({
    description: `${what} as base64 (JPEG, PNG or WebP). A data:image/...;base64, prefix and whitespace are stripped.`,
    format: 'byte',
  });

export const verifyJsonRequestSchema = z.object({
  refFaceContent: photoBase64('The ID photo'),
  authFaceContent: photoBase64('The face photo'),
  resourceCode: resourceCodeSchema.optional(),
  reference: referenceSchema.optional(),
});
export type VerifyJsonRequest = z.infer<typeof verifyJsonRequestSchema>;

export const verifyMultipartRequestSchema = z.object({
  ref: z.string().meta({ format: 'binary', description: 'The ID photo file' }),
  auth: z.string().meta({ format: 'binary', description: 'The face photo file' }),
  resourceCode: resourceCodeSchema.optional(),
  reference: referenceSchema.optional(),
});

export const verifyResponseSchema = z.object({
  requestId: z.string().meta({ description: 'This request (also in the x-request-id header).' }),
  upstreamRequestId: z.string().meta({ description: 'RequestId of the ID Verification API.' }),
  passed: z.boolean().meta({ description: 'Data.passed: the comparison ran and passed.' }),
  result: z.boolean().meta({ description: "extInfo.result: the API's final decision." }),
  score: z.number().min(0).max(100),
  faceAttack: z.boolean().nullable().meta({
    description:
      'extInfo.faceAttack: an attack was suspected. null when the API does not judge attacks (Cloudauth-intl FaceCompare), never a silent false.',
  }),
  retCode: z.string(),
  retCodeSub: z.string(),
  retMessage: z.string(),
  upstreamInconsistent: z.boolean().optional().meta({
    description:
      'Present (true) when the upstream verdict contradicted itself (result true with passed false or faceAttack true); result is then false.',
  }),
  transactionId: z
    .string()
    .optional()
    .meta({ description: 'Result.TransactionId of Cloudauth-intl FaceCompare, where the API gives one.' }),
  reference: z.string().optional(),
  verifiedAt: z.iso.datetime(),
});
export type VerifyResponse = z.infer<typeof verifyResponseSchema>;

export const errorResponseSchema = z.object({
  error: z.object({
    code: z.string().meta({ description: 'Stable machine-readable code.' }),
    message: z.string(),
    field: z.string().optional().meta({ description: 'The request field at fault, e.g. refFaceContent.' }),
    upstreamRequestId: z.string().optional().meta({
      description:
        'RequestId of the ID Verification API when it answered (e.g. upstream_unparseable: the call may have been billed).',
    }),
  }),
  requestId: z.string(),
});

export const healthResponseSchema = z.object({ status: z.literal('ok') });
