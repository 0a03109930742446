import type { CounterName, HistogramName } from "../../src/core/metric-catalogue";
import type { MetricAttributes, Metrics } from "../../src/core/ports/metrics";

/** Metrics that keep every count and recording, for core unit tests. */
export class RecordingMetrics implements Metrics {
  readonly counts: Array<{ readonly name: CounterName; readonly attributes: MetricAttributes; readonly by: number }> = [];
  readonly records: Array<{ readonly name: HistogramName; readonly value: number; readonly attributes: MetricAttributes }> = [];

  count(name: CounterName, attributes: MetricAttributes = {}, by = 1): void {
    this.counts.push({ name, attributes, by });
  }

  record(name: HistogramName, value: number, attributes: MetricAttributes = {}): void {
    this.records.push({ name, value, attributes });
  }

  /** The total counted for `name` where every attribute of `where` matches. */
  total(name: CounterName, where: MetricAttributes = {}): number {
    return this.counts.filter((c) => c.name === name && matches(c.attributes, where)).reduce((sum, c) => sum + c.by, 0);
  }

  /** The values recorded for `name` where every attribute of `where` matches. */
  values(name: HistogramName, where: MetricAttributes = {}): number[] {
    return this.records.filter((r) => r.name === name && matches(r.attributes, where)).map((r) => r.value);
  }
}

function matches(attributes: MetricAttributes, where: MetricAttributes): boolean {
  return Object.entries(where).every(([k, v]) => attributes[k] === v);
}
