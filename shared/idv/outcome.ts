/**
 * The `outcome` of the `idv verify` log lines, named for what happened (SLS dashboards count these):
 * - `verified`: the API decided it is the same person;
 * - `not_same_person`: it compared the faces and they differ (a normal verdict, not a failure);
 * - `attack_suspected`: it saw a spoofing attempt (`faceAttack` true);
 * - `refused`: it answered and refused the request (quota, activation, parameters, credentials, photo);
 * - `failed`: no usable answer (network, timeout, system error, unexpected reply, aborted).
 */
import type { IdvErrorCode } from './errors.ts';

const IDV_OUTCOMES = ['verified', 'not_same_person', 'attack_suspected', 'refused', 'failed'] as const;
type IdvOutcome = (typeof IDV_OUTCOMES)[number];

/** `faceAttack` is null when the API does not judge spoofing (FaceCompare). */
export const verdictOutcome = (v: { result: boolean; faceAttack?: boolean | null }): IdvOutcome =>
  v.result ? 'verified' : v.faceAttack === true ? 'attack_suspected' : 'not_same_person';

/** Error codes for which the upstream answered and said no; every other code is a failure to get an answer. */
const REFUSED_CODES = [
  'QuotaExceeded',
  'Throttled',
  'NotActivated',
  'InvalidService',
  'InvalidResourceCode',
  'InvalidParameters',
  'AuthFailed',
  'UnableGetImage',
  'UpstreamRejected',
] as const satisfies readonly IdvErrorCode[];

export const errorOutcome = (code: string): IdvOutcome =>
  (REFUSED_CODES as readonly string[]).includes(code) ? 'refused' : 'failed';
