import { format } from "node:util";
import { AzureLogger, getLogLevel, setLogLevel } from "@azure/logger";
import { diag, DiagLogLevel, type DiagLogger } from "@opentelemetry/api";
import type { Logger } from "../core/ports/logger";

const MAX_MESSAGE_CHARS = 500;

/** One line of an SDK's own diagnostics, short, with errors as their messages (no stacks, no objects). */
function line(args: readonly unknown[]): string {
  return format(...args.map((a) => (a instanceof Error ? a.message : a)))
    .replace(/\s+/g, " ")
    .slice(0, MAX_MESSAGE_CHARS);
}

/**
 * Runs `start` (the telemetry SDK's start) and undoes what it does to logging. It prints its diagnostics,
 * and the Azure SDKs' logs, with `console.log` in plain text, and turns the Azure SDKs' logging on at
 * warning level; the bridge's stdout is JSON lines only. Afterwards its diagnostics (warnings and errors)
 * go to the bridge's logger, and the Azure SDKs log as before (at the level AZURE_LOG_LEVEL sets, if any),
 * through the bridge's logger too.
 */
export function withSdkDiagnosticsRouted(logger: Logger, start: () => void): void {
  const azureLogLevel = getLogLevel();
  start();
  setLogLevel(azureLogLevel);
  const sink: DiagLogger = {
    error: (...args: unknown[]) => logger.error("telemetry.sdk.error", { message: line(args) }),
    warn: (...args: unknown[]) => logger.warn("telemetry.sdk.warning", { message: line(args) }),
    info: () => {},
    debug: () => {},
    verbose: () => {},
  };
  diag.setLogger(sink, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  AzureLogger.log = (...args: unknown[]) => {
    const message = line(args);
    const level = /^azure:[\w-]+:(error|warning)\b/.exec(message)?.[1];
    if (level === "error") logger.error("azure.sdk.log", { message });
    else if (level === "warning") logger.warn("azure.sdk.log", { message });
    else logger.info("azure.sdk.log", { message });
  };
}
