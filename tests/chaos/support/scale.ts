/**
 * Sizes of the chaos scenarios: light inside `npm test` (seconds each), full with `npm run test:chaos`
 * (CHAOS_SCALE=full: the sizes docs/testing.md gives).
 */
export const FULL = process.env.CHAOS_SCALE === "full";

/** `light` normally, `full` under `npm run test:chaos`. */
export function size<T>(light: T, full: T): T {
  return FULL ? full : light;
}

/** A tag unique to this run and scenario, so markers never match another run's posts. */
export function runTag(label: string): string {
  return `${label}${process.pid}${Date.now().toString(36)}`.replace(/[^A-Za-z0-9]/g, "");
}

/**
 * How bursts are delivered: light runs send each contact's messages in order (live traffic, so order is
 * the bridge's own doing); full runs flush the whole burst at once, as a backlog arrives after an outage.
 */
export const DELIVERY: "streams" | "flood" = FULL ? "flood" : "streams";
