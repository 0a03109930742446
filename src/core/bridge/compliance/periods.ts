/**
 * The calendar of the compliance posts, in UTC: days (`YYYY-MM-DD`), audit periods aligned on the epoch
 * (every N hours from midnight UTC), and ISO weeks (Monday to Sunday). Pure.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * How long after a period ends its post waits: each writer seals its day a minute after midnight, and a
 * message received just before the end is posted in Teams within seconds.
 */
export const SETTLE_MS = 5 * 60_000;

/** `YYYY-MM-DD` of `at` (epoch ms). */
export function dayOf(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** Epoch ms of the start of `day`. */
export function startOfDay(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

/** The day `days` after `day` (negative: before). */
export function addDays(day: string, days: number): string {
  return dayOf(startOfDay(day) + days * DAY_MS);
}

/** The Monday (`YYYY-MM-DD`) of the ISO week containing `at`. */
export function mondayOf(at: number): string {
  const day = Math.floor(at / DAY_MS);
  // 1970-01-01 was a Thursday: three days after a Monday.
  return dayOf((day - ((day + 3) % 7)) * DAY_MS);
}

/** The last audit period of `hours` hours that ended at least `SETTLE_MS` before `now`: [from, to). */
export function lastAuditPeriod(now: number, hours: number): { from: number; to: number } {
  const length = hours * HOUR_MS;
  const to = Math.floor((now - SETTLE_MS) / length) * length;
  return { from: to - length, to };
}

/** A period's key: its start as an ISO instant (sorts in time order). */
export const periodKey = (from: number): string => new Date(from).toISOString();

/** `YYYY-MM-DD HH:MM` (UTC). */
export const utcMinute = (at: number): string => new Date(at).toISOString().slice(0, 16).replace("T", " ");
