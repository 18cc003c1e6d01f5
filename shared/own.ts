/**
 * Records keyed by strings from outside (an AccessKeyId, an Action, an upstream Code, a path). A plain object
 * literal inherits `constructor`, `valueOf`, `__proto__`..., so `table[key]` on such a key finds a function
 * and `table[key] = n` on `__proto__` sets the prototype. These two helpers make any string just a key.
 */

/** The record's own value at `key`, never one inherited from Object.prototype. */
export const own = <V>(record: Readonly<Partial<Record<string, V>>>, key: string): V | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

/** An empty record without a prototype, for counts keyed by outside strings. */
export const dict = <V>(): Record<string, V> => Object.create(null) as Record<string, V>;

/** Adds one to `counts[key]` (an own key; 0 when absent). */
export const tally = (counts: Record<string, number>, key: string): void => {
  counts[key] = (own(counts, key) ?? 0) + 1;
};
