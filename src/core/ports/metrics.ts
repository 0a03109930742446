import type { CounterName, HistogramName } from "../metric-catalogue";

/** Labels of a measurement: a few known values each, never personal data (no phone number, wamid or text). */
export type MetricAttributes = Readonly<Record<string, string | number | boolean>>;

/**
 * Counters and histograms (names and meaning in metric-catalogue.ts). The telemetry adapter sends them to
 * Application Insights when it is configured; otherwise `NO_METRICS` drops them. Never throws.
 */
export interface Metrics {
  /** Adds `by` (default 1) to a counter. */
  count(name: CounterName, attributes?: MetricAttributes, by?: number): void;
  /** Records one value of a histogram (durations in seconds). */
  record(name: HistogramName, value: number, attributes?: MetricAttributes): void;
}

/** Measures nothing: the bridge without telemetry, and the unit tests. */
export const NO_METRICS: Metrics = { count: () => {}, record: () => {} };
