/**
 * Every metric the bridge emits, in one place: its name (OpenTelemetry semantic style), instrument, unit,
 * meaning and attributes. The core records counters and histograms through the `Metrics` port; the
 * gauges are observed by the telemetry adapter from the backlog report. docs/admin-guide.md lists them.
 * Attribute values are low-cardinality labels, never personal data (no phone number, wamid or text).
 */
export const METRIC_CATALOGUE = {
  "bridge.messages.inbound": {
    instrument: "counter",
    unit: "{message}",
    description: "Customer messages received (new, not redeliveries), by kind",
    attributes: ["message.kind"],
  },
  "bridge.messages.outbound": {
    instrument: "counter",
    unit: "{message}",
    description: "Messages WhatsApp accepted from the bridge, by kind",
    attributes: ["message.kind"],
  },
  "bridge.whatsapp.failures": {
    instrument: "counter",
    unit: "{failure}",
    description: "WhatsApp failures: refused calls (stage send) and failed deliveries (stage status), by Meta error code and kind",
    attributes: ["whatsapp.error.code", "whatsapp.failure.kind", "whatsapp.failure.stage"],
  },
  "bridge.teams.refusals": {
    instrument: "counter",
    unit: "{refusal}",
    description: "Teams refusals the bridge acts on, by kind (app-removed, thread-gone, post-refused)",
    attributes: ["teams.refusal.kind", "call.operation"],
  },
  "bridge.retries": {
    instrument: "counter",
    unit: "{retry}",
    description: "Attempts made again after a failure, by retry policy (core/retry-policy.ts)",
    attributes: ["retry.policy"],
  },
  "bridge.calls.throttled": {
    instrument: "counter",
    unit: "{call}",
    description: "Calls refused for a rate limit (Teams 429, Meta's rate-limit errors), by side",
    attributes: ["call.side", "call.operation"],
  },
  "bridge.teams.call.duration": {
    instrument: "histogram",
    unit: "s",
    description: "Duration of the bridge's calls to Teams (Bot Connector), by operation and status",
    attributes: ["call.operation", "call.status"],
  },
  "bridge.meta.call.duration": {
    instrument: "histogram",
    unit: "s",
    description: "Duration of the bridge's calls to Meta (WhatsApp Cloud API), by operation and status",
    attributes: ["call.operation", "call.status"],
  },
  "bridge.inbox.depth": {
    instrument: "gauge",
    unit: "{event}",
    description: "WhatsApp events not yet in Teams (pending, posting, held, unrouted)",
    attributes: [],
  },
  "bridge.inbox.oldest_age": { instrument: "gauge", unit: "s", description: "Age of the oldest event not yet in Teams (0 when none waits)", attributes: [] },
  "bridge.inbox.failed": {
    instrument: "gauge",
    unit: "{event}",
    description: "WhatsApp events that failed for good (kept in the inbox for review)",
    attributes: [],
  },
  "bridge.links.suspended": {
    instrument: "gauge",
    unit: "{link}",
    description: "Channel links suspended because Teams refuses the bot in their team",
    attributes: [],
  },
} as const satisfies Record<string, { instrument: "counter" | "histogram" | "gauge"; unit: string; description: string; attributes: readonly string[] }>;

export type MetricName = keyof typeof METRIC_CATALOGUE;
type NamesOf<K extends string> = { [N in MetricName]: (typeof METRIC_CATALOGUE)[N]["instrument"] extends K ? N : never }[MetricName];
export type CounterName = NamesOf<"counter">;
export type HistogramName = NamesOf<"histogram">;
export type GaugeName = NamesOf<"gauge">;
