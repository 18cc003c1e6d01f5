/**
 * Claim leases and the time margins around them, in one place with their reasons. Every part of the bucket door
 * (processCase, the scheduled rerun, the local watcher) judges a claim by this one rule.
 */

/**
 * A claim protects its version until its own `leaseUntilEpochMs` (written by its holder when it won the claim).
 * Never judged from a listing's last-modified time: clocks of stores and instances differ, and the holder's own
 * deadline is what bounds its upstream call. An unreadable claim (undefined) does not hold: only a newer claim
 * number can replace it, so taking it over is safe.
 */
export const claimHolds = (
  claim: { leaseUntilEpochMs: number } | undefined,
  nowEpochMs: number,
): claim is { leaseUntilEpochMs: number } => claim !== undefined && nowEpochMs < claim.leaseUntilEpochMs;

/**
 * The newest claim of a version still needs its lease checked only when it is newer than the result about that
 * version (`resultSeq`, 0 when result.json is about another version) and was not released (a `done` marker:
 * its holder finished, was superseded, or stopped at a run-level error).
 */
export const pendingClaimSeq = (
  newest: { seq: number; released: boolean } | undefined,
  resultSeq: number,
): number | undefined =>
  newest !== undefined && newest.seq > resultSeq && !newest.released ? newest.seq : undefined;

/**
 * Kept between the upstream call's deadline and the end of the lease: after the call the holder still writes the
 * paid record and result.json, and no takeover may start while it does (a takeover would pay again).
 */
export const LEASE_MARGIN_MS = 5_000;

/**
 * The local watcher looks again at a busy pair this long after its holder's lease ends: a takeover must see the
 * lease as ended (claimHolds is strict), and the store's and the process's clocks are the same machine's.
 */
export const BUSY_RECHECK_GRACE_MS = 250;
