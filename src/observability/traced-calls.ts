import { SpanKind, SpanStatusCode, type Span, type Tracer } from "@opentelemetry/api";
import { failureStatus, type CallSide } from "../core/bridge/measured-gateways";
import type { HttpRoute } from "../http/http-route";
import type { TracedRoutes } from "./http-privacy";

/**
 * Spans of the bridge's own operations. Their attributes are names and statuses only: never a phone
 * number, a message id or text (an error's message may quote Meta's text: only its kind is kept).
 */

/** Ends `span` when `work` settles; `onValue` may mark it failed. A rejection is a failure, named by its kind. */
function ended<T>(span: Span, work: Promise<T>, onValue: (value: T) => void): Promise<T> {
  return work.then(
    (value) => {
      onValue(value);
      span.end();
      return value;
    },
    (err: unknown) => {
      const status = failureStatus(err);
      span.setAttribute("call.status", status);
      span.setStatus({ code: SpanStatusCode.ERROR, message: status });
      span.end();
      throw err;
    },
  );
}

/** `gateway` with a span `<side>.<method>` around each call that returns a promise; its HTTP calls are its children. */
export function tracedGateway<T extends object>(tracer: Tracer, side: CallSide, gateway: T): T {
  const wrappers = new Map<string, unknown>();
  return new Proxy(gateway, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function" || typeof property !== "string") return value;
      let wrapper = wrappers.get(property);
      if (!wrapper) {
        const method = value as (...a: unknown[]) => unknown;
        wrapper = (...args: unknown[]) =>
          tracer.startActiveSpan(`${side}.${property}`, { kind: SpanKind.INTERNAL, attributes: { "call.side": side, "call.operation": property } }, (span) => {
            let result: unknown;
            try {
              result = method.apply(target, args);
            } catch (err) {
              span.end();
              throw err;
            }
            if (!(result instanceof Promise)) {
              span.end();
              return result;
            }
            return ended(span, result, () => span.setAttribute("call.status", "ok"));
          });
        wrappers.set(property, wrapper);
      }
      return wrapper;
    },
  });
}

/** `routes` with each POST request handled in a span `spanName`; those paths are the incoming requests traced at all. */
export function tracedRoutes(tracer: Tracer, spanName: string, routes: readonly HttpRoute[], traced: TracedRoutes): HttpRoute[] {
  return routes.map((route): HttpRoute => {
    if (route.method !== "POST") return route;
    traced.add(route.path);
    return {
      ...route,
      handle: (request) =>
        tracer.startActiveSpan(spanName, { kind: SpanKind.INTERNAL, attributes: { "http.route": route.path } }, (span) =>
          ended(span, route.handle(request), (response) => {
            span.setAttribute("http.response.status_code", response.status);
            if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: String(response.status) });
          }),
        ),
    };
  });
}
