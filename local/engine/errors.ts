/** Errors of the face engine itself (not of the photos: those are typed Unjudged outcomes, never thrown). */

export const ENGINE_ERROR_CODES = {
  startFailed: 'ENGINE_START_FAILED',
  closed: 'ENGINE_CLOSED',
  workerFailed: 'ENGINE_WORKER_FAILED',
  badOptions: 'ENGINE_BAD_OPTIONS',
} as const;
export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[keyof typeof ENGINE_ERROR_CODES];

export class FaceEngineError extends Error {
  readonly code: EngineErrorCode;

  constructor(code: EngineErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FaceEngineError';
    this.code = code;
  }
}
