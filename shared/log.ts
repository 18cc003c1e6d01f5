/**
 * Structured JSON logging, one line per entry, with redaction applied before anything is written.
 * Never log `context` or whole events: FC's context.credentials holds live keys.
 */

type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

type LogFields = Record<string, unknown>;

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
/**
 * Runs of base64 (photo bytes) inside any string: from 40 characters when the run mixes upper case, lower case
 * and digits as base64 does (a 64-hex pair hash, a caseId or a UUID stay readable), from 200 whatever it holds.
 */
const BASE64_RUN = /[A-Za-z0-9+/=_-]{40,}/g;
const LONG_RUN = 200;
const looksLikeBase64 = (run: string): boolean =>
  run.length >= LONG_RUN || (/[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run));
/** In text from the upstream every run of the base64 alphabet from 40 characters is masked. */
const UPSTREAM_BASE64_RUN = /[A-Za-z0-9+/=_-]{40,}/g;
/** Access key ids and bearer tokens that may appear inside free text such as error messages. */
const INLINE_SECRET =
  /(Bearer\s+)[^\s"']+|(AccessKeyId=|Signature=|SecurityToken=|AccessKeySecret=)[^&\s"']+/gi;

const MAX_DEPTH = 6;

const masked = (run: string): string => `[redacted ${run.length} chars]`;

export function redactString(value: string): string {
  return value
    .replace(BASE64_RUN, (m) => (looksLikeBase64(m) ? masked(m) : m))
    .replace(INLINE_SECRET, (_m, bearer, key) => `${bearer ?? key}[redacted]`);
}

/**
 * Text that came from the upstream (a message, retMessage, a transport error): every base64-alphabet run of 40
 * characters or more is masked, whatever it looks like, before the text reaches a log line, a reply or result.json.
 */
export function redactUpstreamText(value: string): string {
  return redactString(value.replace(UPSTREAM_BASE64_RUN, masked));
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

interface LoggerOptions {
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
