/**
 * FC 3.0 HTTP trigger event and reply. Facts from the documented sample (test/fixtures/events/http/get.json):
 * repeated header and query values arrive joined with commas; a binary body is base64 with
 * isBase64Encoded=true; rawPath is URL-encoded while requestContext.http.path is decoded.
 * Header names are matched case-insensitively (shared/http/headers.ts).
 */
import { z } from 'zod';

export const fcHttpEventSchema = z.object({
  version: z.string().optional(),
  rawPath: z.string(),
  headers: z.record(z.string(), z.string()).default({}),
  queryParameters: z.record(z.string(), z.string()).default({}),
  body: z.string().default(''),
  isBase64Encoded: z.boolean().default(false),
  requestContext: z
    .object({
      requestId: z.string(),
      http: z
        .object({
          method: z.string().min(1),
          path: z.string(),
          sourceIp: z.string().optional(),
          protocol: z.string().optional(),
          userAgent: z.string().optional(),
        })
        .loose(),
    })
    .loose(),
});
export type FcHttpEvent = z.infer<typeof fcHttpEventSchema>;

export const fcHttpReplySchema = z.object({
  statusCode: z.number().int().min(100).max(599),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
  isBase64Encoded: z.boolean(),
});
export type FcHttpReply = z.infer<typeof fcHttpReplySchema>;

/** The body of an event: its bytes when base64-encoded, else its text as is (no copy of a large JSON body). */
export const eventBody = (event: FcHttpEvent): Buffer | string =>
  event.isBase64Encoded ? Buffer.from(event.body, 'base64') : event.body;
