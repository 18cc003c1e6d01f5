/**
 * A DET curve (detection error trade-off, ISO/IEC 19795-1) as a standalone SVG: FMR on x, FNMR on y, both on
 * the normal-deviate (probit) scale, so that normal score distributions give straight lines. Rates of 0
 * cannot be drawn on that scale: they are clamped to the axis minimum and the caption says so. Pure.
 */
import type { DetPoint } from './engine-metrics.ts';

/** Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function probit(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - low) return -probit(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

export interface DetSeries {
  name: string;
  points: readonly DetPoint[];
  /** The configured operating point, marked on the curve. */
  operatingPoint?: { fmr: number; fnmr: number; label: string };
}

const TICKS = [0.0001, 0.001, 0.01, 0.05, 0.2, 0.5];
const MIN_RATE = 0.0001;
const MAX_RATE = 0.5;
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

const escapeXml = (text: string) =>
  text.replace(/[<>&"]/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[ch]!);

export function detSvg(series: readonly DetSeries[], title: string, caption: string): string {
  const width = 560;
  const height = 520;
  const left = 70;
  const top = 40;
  const plot = 400;
  const lo = probit(MIN_RATE);
  const hi = probit(MAX_RATE);
  const clamp = (rate: number) => probit(Math.min(MAX_RATE, Math.max(MIN_RATE, rate)));
  const x = (fmr: number) => left + ((clamp(fmr) - lo) / (hi - lo)) * plot;
  const y = (fnmr: number) => top + plot - ((clamp(fnmr) - lo) / (hi - lo)) * plot;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${left + plot / 2}" y="20" text-anchor="middle" font-size="13">${escapeXml(title)}</text>`,
    `<rect x="${left}" y="${top}" width="${plot}" height="${plot}" fill="none" stroke="#333"/>`,
  ];
  for (const t of TICKS) {
    out.push(
      `<line x1="${x(t)}" y1="${top}" x2="${x(t)}" y2="${top + plot}" stroke="#ddd"/>`,
      `<line x1="${left}" y1="${y(t)}" x2="${left + plot}" y2="${y(t)}" stroke="#ddd"/>`,
      `<text x="${x(t)}" y="${top + plot + 15}" text-anchor="middle">${t}</text>`,
      `<text x="${left - 6}" y="${y(t) + 4}" text-anchor="end">${t}</text>`,
    );
  }
  out.push(
    `<text x="${left + plot / 2}" y="${top + plot + 35}" text-anchor="middle">FMR (false match rate, different people passed)</text>`,
    `<text transform="translate(18 ${top + plot / 2}) rotate(-90)" text-anchor="middle">FNMR (false non-match rate, same person refused)</text>`,
  );
  for (const [i, s] of series.entries()) {
    const colour = COLOURS[i % COLOURS.length]!;
    const path = s.points.map((p) => `${x(p.fmr).toFixed(1)},${y(p.fnmr).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    out.push(
      `<text x="${left + plot - 8}" y="${top + 16 + i * 15}" text-anchor="end" fill="${colour}">${escapeXml(s.name)}</text>`,
    );
    if (s.operatingPoint) {
      const { fmr, fnmr, label } = s.operatingPoint;
      out.push(
        `<circle cx="${x(fmr).toFixed(1)}" cy="${y(fnmr).toFixed(1)}" r="5" fill="none" stroke="${colour}" stroke-width="2"/>`,
        `<text x="${(x(fmr) + 8).toFixed(1)}" y="${(y(fnmr) - 8).toFixed(1)}" fill="${colour}">${escapeXml(label)}</text>`,
      );
    }
  }
  const lines = caption.match(/.{1,95}(\s|$)/g) ?? [caption];
  for (const [i, line] of lines.entries()) {
    out.push(`<text x="10" y="${top + plot + 55 + i * 14}">${escapeXml(line.trim())}</text>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
