/**
 * The conservative reading of an upstream verdict, whichever API gave it. A verdict that says "verified"
 * (`result: true`) while its own fields say otherwise (`passed: false`: the comparison did not pass, or
 * `faceAttack: true`: a spoof was seen) contradicts itself; it is decided as not verified and flagged
 * `upstreamInconsistent: true` so the reply, result.json and the log show why (docs/http-api.md).
 * Idempotent: a settled verdict is returned as it is.
 */
export interface VerdictCore {
  passed: boolean;
  result: boolean;
  /** null where the API does not judge attacks (Cloudauth-intl FaceCompare). */
  faceAttack: boolean | null;
  upstreamInconsistent?: boolean;
}

export const isInconsistentVerdict = (v: VerdictCore): boolean =>
  v.result && (!v.passed || v.faceAttack === true);

export function settleVerdict<T extends VerdictCore>(verdict: T): T {
  if (!isInconsistentVerdict(verdict)) return verdict;
  return { ...verdict, result: false, upstreamInconsistent: true };
}
