/** The part of jstat (no types of its own on npm; a CommonJS module) the benchmarks use. */
declare module 'jstat' {
  const jstat: {
    jStat: {
      beta: {
        /** Quantile of the beta distribution with shapes a and b at probability p. */
        inv(p: number, a: number, b: number): number;
      };
    };
  };
  export default jstat;
}
