/**
 * Structured JSON logging, one line per entry, with redaction applied before anything is written.
 * Never log `context` or whole events: FC's context.credentials holds live keys.
 */

export type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds these fields (requestId, caseId, ...) to every entry. */
  child(fields: LogFields): Logger;
}

/** Keys whose values are never written, whatever they hold (matched case-insensitively). */
const SECRET_KEY =
  /secret|password|token|signature|authorization|credential|apikey|api_key|facecontent|^body$/i;
/** Long runs of base64 (photo bytes) inside any string. */
const LONG_BASE64 = /[A-Za-z0-9+/=_-]{200,}/g;
/** Access key ids and bearer tokens that may appear inside free text such as error messages. */
const INLINE_SECRET =
  /(Bearer\s+)[^\s"']+|(AccessKeyId=|Signature=|SecurityToken=|AccessKeySecret=)[^&\s"']+/gi;

const MAX_DEPTH = 6;

export function redactString(value: string): string {
  return value
    .replace(LONG_BASE64, (m) => `[redacted ${m.length} chars]`)
    .replace(INLINE_SECRET, (_m, bearer, key) => `${bearer ?? key}[redacted]`);
}

/** Returns a copy of `value` safe to log: secrets and photo data masked, errors serialised through `cause`. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') {
    return typeof value === 'bigint' ? value.toString() : value;
  }
  if (depth >= MAX_DEPTH) return '[depth]';
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return `[${(value as { byteLength: number }).byteLength} bytes]`;
  }
  if (value instanceof Error) return serialiseError(value, depth);
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      SECRET_KEY.test(key) && v !== undefined && typeof v !== 'boolean' && typeof v !== 'number'
        ? '[redacted]'
        : redact(v, depth + 1);
  }
  return out;
}

function serialiseError(err: Error, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: redactString(err.message) };
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  const requestId = (err as { requestId?: unknown }).requestId;
  if (requestId !== undefined) out.requestId = requestId;
  if (err.stack) out.stack = redactString(err.stack.split('\n').slice(0, 8).join('\n'));
  if (err.cause !== undefined) out.cause = redact(err.cause, depth + 1);
  return out;
}

export interface LoggerOptions {
  level?: Level;
  /** Where lines go; defaults to stdout. Tests pass an array push to capture every line. */
  write?: (line: string) => void;
  fields?: LogFields;
  now?: () => number;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const min = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const base = options.fields ?? {};

  const make = (bound: LogFields): Logger => {
    const emit = (level: Level, msg: string, fields?: LogFields) => {
      if (LEVELS[level] < min) return;
      const entry = redact({ ...bound, ...fields }) as LogFields;
      write(JSON.stringify({ level, msg: redactString(msg), time: new Date(now()).toISOString(), ...entry }));
    };
    return {
      debug: (msg, fields) => emit('debug', msg, fields),
      info: (msg, fields) => emit('info', msg, fields),
      warn: (msg, fields) => emit('warn', msg, fields),
      error: (msg, fields) => emit('error', msg, fields),
      child: (fields) => make({ ...bound, ...fields }),
    };
  };
  return make(base);
}

const drop = (): void => {};
/** A logger that drops everything (benchmarks, tests), without building the entries it drops. */
export const silentLogger: Logger = {
  debug: drop,
  info: drop,
  warn: drop,
  error: drop,
  child: () => silentLogger,
};
