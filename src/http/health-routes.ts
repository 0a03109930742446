import type { HttpRoute } from "./http-route";

/** `GET /healthz` (the process is alive) and `GET /readyz` (storage answers). */
export function healthRoutes(options: { ready: () => Promise<void> }): HttpRoute[] {
  return [
    { method: "GET", path: "/healthz", handle: async () => ({ status: 200, body: { status: "ok" } }) },
    {
      method: "GET",
      path: "/readyz",
      handle: async () => {
        try {
          await options.ready();
          return { status: 200, body: { status: "ready" } };
        } catch {
          return { status: 503, body: { status: "storage unavailable" } };
        }
      },
    },
  ];
}
