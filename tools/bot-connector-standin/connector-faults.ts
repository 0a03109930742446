import { rollLatency, type LatencySpec } from "../chaos/seeded-random";

/**
 * Random misbehaviour of the Bot Connector stand-in, as Teams shows it under load (docs/protocols.md B13):
 * transient errors (412 PreconditionFailed, 500 ServiceError, 502, 503, 504) on a share of the requests
 * that reach the service, and added latency. For chaos tests; counters say what was injected.
 */
export interface ConnectorFaultOptions {
  /** Share of requests (0..1) answered with one of `statuses` instead of being acted on. */
  readonly errorRate?: number;
  /** The statuses to pick from, uniformly; default 412, 500, 502, 503, 504. */
  readonly statuses?: readonly number[];
  /** Share of requests (0..1) answered late; default 0. */
  readonly latencyRate?: number;
  /** How late: fixed milliseconds or a `[min, max]` range; default `[50, 500]`. */
  readonly latencyMs?: LatencySpec;
  /** Source of randomness (a seeded one makes a run repeatable); default Math.random. */
  readonly random?: () => number;
}

export interface ConnectorFaultCounters {
  /** Injected error answers, by status. */
  readonly errors: Record<number, number>;
  /** Requests answered late, and the added milliseconds in all. */
  delayed: number;
  delayedMs: number;
}

export const TRANSIENT_CONNECTOR_STATUSES: readonly number[] = [412, 500, 502, 503, 504];

const CODES: Readonly<Record<number, string>> = {
  412: "PreconditionFailed",
  500: "ServiceError",
  502: "BadGateway",
  503: "ServiceUnavailable",
  504: "GatewayTimeout",
};

/** One roll of the dice for a request: an error to answer instead, and/or a delay before answering. */
export interface FaultRoll {
  readonly error?: { readonly status: number; readonly body: unknown };
  readonly delayMs: number;
}

export class ConnectorFaults {
  private options: ConnectorFaultOptions = {};
  readonly counters: ConnectorFaultCounters = { errors: {}, delayed: 0, delayedMs: 0 };

  /** Replaces the fault settings (an empty object turns injection off); counters are kept. */
  set(options: ConnectorFaultOptions): void {
    this.options = options;
  }

  /** Decides the fate of one request and counts it. */
  roll(): FaultRoll {
    const o = this.options;
    const random = o.random ?? Math.random;
    const delayMs = rollLatency(o, random, this.counters);
    if ((o.errorRate ?? 0) > 0 && random() < o.errorRate!) {
      const statuses = o.statuses ?? TRANSIENT_CONNECTOR_STATUSES;
      const status = statuses[Math.floor(random() * statuses.length)] ?? 500;
      this.counters.errors[status] = (this.counters.errors[status] ?? 0) + 1;
      return { error: { status, body: { error: { code: CODES[status] ?? "ServiceError", message: `injected ${status}` } } }, delayMs };
    }
    return { delayMs };
  }

  /** Total injected errors. */
  get injectedErrors(): number {
    return Object.values(this.counters.errors).reduce((a, b) => a + b, 0);
  }

  reset(): void {
    for (const key of Object.keys(this.counters.errors)) delete this.counters.errors[Number(key)];
    this.counters.delayed = 0;
    this.counters.delayedMs = 0;
  }
}
