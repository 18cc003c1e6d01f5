/** The verify-oss invocation result: what happened to each record, with counts per action. */
import type { KeyReport } from '../../shared/cases/batch.ts';

export interface OssReply {
  ok: boolean;
  error?: { code: string; message: string };
  counts: Record<string, number>;
  reports: KeyReport[];
}

export function summarise(total: number, reports: KeyReport[], invalidRecords: number): OssReply {
  const counts: Record<string, number> = { records: total };
  if (invalidRecords > 0) counts.invalidRecord = invalidRecords;
  for (const r of reports) counts[r.action] = (counts[r.action] ?? 0) + 1;
  return { ok: (counts.error ?? 0) === 0, counts, reports };
}
