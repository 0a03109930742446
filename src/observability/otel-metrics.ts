import type { Counter, Histogram, Meter } from "@opentelemetry/api";
import { METRIC_CATALOGUE, type CounterName, type HistogramName } from "../core/metric-catalogue";
import type { MetricAttributes, Metrics } from "../core/ports/metrics";

/** The core's `Metrics` over an OpenTelemetry meter: one instrument per counter and histogram of the catalogue. */
export function otelMetrics(meter: Meter): Metrics {
  const counters = new Map<string, Counter>();
  const histograms = new Map<string, Histogram>();
  for (const [name, spec] of Object.entries(METRIC_CATALOGUE)) {
    const options = { description: spec.description, unit: spec.unit };
    if (spec.instrument === "counter") counters.set(name, meter.createCounter(name, options));
    else if (spec.instrument === "histogram") histograms.set(name, meter.createHistogram(name, options));
  }
  return {
    count: (name: CounterName, attributes?: MetricAttributes, by = 1) => counters.get(name)?.add(by, attributes),
    record: (name: HistogramName, value: number, attributes?: MetricAttributes) => histograms.get(name)?.record(value, attributes),
  };
}
