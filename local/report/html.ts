/**
 * The batch report as one self-contained HTML page (inline CSS and SVG, no script, nothing fetched): counts by
 * status, the score histogram with the pass mark, attempts, error codes, the cases that are not verified with
 * their reason, and when the batch ran. Every text from the bucket is escaped.
 */
import { own } from '../../shared/own.ts';
import { type BatchReport, HISTOGRAM_BINS } from './collect.ts';

export const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

const STATUS_COLOURS: Record<string, string> = {
  verified: '#0a7a28',
  rejected: '#b3261e',
  retrying: '#b26a00',
  failed: '#6d1b7b',
  held: '#b26a00',
  stale: '#5f6368',
  no_result: '#5f6368',
  unreadable: '#5f6368',
};

function histogramSvg(report: BatchReport): string {
  const width = 560;
  const height = 220;
  const left = 36;
  const bottom = 28;
  const plotW = width - left - 10;
  const plotH = height - bottom - 14;
  const max = Math.max(1, ...report.scoreHistogram);
  const binW = plotW / HISTOGRAM_BINS;
  const bars = report.scoreHistogram
    .map((n, i) => {
      const h = (n / max) * plotH;
      const x = left + i * binW + 2;
      const y = 14 + plotH - h;
      const passing = (i + 1) * (100 / HISTOGRAM_BINS) > report.threshold;
      return `<rect class="bin" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(binW - 4).toFixed(1)}" height="${h.toFixed(1)}" fill="${passing ? '#0a7a28' : '#b3261e'}"><title>${i * 10}-${i * 10 + 10}: ${n}</title></rect>${n > 0 ? `<text x="${(x + (binW - 4) / 2).toFixed(1)}" y="${(y - 3).toFixed(1)}" text-anchor="middle" font-size="11">${n}</text>` : ''}`;
    })
    .join('');
  const ticks = Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => {
    const x = left + i * binW;
    return `<text x="${x.toFixed(1)}" y="${height - 10}" text-anchor="middle" font-size="11">${i * 10}</text>`;
  }).join('');
  const tx = left + (report.threshold / 100) * plotW;
  return `<svg id="histogram" role="img" aria-label="score histogram, pass mark ${report.threshold}" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px">
<line x1="${left}" y1="${14 + plotH}" x2="${left + plotW}" y2="${14 + plotH}" stroke="#888"/>${bars}${ticks}
<line id="threshold" x1="${tx.toFixed(1)}" y1="6" x2="${tx.toFixed(1)}" y2="${14 + plotH}" stroke="#1d1d1f" stroke-width="2" stroke-dasharray="5 3"/>
<text x="${(tx + 4).toFixed(1)}" y="12" font-size="11">pass mark ${report.threshold}</text>
</svg>`;
}

const table = (head: string[], rows: (string | number)[][]) =>
  `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;

export function renderReportHtml(report: BatchReport): string {
  const statuses = Object.entries(report.byStatus).sort((a, b) => b[1] - a[1]);
  const cards = [['cases', report.cases] as [string, number], ...statuses]
    .map(
      ([k, n]) =>
        `<div class="card" data-status="${escapeHtml(k)}" style="border-color:${own(STATUS_COLOURS, k) ?? '#1d1d1f'}"><div class="n">${n}</div><div>${escapeHtml(k)}</div></div>`,
    )
    .join('');
  const attempts = Object.entries(report.attempts).sort((a, b) => Number(a[0]) - Number(b[0]));
  const codes = Object.entries(report.errorCodes).sort((a, b) => b[1] - a[1]);
  const s = report.scores;
  const ran =
    report.firstAttemptAt && report.lastAttemptAt
      ? `from ${report.firstAttemptAt} to ${report.lastAttemptAt}`
      : 'no case has been processed yet';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Batch report: ${escapeHtml(report.prefix || '(bucket root)')}</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 0 auto; padding: 1rem; color: #1d1d1f; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 1.6rem; }
  .cards { display: flex; flex-wrap: wrap; gap: .6rem; }
  .card { border: 2px solid; border-radius: 8px; padding: .4rem .9rem; min-width: 6rem; }
  .card .n { font-size: 1.6rem; font-weight: 600; }
  table { border-collapse: collapse; margin: .4rem 0; }
  th, td { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; vertical-align: top; }
  td { overflow-wrap: break-word; }
  .muted { color: #555; }
</style></head><body>
<h1>Batch report: ${escapeHtml(report.prefix === '' ? '(bucket root)' : `${report.prefix}/`)}</h1>
<p class="muted">Source ${escapeHtml(report.source)}. Cases ran ${escapeHtml(ran)}. Report made ${escapeHtml(report.generatedAt)}.</p>
<h2>Cases by status</h2>
<div class="cards" id="counts">${cards}</div>
<h2>Verdicts</h2>
<p id="verdicts">Of the verified cases: ${report.verdicts.same_person} the same person, ${report.verdicts.not_same_person} not the same person, ${report.verdicts.attack_suspected} spoofing suspected.</p>
${
  report.mismatches.length === 0
    ? ''
    : table(
        ['case', 'verdict', 'score', 'details'],
        report.mismatches.map((c) => [c.caseId, c.status.replace(/_/g, ' '), c.score ?? '', c.reason]),
      )
}
<h2>Scores</h2>
<p>${s.count === 0 ? 'No verdict with a score yet.' : `${s.count} scores, from ${s.min} to ${s.max}, mean ${s.mean}; pass mark ${report.threshold}.`}</p>
${histogramSvg(report)}
<h2>Attempts</h2>
${attempts.length === 0 ? '<p>None.</p>' : table(['attempts', 'cases'], attempts)}
<h2>Error codes</h2>
${codes.length === 0 ? '<p>None.</p>' : table(['code', 'cases'], codes)}
<h2>Cases not verified (${report.notVerified.length})</h2>
${
  report.notVerified.length === 0
    ? '<p>Every case is verified.</p>'
    : table(
        ['case', 'status', 'reason', 'attempts'],
        report.notVerified.map((c) => [c.caseId, c.status, c.reason, c.attempts ?? '']),
      )
}
</body></html>
`;
}
