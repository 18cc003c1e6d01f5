/** Object key validation shared by the adapters: nothing may escape the bucket folder. */
import { StoreError } from './errors.ts';

/** Folder names the fs adapter keeps for itself (temporary files, metadata sidecars). */
export const RESERVED_TOP_LEVEL = ['.idv-tmp', '.idv-meta'] as const;

const MAX_KEY_BYTES = 1023; // OSS and S3 limit object keys to 1023 bytes of UTF-8

/** Throws StoreError('InvalidKey') unless `key` is a plain relative '/'-separated path. */
export function assertValidKey(key: string): void {
  const fail = (why: string): never => {
    throw new StoreError('InvalidKey', `invalid object key: ${why}`, { key: key.slice(0, 200) });
  };
  if (key.length === 0) fail('empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) fail('longer than 1023 bytes');
  if (key.includes('\0')) fail('contains NUL');
  if (key.includes('\\')) fail('contains a backslash');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(key)) fail('contains a control character');
  if (key.startsWith('/')) fail('absolute');
  if (/^[A-Za-z]:/.test(key)) fail('drive-absolute');
  if (key.endsWith('/')) fail('ends with /');
  const parts = key.split('/');
  for (const part of parts) {
    if (part === '') fail('empty path segment');
    if (part === '.' || part === '..') fail('dot segment');
  }
  if ((RESERVED_TOP_LEVEL as readonly string[]).includes(parts[0] ?? '')) fail('reserved folder');
}

export const isValidKey = (key: string): boolean => {
  try {
    assertValidKey(key);
    return true;
  } catch {
    return false;
  }
};
