import type { Logger } from "../../src/core/ports/logger";

export interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  event: string;
  fields: Record<string, unknown>;
}

/** A Logger that keeps every line in memory, for assertions (and for keeping test output quiet). */
export class CaptureLogger implements Logger {
  readonly lines: LogLine[] = [];
  debug(event: string, fields: Record<string, unknown> = {}): void {
    this.lines.push({ level: "debug", event, fields });
  }
  info(event: string, fields: Record<string, unknown> = {}): void {
    this.lines.push({ level: "info", event, fields });
  }
  warn(event: string, fields: Record<string, unknown> = {}): void {
    this.lines.push({ level: "warn", event, fields });
  }
  error(event: string, fields: Record<string, unknown> = {}): void {
    this.lines.push({ level: "error", event, fields });
  }
  events(): string[] {
    return this.lines.map((l) => l.event);
  }
}
