import { ConfigError, loadConfig, readEnvironment } from "./config";
import type { RunningBridge } from "./compose";
import { createLogger, fatalLine } from "./observability/logger";
import { startTelemetry } from "./observability/telemetry";

/** Graceful shutdown must finish inside the platform's grace period (Container Apps / App Service: 30 s). */
const SHUTDOWN_BUDGET_MS = 25_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(readEnvironment());
  } catch (err) {
    if (err instanceof ConfigError) {
      // One clear line for the operator, never a stack trace.
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  // Handlers first: a SIGTERM that arrives while the bridge is still starting (it may already answer
  // /readyz) is honoured once start-up is done, instead of killing the process mid-way.
  let requested: string | undefined;
  let running: RunningBridge | undefined;
  const shutdown = () => {
    if (!running || !requested) return;
    const bridge = running;
    running = undefined;
    bridge.logger.info("bridge.stopping", { signal: requested });
    bridge.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  const onSignal = (signal: string) => {
    if (requested) return;
    requested = signal;
    // The budget counts from the signal, start-up included.
    setTimeout(() => process.exit(1), SHUTDOWN_BUDGET_MS).unref();
    shutdown();
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));
  const stdoutLogger = createLogger({ level: config.logLevel });
  // Telemetry first, then the bridge's modules: the SDK's HTTP instrumentation applies to modules loaded after it.
  const telemetry = await startTelemetry(config.telemetry, stdoutLogger);
  const { startBridge } = await import("./compose");
  running = await startBridge(config, { logger: telemetry.withLogs(stdoutLogger, config.logLevel), telemetry });
  shutdown();
}

// Last words: one scrubbed JSON line on stderr (an error message may quote a URL with a token in it).
process.on("unhandledRejection", (reason) => {
  console.error(fatalLine("process.unhandled_rejection", { error: reason instanceof Error ? reason.message : String(reason) }));
  process.exit(1);
});

main().catch((err: unknown) => {
  console.error(fatalLine("bridge.start_failed", { error: err instanceof Error ? err.message : String(err) }));
  process.exit(1);
});
