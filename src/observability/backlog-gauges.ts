import type { Meter } from "@opentelemetry/api";
import type { NumberBacklog } from "../core/model";
import { METRIC_CATALOGUE, type GaugeName } from "../core/metric-catalogue";

/** The backlog gauges' values: totals over every business number. */
export function backlogTotals(report: readonly NumberBacklog[], now: number): Record<GaugeName, number> {
  const oldest = Math.min(...report.map((r) => r.oldestWaitingAt ?? Number.POSITIVE_INFINITY));
  return {
    "bridge.inbox.depth": report.reduce((sum, r) => sum + r.waiting, 0),
    "bridge.inbox.oldest_age": Number.isFinite(oldest) ? Math.max(0, (now - oldest) / 1000) : 0,
    "bridge.inbox.failed": report.reduce((sum, r) => sum + r.failed, 0),
    "bridge.links.suspended": report.filter((r) => r.suspendedSince !== undefined).length,
  };
}

/**
 * Observable gauges read from the bridge's backlog report at each metric export (the report is cached by
 * the bridge, so an export reads the inbox at most every 30 s). A report that cannot be read reports nothing.
 */
export function observeBacklogGauges(meter: Meter, report: () => Promise<readonly NumberBacklog[]>, now: () => number): void {
  const names = Object.entries(METRIC_CATALOGUE)
    .filter(([, spec]) => spec.instrument === "gauge")
    .map(([name]) => name as GaugeName);
  const gauges = names.map((name) => ({
    name,
    gauge: meter.createObservableGauge(name, { description: METRIC_CATALOGUE[name].description, unit: METRIC_CATALOGUE[name].unit }),
  }));
  meter.addBatchObservableCallback(
    async (result) => {
      const totals = await report().then(
        (r) => backlogTotals(r, now()),
        () => undefined,
      );
      if (!totals) return;
      for (const { name, gauge } of gauges) result.observe(gauge, totals[name]);
    },
    gauges.map((g) => g.gauge),
  );
}
