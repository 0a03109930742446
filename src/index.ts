import { ConfigError, loadConfig, readEnvironment } from "./config";
import { startBridge } from "./compose";

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
  const running = await startBridge(config);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.logger.info("bridge.stopping", { signal });
    const force = setTimeout(() => process.exit(1), SHUTDOWN_BUDGET_MS);
    force.unref();
    running.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

process.on("unhandledRejection", (reason) => {
  console.error(JSON.stringify({ level: 60, event: "process.unhandled_rejection", error: reason instanceof Error ? reason.message : String(reason) }));
  process.exit(1);
});

main().catch((err: unknown) => {
  console.error(JSON.stringify({ level: 60, event: "bridge.start_failed", error: err instanceof Error ? err.message : String(err) }));
  process.exit(1);
});
