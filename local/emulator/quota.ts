/** Per-AccessKey daily quota, counted per UTC day of the injected clock. */
import type { Clock } from '../../shared/clock.ts';

export function createQuota(clock: Clock) {
  const used = new Map<string, { dayUtc: string; count: number }>();
  const today = () => new Date(clock.nowMs()).toISOString().slice(0, 10);
  return {
    /** Takes one call from the key's quota; false when none is left (nothing taken). */
    take(accessKeyId: string, dailyQuota: number | undefined): boolean {
      if (dailyQuota === undefined) return true;
      const day = today();
      const entry = used.get(accessKeyId);
      const count = entry?.dayUtc === day ? entry.count : 0;
      if (count >= dailyQuota) return false;
      used.set(accessKeyId, { dayUtc: day, count: count + 1 });
      return true;
    },
  };
}
