import type { IncomingMessage, RequestOptions } from "node:http";
import { shutdownAzureMonitor, useAzureMonitor } from "@azure/monitor-opentelemetry";
import { metrics, trace } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import type { Logger } from "../core/ports/logger";
import { observeBacklogGauges } from "./backlog-gauges";
import { maskedUrl, pathOf, TracedRoutes } from "./http-privacy";
import { alsoAsLogRecords } from "./log-records";
import { otelMetrics } from "./otel-metrics";
import { withSdkDiagnosticsRouted } from "./sdk-diagnostics";
import type { Telemetry, TelemetryOptions } from "./telemetry";
import { tracedGateway, tracedRoutes } from "./traced-calls";

/** `cloud_RoleName` in Application Insights, and the name of the bridge's meter and tracer. */
export const SERVICE_NAME = "whatsapp-teams-bridge";

const OFF = { enabled: false } as const;

/** The URL of an outgoing request, from the options the HTTP instrumentation sees. */
function urlOf(request: RequestOptions): string {
  const protocol = request.protocol ?? "http:";
  const host = request.hostname ?? request.host ?? "localhost";
  return `${protocol}//${host}${request.port ? `:${request.port}` : ""}${request.path ?? "/"}`;
}

/**
 * The SDK's HTTP instrumentation, kept to what is useful and safe: incoming requests only for the traced
 * routes, outgoing requests only inside a traced operation (not the inbox polls and lease renewals), and
 * URLs reduced to host and fixed path words (http-privacy.ts).
 */
function httpInstrumentation(traced: TracedRoutes) {
  return {
    enabled: true,
    ignoreIncomingRequestHook: (request: IncomingMessage) => !traced.includes(request.method, request.url),
    requireParentforOutgoingSpans: true,
    startIncomingSpanHook: (request: IncomingMessage) => ({ "http.route": pathOf(request.url), "url.path": pathOf(request.url), "url.query": undefined }),
    startOutgoingSpanHook: (request: RequestOptions) => ({ "url.full": maskedUrl(urlOf(request)) }),
  };
}

/**
 * Starts the Azure Monitor OpenTelemetry distro: traces (every span kept: the bridge's volume is small;
 * `OTEL_TRACES_SAMPLER` can cap it), metrics and the bridge's log lines (`withLogs`) to the connection
 * string's resource, Live Metrics off, only the HTTP instrumentation on (no console or logging-library
 * capture: stdout stays JSON lines).
 */
export function startAzureMonitor(options: TelemetryOptions, logger: Logger): Telemetry {
  const traced = new TracedRoutes();
  withSdkDiagnosticsRouted(logger, () =>
    useAzureMonitor({
      azureMonitorExporterOptions: { connectionString: options.connectionString },
      resource: resourceFromAttributes({ "service.name": SERVICE_NAME, "service.instance.id": options.serviceInstanceId }),
      samplingRatio: 1,
      tracesPerSecond: 0,
      enableLiveMetrics: false,
      instrumentationOptions: {
        http: httpInstrumentation(traced),
        azureSdk: OFF,
        mongoDb: OFF,
        mySql: OFF,
        postgreSql: OFF,
        redis: OFF,
        redis4: OFF,
        bunyan: OFF,
        winston: OFF,
        console: OFF,
      },
    }),
  );
  const meter = metrics.getMeter(SERVICE_NAME);
  const tracer = trace.getTracer(SERVICE_NAME);
  return {
    metrics: otelMetrics(meter),
    traced: (side, gateway) => tracedGateway(tracer, side, gateway),
    tracedRoutes: (spanName, routes) => tracedRoutes(tracer, spanName, routes, traced),
    withLogs: (base, level) => alsoAsLogRecords(base, level, SERVICE_NAME),
    observeBacklog: (report, now) => observeBacklogGauges(meter, report, now),
    stop: () =>
      shutdownAzureMonitor().catch((err: unknown) => logger.warn("telemetry.stop_failed", { error: err instanceof Error ? err.message : String(err) })),
  };
}
