/**
 * A small seeded pseudo-random generator (mulberry32), so a chaos run's injected faults can be replayed
 * with the same seed. Not for anything security-related. Dev-only.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A latency to add: a fixed number of milliseconds, or a uniform range `[min, max]`. */
export type LatencySpec = number | readonly [number, number];

/** Picks a latency from `spec` with `random`. */
export function pickLatency(spec: LatencySpec, random: () => number): number {
  if (typeof spec === "number") return spec;
  const [min, max] = spec;
  return Math.round(min + (max - min) * random());
}
