/**
 * The progress bar of `npm run rerun` on a TTY. It starts when the first case is seen, at 0 of what has been
 * seen so far (cli-progress draws 0/0 as a full bar), and grows its total as the listing goes on.
 */
export interface Bar {
  start(total: number, value: number, payload: object): void;
  setTotal(total: number): void;
  update(value: number, payload: object): void;
  stop(): void;
}

export function createProgress(bar: Bar | undefined, tally: object) {
  let scanned = 0;
  let handled = 0;
  let started = false;
  return {
    scanned: () => scanned,
    onScan(): void {
      scanned += 1;
      if (!bar) return;
      if (!started) {
        started = true;
        bar.start(scanned, 0, tally);
      } else bar.setTotal(scanned);
    },
    onCase(): void {
      handled += 1;
      if (!bar) return;
      if (!started) {
        started = true;
        bar.start(Math.max(scanned, handled), 0, tally);
      }
      bar.update(handled, tally);
    },
    stop(): void {
      if (started) bar?.stop();
    },
  };
}
