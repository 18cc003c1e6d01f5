/** Builders of FC 3.0 HTTP replies. */
import type { FcHttpReply } from './http-event.ts';

export function jsonReply(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): FcHttpReply {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}
