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

/**
 * Rolls the latency of one faulty request: with probability `latencyRate`, a delay drawn from
 * `latencyMs` (default 50–500 ms), counted in `counters`. Shared by the stand-ins' fault injectors.
 */
export function rollLatency(
  options: { readonly latencyRate?: number; readonly latencyMs?: LatencySpec },
  random: () => number,
  counters: { delayed: number; delayedMs: number },
): number {
  if (!((options.latencyRate ?? 0) > 0 && random() < options.latencyRate!)) return 0;
  const delayMs = pickLatency(options.latencyMs ?? [50, 500], random);
  counters.delayed++;
  counters.delayedMs += delayMs;
  return delayMs;
}
