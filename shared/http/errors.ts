/** Errors raised by the HTTP edge itself (routing, authentication, body parsing). */

export const HTTP_ERRORS = {
  unauthorized: 401,
  not_found: 404,
  method_not_allowed: 405,
  invalid_json: 400,
  invalid_request: 400,
  invalid_multipart: 400,
  duplicate_field: 400,
  resource_code_required: 400,
  idempotency_not_configured: 400,
  invalid_idempotency_key: 400,
  idempotency_in_flight: 409,
  idempotency_key_reused: 422,
  upstream_outcome_uncertain: 502,
  payload_too_large: 413,
  unsupported_content_type: 415,
} as const;
export type HttpErrorCode = keyof typeof HTTP_ERRORS;

/**
 * Errors answered in front of the app, where no HttpError is thrown: `invalid_event` by the FC adapter
 * (shared/fc/http-adapter.ts) for an event that is not an FC HTTP event, the others by the FC-style runner
 * (local/runner/fc-http.ts: `npm start` and the integration tests) for HTTP it cannot hand to the function.
 * In the cloud FC's own front end answers malformed HTTP, oversized headers and slow bodies in its own format.
 * With HTTP_ERRORS, PHOTO_ERRORS, UPSTREAM_STATUS and `internal_error` they are every `error.code` there is
 * (the OpenAPI ErrorCode enum, `allErrorCodes`).
 */
export const EDGE_ERRORS = {
  invalid_event: { status: 400, message: 'not an FC HTTP event' },
  bad_request: { status: 400, message: 'the request is not valid HTTP/1.1' },
  request_timeout: { status: 408, message: 'the request did not arrive in time' },
  headers_too_large: { status: 431, message: 'the request headers are too large' },
  function_error: { status: 502, message: 'the function failed' },
} as const;
export type EdgeErrorCode = keyof typeof EDGE_ERRORS;

/** The status that goes with a code of HTTP_ERRORS or EDGE_ERRORS. */
export const statusOfCode = (code: HttpErrorCode | EdgeErrorCode): number =>
  Object.hasOwn(EDGE_ERRORS, code)
    ? EDGE_ERRORS[code as EdgeErrorCode].status
    : HTTP_ERRORS[code as HttpErrorCode];

export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly code: HttpErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  readonly headers: Record<string, string>;
  constructor(
    code: HttpErrorCode,
    message: string,
    options: { field?: string; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = HTTP_ERRORS[code];
    this.field = options.field;
    this.headers = options.headers ?? {};
  }
}
