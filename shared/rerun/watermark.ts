/**
 * The resume position of a run whose cases finish out of order: cases are numbered in listing order, and the
 * position is the last case such that it and every case before it have finished.
 */
export interface Position {
  /** `<prefix>/<caseId>/` */
  folder: string;
  /** Token of the listing page holding the folder's first key. */
  pageToken: string | undefined;
}

interface Watermark {
  finish(seq: number, position: Position): void;
  /** undefined while no case (and no earlier cursor) is behind it. */
  position(): Position | undefined;
}

export function createWatermark(start?: Position): Watermark {
  let doneSeq = -1;
  let done = start;
  // Only cases finished ahead of an unfinished one wait here: bounded by the cases in flight.
  const ahead = new Map<number, Position>();
  return {
    finish(seq, position) {
      ahead.set(seq, position);
      for (let next = ahead.get(doneSeq + 1); next; next = ahead.get(doneSeq + 1)) {
        ahead.delete(doneSeq + 1);
        doneSeq += 1;
        done = next;
      }
    },
    position: () => done,
  };
}
