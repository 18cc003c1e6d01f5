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
type HttpErrorCode = keyof typeof HTTP_ERRORS;

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
