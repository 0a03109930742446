import type { HttpRoute } from "./http-route";

/** How old a storage probe's answer may be when /readyz gives it. */
export const READY_PROBE_MAX_AGE_MS = 1_000;
/** A probe that has not answered by then counts as "not ready" (a hung storage call must not hang the probe). */
const READY_PROBE_TIMEOUT_MS = 5_000;

/** True when `probe` settles successfully within `timeoutMs`. */
function succeedsWithin(probe: () => Promise<void>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
  const answered = probe().then(() => true, () => false);
  return Promise.race([answered, late]).finally(() => clearTimeout(timer));
}

/**
 * Runs `probe` at most once per `maxAgeMs`: callers within that time of the last probe's start get its
 * result, callers while it runs share it. So a flood of /readyz costs storage one ping per second.
 */
export function cachedProbe(probe: () => Promise<void>, options: { maxAgeMs: number; timeoutMs?: number; now?: () => number }): () => Promise<boolean> {
  const now = options.now ?? Date.now;
  let last: { startedAt: number; result: Promise<boolean> } | undefined;
  return () => {
    if (!last || now() - last.startedAt >= options.maxAgeMs) {
      last = { startedAt: now(), result: succeedsWithin(probe, options.timeoutMs ?? READY_PROBE_TIMEOUT_MS) };
    }
    return last.result;
  };
}

/** `GET /healthz` (the process is alive) and `GET /readyz` (storage answers, probed at most once a second). */
export function healthRoutes(options: { ready: () => Promise<void>; now?: () => number }): HttpRoute[] {
  const ready = cachedProbe(options.ready, { maxAgeMs: READY_PROBE_MAX_AGE_MS, ...(options.now ? { now: options.now } : {}) });
  return [
    { method: "GET", path: "/healthz", handle: async () => ({ status: 200, body: { status: "ok" } }) },
    {
      method: "GET",
      path: "/readyz",
      handle: async () => ((await ready()) ? { status: 200, body: { status: "ready" } } : { status: 503, body: { status: "storage unavailable" } }),
    },
  ];
}
