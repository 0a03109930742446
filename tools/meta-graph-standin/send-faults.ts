import { rollLatency, type LatencySpec } from "../chaos/seeded-random";
import type { ScriptedGraphError } from "./standin-types";

/**
 * Random misbehaviour of the Meta Graph API stand-in's sends (`POST /{phone-number-id}/messages`), as Meta
 * shows it under load (docs/protocols.md A16): throughput reached (130429), pair rate limit (131056), an
 * internal error (HTTP 500, code 131000), and added latency, each on a share of the sends. For chaos
 * tests; counters say what was injected. Scripted failures (`failNext`) come first.
 */
export interface SendFaultOptions {
  /** Share of sends (0..1) answered with one of `codes` instead of being accepted. */
  readonly errorRate?: number;
  /** Which errors to pick from, uniformly; default 130429, 131056 and 500. */
  readonly codes?: ReadonlyArray<InjectedSendError>;
  /** Share of sends (0..1) answered late; default 0. */
  readonly latencyRate?: number;
  /** How late: fixed milliseconds or a `[min, max]` range; default `[50, 500]`. */
  readonly latencyMs?: LatencySpec;
  /** Source of randomness (seeded: repeatable); default Math.random. */
  readonly random?: () => number;
}

export type InjectedSendError = 130429 | 131056 | 500;

export interface SendFaultCounters {
  /** Injected errors, by code (500 for the internal error). */
  readonly errors: Record<number, number>;
  delayed: number;
  delayedMs: number;
}

/** Meta's envelopes for the injected errors; throttling comes back as HTTP 400 in the current docs (docs/protocols.md A16). */
const ERRORS: Readonly<Record<InjectedSendError, ScriptedGraphError>> = {
  130429: {
    httpStatus: 400,
    error: { message: "(#130429) Rate limit hit", code: 130429, error_data: { details: "Cloud API message throughput has been reached." } },
  },
  131056: {
    httpStatus: 400,
    error: {
      message: "(#131056) (Business Account, Consumer Account) pair rate limit hit",
      code: 131056,
      error_data: {
        details: "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.",
      },
    },
  },
  500: { httpStatus: 500, error: { message: "(#131000) Something went wrong", code: 131000, error_data: { details: "Something went wrong." } } },
};

export class SendFaults {
  private options: SendFaultOptions = {};
  readonly counters: SendFaultCounters = { errors: {}, delayed: 0, delayedMs: 0 };

  /** Replaces the settings (an empty object turns injection off); counters are kept. */
  set(options: SendFaultOptions): void {
    this.options = options;
  }

  /** Decides the fate of one send and counts it: an error to answer instead, and a delay. */
  roll(): { failure?: ScriptedGraphError; delayMs: number } {
    const o = this.options;
    const random = o.random ?? Math.random;
    const delayMs = rollLatency(o, random, this.counters);
    if ((o.errorRate ?? 0) > 0 && random() < o.errorRate!) {
      const codes = o.codes ?? [130429, 131056, 500];
      const code = codes[Math.floor(random() * codes.length)] ?? 500;
      this.counters.errors[code] = (this.counters.errors[code] ?? 0) + 1;
      return { failure: ERRORS[code], delayMs };
    }
    return { delayMs };
  }

  reset(): void {
    for (const key of Object.keys(this.counters.errors)) delete this.counters.errors[Number(key)];
    this.counters.delayed = 0;
    this.counters.delayedMs = 0;
  }
}
