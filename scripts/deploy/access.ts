/**
 * Serverless Devs' key store, read without network: `~/.s/access.yaml` maps an alias to its settings, each value
 * encrypted by `s config add` with crypto-js AES under the passphrase "SecretKey123" (read from s 3.1.10's
 * bundle, lib/index.js: `AES.encrypt(String(value), "SecretKey123")`). That is OpenSSL's "Salted__" format:
 * key and IV from EVP_BytesToKey(MD5), AES-256-CBC.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

export const S_PASSPHRASE = 'SecretKey123';

export const defaultAccessFile = (): string => {
  const yaml = join(homedir(), '.s', 'access.yaml');
  const yml = join(homedir(), '.s', 'access.yml');
  return existsSync(yaml) || !existsSync(yml) ? yaml : yml;
};

/** EVP_BytesToKey with MD5, one iteration: what crypto-js and `openssl enc -md md5` use for a passphrase. */
export function evpKeyIv(passphrase: string, salt: Buffer): { key: Buffer; iv: Buffer } {
  const out: Buffer[] = [];
  let prev = Buffer.alloc(0);
  while (Buffer.concat(out).length < 48) {
    prev = createHash('md5')
      .update(Buffer.concat([prev, Buffer.from(passphrase, 'utf8'), salt]))
      .digest();
    out.push(prev);
  }
  const all = Buffer.concat(out);
  return { key: all.subarray(0, 32), iv: all.subarray(32, 48) };
}

/** The plain value of one access.yaml entry; the text itself when it is not an encrypted value. */
export function decryptAccessValue(value: string): string {
  const raw = Buffer.from(value, 'base64');
  if (raw.length < 32 || raw.subarray(0, 8).toString('latin1') !== 'Salted__') return value;
  const { key, iv } = evpKeyIv(S_PASSPHRASE, raw.subarray(8, 16));
  const decipher = createDecipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([decipher.update(raw.subarray(16)), decipher.final()]).toString('utf8');
}

export type AccessAliases = Record<string, Record<string, string>>;

/** Aliases and their decrypted settings; an empty object when the file does not exist. */
export function readAccessFile(path: string): AccessAliases {
  if (!existsSync(path)) return {};
  const doc = (parse(readFileSync(path, 'utf8')) ?? {}) as Record<string, unknown>;
  const out: AccessAliases = {};
  for (const [alias, settings] of Object.entries(doc)) {
    if (settings === null || typeof settings !== 'object') continue;
    out[alias] = {};
    for (const [k, v] of Object.entries(settings as Record<string, unknown>)) {
      try {
        (out[alias] as Record<string, string>)[k] = decryptAccessValue(String(v));
      } catch {
        (out[alias] as Record<string, string>)[k] = '';
      }
    }
  }
  return out;
}
