import pino from "pino";
import type { Logger } from "../core/ports/logger";
import { boundedDestination, type LineTarget } from "./bounded-destination";
import { scrubFields } from "./scrub";

export { scrubFields, scrubText } from "./scrub";

/** Log lines waiting for a slow or stopped reader of stdout, at most (about 5,000 lines); more are dropped and counted. */
export const MAX_BUFFERED_LOG_BYTES = 1024 * 1024;

/**
 * JSON logger (pino) implementing the core Logger port, with redaction as a safety net. By default it
 * writes to stdout through a bounded, asynchronous destination (bounded-destination.ts): a reader that
 * stops reading costs dropped lines, never a frozen bridge. `destination` replaces it (tests, the demo).
 */
export function createLogger(options: { level: string; destination?: pino.DestinationStream; stdout?: LineTarget }): Logger {
  let warnDropped: (count: number) => void = () => {};
  const destination =
    options.destination ??
    boundedDestination(options.stdout ?? process.stdout, {
      maxBufferedBytes: MAX_BUFFERED_LOG_BYTES,
      onDrained: (count) => warnDropped(count),
    });
  const base = pino({ level: options.level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
  warnDropped = (count) => base.warn({ event: "log.lines_dropped", count, note: "the log reader fell behind; these lines were dropped" });
  const write = (level: "debug" | "info" | "warn" | "error") => (event: string, fields?: Record<string, unknown>) => {
    if (!base.isLevelEnabled(level)) return;
    base[level]({ event, ...(fields ? scrubFields(fields) : {}) });
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

/**
 * One JSON line for the entry point's last words (start-up failure, unhandled rejection), scrubbed like
 * every log line; pino level 60 (fatal).
 */
export function fatalLine(event: string, fields: Record<string, unknown>): string {
  return JSON.stringify({ level: 60, time: new Date().toISOString(), pid: process.pid, event, ...scrubFields(fields) });
}
