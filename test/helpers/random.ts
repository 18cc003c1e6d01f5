/**
 * Seeded randomness for tests: the same seed gives the same draws, so a failure reproduces. A test that draws
 * names its seed in its assertion messages; set TEST_SEED to try another one.
 */

/** The seed a test uses unless it names its own: TEST_SEED when set, else a fixed default. */
export const testSeed = (fallback = 20_261_129): number => {
  const fromEnv = Number.parseInt(process.env.TEST_SEED ?? '', 10);
  return Number.isSafeInteger(fromEnv) ? fromEnv : fallback;
};

/** mulberry32: a small, fast PRNG with a 32-bit state; draws in [0, 1) like Math.random. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

/** Fisher-Yates with the given draws; returns a new array. */
export const shuffled = <T>(items: readonly T[], random: () => number): T[] => {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};
