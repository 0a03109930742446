import type { HttpRoute } from "./http-route";

/**
 * `GET /healthz` (the process is alive) and `GET /readyz` (storage answers). `/readyz` also carries the
 * bridge's backlog report (what waits or failed, per number), so nothing fails in silence; a report that
 * cannot be read does not make the bridge unready.
 */
export function healthRoutes(options: { ready: () => Promise<void>; report?: () => Promise<unknown> }): HttpRoute[] {
  return [
    { method: "GET", path: "/healthz", handle: async () => ({ status: 200, body: { status: "ok" } }) },
    {
      method: "GET",
      path: "/readyz",
      handle: async () => {
        try {
          await options.ready();
          const backlog = options.report ? await options.report().catch(() => "unavailable") : undefined;
          return { status: 200, body: { status: "ready", ...(backlog !== undefined ? { backlog } : {}) } };
        } catch {
          return { status: 503, body: { status: "storage unavailable" } };
        }
      },
    },
  ];
}
