/**
 * `.env.example`: every variable of the `*EnvSchema` objects in shared/config.ts and the emulator's settings,
 * grouped by section (each variable once, under the first section that reads it), with its default (or empty when unset) and its one-line meaning from shared/config-docs.ts.
 */
import type { z } from 'zod';
import { emulatorEnvSchema } from '../../local/emulator/settings.ts';
import * as config from '../../shared/config.ts';
import { ENV_DOCS } from '../../shared/config-docs.ts';

type Section = { name: string; variables: string[] };

const keysOf = (schema: unknown): string[] => {
  const shape = (schema as z.ZodObject).shape;
  return shape ? Object.keys(shape) : [];
};

const ORDER = ['idv', 'credentials', 'http', 'log', 'bucket', 'rerun', 'local', 'emulator'];
const rank = (name: string) => (ORDER.indexOf(name) === -1 ? ORDER.length : ORDER.indexOf(name));

/** Every `*EnvSchema` export of config.ts (a new section is picked up by itself), then the emulator's. */
export function envSections(): Section[] {
  const schemas: [string, unknown][] = [
    ...Object.entries(config).filter(([name]) => name.endsWith('EnvSchema')),
    ['emulatorEnvSchema', emulatorEnvSchema],
  ];
  schemas.sort(([a], [b]) => rank(a.replace(/EnvSchema$/, '')) - rank(b.replace(/EnvSchema$/, '')));
  const seen = new Set<string>();
  return schemas.map(([name, schema]) => {
    const variables = keysOf(schema).filter((v) => !seen.has(v));
    for (const v of variables) seen.add(v);
    return { name: name.replace(/EnvSchema$/, ''), variables };
  });
}

export class UndocumentedVariableError extends Error {
  override readonly name = 'UndocumentedVariableError';
  constructor(readonly variables: string[]) {
    super(`describe ${variables.join(', ')} in shared/config-docs.ts, then run npm run env:example`);
  }
}

export function renderEnvExample(): string {
  const sections = envSections();
  const missing = sections.flatMap((s) => s.variables).filter((v) => !ENV_DOCS[v]);
  if (missing.length > 0) throw new UndocumentedVariableError(missing);
  const lines = [
    '# Every environment variable the functions, npm start and the emulator read, with its default.',
    '# Generated from shared/config.ts by `npm run env:example`; do not edit by hand.',
    '# An empty value means unset. Copy to .env and source it (set -a; . ./.env; set +a) to use it.',
  ];
  for (const section of sections) {
    if (section.variables.length === 0) continue;
    lines.push('', `# ---- ${section.name} ----`);
    for (const v of section.variables) {
      const doc = ENV_DOCS[v] as { default: string; meaning: string };
      lines.push(`# ${doc.meaning}`, `${v}=${doc.default}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
