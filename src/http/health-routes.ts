import type { HttpResponse, HttpRoute } from "./http-route";

/** How old a storage probe's answer may be when /readyz gives it. */
export const READY_PROBE_MAX_AGE_MS = 1_000;
/** A probe (or backlog report) that has not answered by then counts as failed: a hung storage call must not hang /readyz. */
const READY_PROBE_TIMEOUT_MS = 5_000;

/** `work`'s result, or a rejection after `timeoutMs`. */
function within<T>(work: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), timeoutMs);
  });
  return Promise.race([work(), late]).finally(() => clearTimeout(timer));
}

/**
 * Computes `answer` at most once per `maxAgeMs`: callers within that time of the last computation's start
 * get its result, callers while it runs share it. So a flood of /readyz costs storage one ping per second.
 */
export function cachedAnswer<T>(answer: () => Promise<T>, options: { maxAgeMs: number; now?: () => number }): () => Promise<T> {
  const now = options.now ?? Date.now;
  let last: { startedAt: number; result: Promise<T> } | undefined;
  return () => {
    if (!last || now() - last.startedAt >= options.maxAgeMs) last = { startedAt: now(), result: answer() };
    return last.result;
  };
}

/**
 * `GET /healthz` (the process is alive) and `GET /readyz` (storage answers). `/readyz` also carries the
 * bridge's backlog report (what waits or failed, per number), so nothing fails in silence; a report that
 * cannot be read does not make the bridge unready. The answer is at most a second old (`cachedAnswer`).
 */
export function healthRoutes(options: { ready: () => Promise<void>; report?: () => Promise<unknown>; now?: () => number; timeoutMs?: number }): HttpRoute[] {
  const timeoutMs = options.timeoutMs ?? READY_PROBE_TIMEOUT_MS;
  const readiness = cachedAnswer(
    async (): Promise<HttpResponse> => {
      try {
        await within(options.ready, timeoutMs);
      } catch {
        return { status: 503, body: { status: "storage unavailable" } };
      }
      const backlog = options.report ? await within(options.report, timeoutMs).catch(() => "unavailable") : undefined;
      return { status: 200, body: { status: "ready", ...(backlog !== undefined ? { backlog } : {}) } };
    },
    { maxAgeMs: READY_PROBE_MAX_AGE_MS, ...(options.now ? { now: options.now } : {}) },
  );
  return [
    { method: "GET", path: "/healthz", handle: async () => ({ status: 200, body: { status: "ok" } }) },
    { method: "GET", path: "/readyz", handle: readiness },
  ];
}
