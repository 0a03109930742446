import { logs, SeverityNumber, type AnyValueMap } from "@opentelemetry/api-logs";
import type { Logger } from "../core/ports/logger";
import { scrubFields } from "./scrub";

type Level = "debug" | "info" | "warn" | "error";

/** pino's level names, ranked; an unknown one counts as `info` (config.ts only lets pino's through). */
const RANK: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Number.POSITIVE_INFINITY };
const SEVERITY: Readonly<Record<Level, SeverityNumber>> = {
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
};

/** A scrubbed field as a log record attribute: strings, numbers and booleans as they are, anything else as JSON. */
function attributesOf(fields: Record<string, unknown>): AnyValueMap {
  const attributes: AnyValueMap = {};
  for (const [key, value] of Object.entries(scrubFields(fields))) {
    if (value === undefined) continue;
    attributes[key] = typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : JSON.stringify(value);
  }
  return attributes;
}

/**
 * `logger`, whose lines (at `level` and above) are also emitted as OpenTelemetry log records named by
 * their event, with the same scrubbed fields as the JSON line (scrub.ts): Application Insights keeps them
 * in `traces`, tied to the request or call they happened in. stdout stays as it was.
 */
export function alsoAsLogRecords(logger: Logger, level: string, loggerName: string): Logger {
  const records = logs.getLogger(loggerName);
  const minimum = RANK[level] ?? RANK.info!;
  const write = (at: Level) => (event: string, fields?: Record<string, unknown>) => {
    logger[at](event, fields);
    if (RANK[at]! < minimum) return;
    records.emit({ severityNumber: SEVERITY[at], severityText: at.toUpperCase(), body: event, attributes: { event, ...(fields ? attributesOf(fields) : {}) } });
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
