/** Fault injection state: counts are spent first (in FAULT_KINDS order), then shares. */
import { type FaultConfig, FaultConfigSchema, type FaultRate, type ResolvedFaultConfig } from './config.ts';

const FAULT_KINDS = [
  'hang',
  'throttle',
  'systemError',
  'processing',
  'malformedSuccess',
  'slowSuccess',
] as const;
type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultState {
  readonly config: ResolvedFaultConfig;
  /** The fault for the next API call, if any (spends one `count`). */
  next(): FaultKind | undefined;
}

export function createFaultState(config: FaultConfig = {}, random: () => number = Math.random): FaultState {
  const resolved = FaultConfigSchema.parse(config);
  const left = new Map<FaultKind, number>(FAULT_KINDS.map((k) => [k, rateOf(resolved, k)?.count ?? 0]));
  return {
    config: resolved,
    next() {
      for (const kind of FAULT_KINDS) {
        const n = left.get(kind) ?? 0;
        if (n > 0) {
          left.set(kind, n - 1);
          return kind;
        }
      }
      for (const kind of FAULT_KINDS) {
        const share = rateOf(resolved, kind)?.share ?? 0;
        if (share > 0 && random() < share) return kind;
      }
      return undefined;
    },
  };
}

const rateOf = (config: ResolvedFaultConfig, kind: FaultKind): FaultRate | undefined => config[kind];
