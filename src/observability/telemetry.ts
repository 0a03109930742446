import type { NumberBacklog } from "../core/model";
import type { CallSide } from "../core/bridge/measured-gateways";
import { describeError } from "../core/errors";
import type { Logger } from "../core/ports/logger";
import { NO_METRICS, type Metrics } from "../core/ports/metrics";
import type { HttpRoute } from "../http/http-route";

/** Where telemetry goes (config.ts: APPLICATIONINSIGHTS_CONNECTION_STRING) and who sends it. */
export interface TelemetryOptions {
  readonly connectionString: string;
  /** This instance, as Application Insights shows it (`cloud_RoleInstance`). */
  readonly serviceInstanceId: string;
}

/**
 * What the composition root wires in: the core's metrics, spans around the gateways' calls and the
 * routes' requests, the log lines, the backlog gauges, and a flush at shutdown. `NO_TELEMETRY` does none of it.
 */
export interface Telemetry {
  readonly metrics: Metrics;
  /** `gateway` with a span around each call that returns a promise (its HTTP calls become its children). */
  traced<T extends object>(side: CallSide, gateway: T): T;
  /** `routes` with every POST request handled in a span named `spanName` (a webhook delivery, a Teams turn). */
  tracedRoutes(spanName: string, routes: readonly HttpRoute[]): HttpRoute[];
  /** `logger`, its lines at `level` and above also sent (scrubbed as on stdout), as traces in Application Insights. */
  withLogs(logger: Logger, level: string): Logger;
  /** Reports the backlog gauges from `report` (the bridge caches it) at each export. */
  observeBacklog(report: () => Promise<readonly NumberBacklog[]>, now: () => number): void;
  /** Sends what is still buffered and stops. Never throws. */
  stop(): Promise<void>;
}

export const NO_TELEMETRY: Telemetry = {
  metrics: NO_METRICS,
  traced: (_side, gateway) => gateway,
  tracedRoutes: (_name, routes) => [...routes],
  withLogs: (logger) => logger,
  observeBacklog: () => {},
  stop: async () => {},
};

/**
 * Starts sending traces and metrics to Application Insights when `options` are given; otherwise returns
 * `NO_TELEMETRY` without loading the SDK (it is imported here, on demand, to keep start-up fast). Call it
 * before the bridge's modules load, so that the SDK's HTTP instrumentation sees them. A failure to start
 * is logged and leaves the bridge without telemetry: telemetry never stops the bridge.
 */
export async function startTelemetry(options: TelemetryOptions | undefined, logger: Logger): Promise<Telemetry> {
  if (!options) return NO_TELEMETRY;
  try {
    const { startAzureMonitor } = await import("./azure-monitor");
    const telemetry = startAzureMonitor(options, logger);
    logger.info("telemetry.started", { destination: "application-insights" });
    return telemetry;
  } catch (err) {
    logger.error("telemetry.start_failed", { error: describeError(err) });
    return NO_TELEMETRY;
  }
}
