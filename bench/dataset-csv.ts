/** The labelled dataset's CSV files (pairs.csv, identities.csv): plain comma-separated, a header line first. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Rows as column -> cell, by the header's names; blank lines skipped. */
export function csvRows(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const columns = (header ?? '').split(',').map((c) => c.trim());
  return lines
    .filter((l) => l.trim() !== '')
    .map((l) => Object.fromEntries(l.split(',').map((c, i) => [columns[i], c.trim()])));
}

/**
 * DIR/identities.csv (file,identity) as file -> identity, or undefined when the dataset has none. Throws when
 * a row lacks either column.
 */
export async function readIdentities(dir: string): Promise<Map<string, string> | undefined> {
  const path = join(dir, 'identities.csv');
  if (!existsSync(path)) return undefined;
  const identities = new Map<string, string>();
  for (const row of csvRows(await readFile(path, 'utf8'))) {
    if (!row.file || !row.identity) throw new Error('identities.csv needs the columns file,identity');
    identities.set(row.file, row.identity);
  }
  return identities;
}
