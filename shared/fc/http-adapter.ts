/**
 * FC 3.0 HTTP event (a Buffer of JSON) -> the app's request -> FC reply. An event that cannot be converted is
 * a 400 (as hono's platform adapters do). Used by functions/verify-http and, through it, by local/runner.
 */
import type { Clock } from '../clock.ts';
import type { AppRequest, AppResponse } from '../http/app.ts';
import type { Credentials } from '../idv/types.ts';
import { credentialsFor, deadlineFor, fcContextSchema } from './context.ts';
import { eventBody, type FcHttpReply, fcHttpEventSchema } from './http-event.ts';
import { EventParseError, parseJsonWith } from './json.ts';
import { jsonReply } from './reply.ts';

interface FcHttpAdapterOptions {
  app: { handle(req: AppRequest): Promise<AppResponse> };
  clock: Clock;
  /** Used when the context carries no STS credentials (the ALIBABA_CLOUD_* environment). */
  fallbackCredentials: Credentials | undefined;
  requestBudgetMs: number;
}

export function createFcHttpHandler(options: FcHttpAdapterOptions) {
  return async (event: Buffer | string, rawContext: unknown): Promise<FcHttpReply> => {
    const startEpochMs = options.clock.nowMs();
    // Never fails: a context without a requestId (or none at all) gets a fresh one (context.ts).
    const context = fcContextSchema.parse(rawContext);
    const requestId = context.requestId;
    let parsed: ReturnType<typeof fcHttpEventSchema.parse>;
    try {
      parsed = parseJsonWith(fcHttpEventSchema, event);
    } catch (err) {
      const message =
        err instanceof EventParseError ? `not an FC HTTP event (${err.message})` : 'not an FC HTTP event';
      return jsonReply(
        400,
        { error: { code: 'invalid_event', message }, requestId },
        { 'x-request-id': requestId },
      );
    }
    const credentials = credentialsFor(context, options.fallbackCredentials);
    const response = await options.app.handle({
      method: parsed.requestContext.http.method,
      path: parsed.requestContext.http.path,
      headers: parsed.headers,
      body: eventBody(parsed),
      requestId,
      ...(credentials ? { credentials } : {}),
      deadlineEpochMs: deadlineFor(context, startEpochMs, options.requestBudgetMs),
    });
    return {
      statusCode: response.status,
      headers: response.headers,
      body: response.body,
      isBase64Encoded: false,
    };
  };
}
