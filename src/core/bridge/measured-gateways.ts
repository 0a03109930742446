import { BridgeError, TeamsRefusal, WhatsAppSendError, type WhatsAppFailureKind } from "../errors";
import type { Clock } from "../ports/clock";
import { NO_METRICS, type MetricAttributes, type Metrics } from "../ports/metrics";

/** Which service a gateway talks to: the `call.side` attribute, and the histogram its calls go to. */
export type CallSide = "teams" | "meta";

/** Meta's rate-limit refusals (HTTP 429 or 400 with a rate-limit code: the adapter maps both to these). */
const RATE_LIMIT_KINDS: ReadonlySet<WhatsAppFailureKind> = new Set(["throughput", "pair-rate", "capacity-upgrade", "api-rate"]);
/** The Teams adapter's code for a 429 (teams-errors.ts). */
const TEAMS_THROTTLED = "teams.throttled";

/** `sendText` → `text`, `sendTemplate` → `template`: what a WhatsApp send operation sends, or undefined. */
export function sentKind(operation: string): string | undefined {
  const match = /^send([A-Z]\w*)$/.exec(operation);
  return match ? match[1]!.replace(/[A-Z]/g, (c, at: number) => (at === 0 ? c.toLowerCase() : `-${c.toLowerCase()}`)) : undefined;
}

/** The `call.status` of a failed call: its failure or refusal kind, or its error code without a trailing number. */
export function failureStatus(err: unknown): string {
  if (err instanceof WhatsAppSendError) return err.failure;
  if (err instanceof TeamsRefusal) return err.refusal;
  if (err instanceof BridgeError) return err.code.replace(/\.\d+$/, "");
  return "error";
}

function countFailure(metrics: Metrics, side: CallSide, operation: string, err: unknown): void {
  if (err instanceof WhatsAppSendError) {
    metrics.count("bridge.whatsapp.failures", {
      "whatsapp.error.code": String(err.metaCode ?? "none"),
      "whatsapp.failure.kind": err.failure,
      "whatsapp.failure.stage": "send",
    });
    if (RATE_LIMIT_KINDS.has(err.failure)) metrics.count("bridge.calls.throttled", { "call.side": side, "call.operation": operation });
  } else if (err instanceof TeamsRefusal) {
    metrics.count("bridge.teams.refusals", { "teams.refusal.kind": err.refusal, "call.operation": operation });
  } else if (err instanceof BridgeError && err.code === TEAMS_THROTTLED) {
    metrics.count("bridge.calls.throttled", { "call.side": side, "call.operation": operation });
  }
}

/**
 * `port` with every method that returns a promise timed (`bridge.<side>.call.duration`, by operation and
 * status) and its outcome counted: WhatsApp failures by Meta code, Teams refusals by kind, rate-limit
 * refusals by side, and messages WhatsApp accepted by kind. Everything else passes through unchanged;
 * with `NO_METRICS` the port itself is returned. Attributes hold operation names and kinds only.
 */
export function measured<T extends object>(port: T, side: CallSide, metrics: Metrics, clock: Clock): T {
  if (metrics === NO_METRICS) return port;
  const histogram = side === "teams" ? "bridge.teams.call.duration" : "bridge.meta.call.duration";
  const wrappers = new Map<PropertyKey, unknown>();
  return new Proxy(port, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function" || typeof property !== "string") return value;
      let wrapper = wrappers.get(property);
      if (!wrapper) {
        const operation = property;
        wrapper = (...args: unknown[]) => {
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (!(result instanceof Promise)) return result;
          const started = clock.now();
          const done = (status: string) => {
            const attributes: MetricAttributes = { "call.operation": operation, "call.status": status };
            metrics.record(histogram, Math.max(0, clock.now() - started) / 1000, attributes);
          };
          return result.then(
            (ok: unknown) => {
              done("ok");
              const kind = side === "meta" ? sentKind(operation) : undefined;
              if (kind) metrics.count("bridge.messages.outbound", { "message.kind": kind });
              return ok;
            },
            (err: unknown) => {
              done(failureStatus(err));
              countFailure(metrics, side, operation, err);
              throw err;
            },
          );
        };
        wrappers.set(property, wrapper);
      }
      return wrapper;
    },
  });
}
