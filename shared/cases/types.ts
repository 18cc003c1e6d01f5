/**
 * What processCase needs (its ports) and what it reports, apart from processCase itself so that the modules it
 * calls (write-result.ts, invalid-case.ts) can name them without importing it back.
 */
import type { Clock } from '../clock.ts';
import type { Credentials, IdvClient } from '../idv/types.ts';
import type { Logger } from '../log.ts';
import type { ObjectStore } from '../store/types.ts';
import type { PhotoRole } from './layout.ts';
import type { CaseResult, CaseStatus } from './schemas.ts';
import type { CaseSettings } from './settings.ts';

export interface CaseDeps {
  store: ObjectStore;
  client: IdvClient;
  clock: Clock;
  logger: Logger;
  settings: CaseSettings;
  /** Names this instance in claims (debugging only); random by default. */
  owner?: string;
  /** This invocation's credentials (FC STS keys); the client's own provider when absent. */
  credentials?: Credentials;
}

export type CaseOutcome =
  | { action: 'waiting'; missing: PhotoRole[] }
  | { action: 'up-to-date'; status: CaseStatus }
  | { action: 'not-due'; nextAttemptAt: string }
  /** Another instance holds the pair; its lease ends at leaseUntilEpochMs (when known): look again then. */
  | { action: 'busy'; leaseUntilEpochMs?: number }
  | { action: 'superseded' }
  | {
      action: 'written';
      status: CaseStatus;
      result: CaseResult;
      upstreamCalled: boolean;
      reusedPaid: boolean;
    };
