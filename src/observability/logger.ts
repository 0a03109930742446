import pino from "pino";
import type { Logger } from "../core/ports/logger";

/** Field names whose values are never written, whatever their content. */
const SECRET_KEYS = /authorization|token|secret|password|signature|cookie|accountkey|apikey|privatekey|connectionstring/i;
/** Digit runs long enough to be a phone number; ids that are known not to be personal are allowed. */
const PHONE_LIKE = /\+?\d[\d ()-]{7,}\d/g;
const NOT_PERSONAL_KEYS = new Set(["business", "phoneNumberId", "status", "port", "durationMs", "count", "code", "metaCode", "timestamp", "pid"]);

function scrub(value: unknown, key: string | undefined, depth: number): unknown {
  if (key && SECRET_KEYS.test(key)) return "[redacted]";
  if (typeof value === "string") {
    if (key && NOT_PERSONAL_KEYS.has(key)) return value;
    return value
      .replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, "Bearer [redacted]")
      .replace(PHONE_LIKE, (m) => "*".repeat(Math.max(0, m.length - 4)) + m.slice(-4));
  }
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) return { name: value.name, message: scrub(value.message, "message", depth + 1) };
  if (Array.isArray(value)) return value.map((v) => scrub(v, undefined, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrub(v, k, depth + 1);
  return out;
}

/** Scrubs secrets and phone-number-like values from log fields (exported for tests). */
export function scrubFields(fields: Record<string, unknown>): Record<string, unknown> {
  return scrub(fields, undefined, 0) as Record<string, unknown>;
}

/** JSON logger (pino) implementing the core Logger port, with redaction as a safety net. */
export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  const base = pino({ level: options.level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, options.destination);
  const write = (level: "debug" | "info" | "warn" | "error") => (event: string, fields?: Record<string, unknown>) => {
    if (!base.isLevelEnabled(level)) return;
    base[level]({ event, ...(fields ? scrubFields(fields) : {}) });
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
