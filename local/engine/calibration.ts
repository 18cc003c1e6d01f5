/**
 * Calibration of the engine, measured on ../shared/datasets/faces-dev with `npm run bench:engine` (see the
 * docs/benchmarks.md "Face engine" for the figures and the exact command). Values are chosen with margin, not
 * fitted to the last pair: a held-out set of other people checks them.
 */

/**
 * Descriptor distance that maps to a score of 50 (the logistic midpoint), which is also the default threshold.
 * faces-dev (378 pairs, face-api descriptors): same-person distances reach 0.657 (p95 0.57), different
 * people start at 0.656 (p5 0.76). FNMR <= 2% needs a threshold above 0.643 and FMR = 0 one below 0.656: the
 * two targets leave only that window, and 0.65 sits in it. With ID-style refs the same-person distances stay
 * lower (greyscale and JPEG q50 move them little).
 */
export const SCORE_MIDPOINT_DISTANCE = 0.65;
/** Logistic slope: one unit of distance/SCORE_SLOPE moves the score through e (about 2.7x odds). */
export const SCORE_SLOPE = 0.06;
/** Default pass threshold on the 0-100 score. */
export const DEFAULT_THRESHOLD = 50;

/**
 * Replay signal (replay.ts): gradient similarity of the canonical-pose thumbnails minus descriptor distance.
 * faces-dev: genuine same-person pairs <= 0.38, replays >= 0.55 (one crop missed); threshold in the middle.
 */
export const REPLAY_MIN_VALUE = 0.465;

/** Passive heuristics fire only below these (human's "real" and "live" scores, 0-1). */
export const ANTISPOOF_MIN_REAL = 0.02;
export const LIVENESS_MIN_LIVE = 0.02;
