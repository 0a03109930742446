import { AsyncLocalStorage } from "node:async_hooks";
import type { Logger } from "../core/ports/logger";

/**
 * Per-request state shared with code that botbuilder calls back (the guarded connector factory) and the
 * console filter. Kept in AsyncLocalStorage so concurrent requests never see each other's state.
 */
export interface BotRequestScope {
  /** Set by the connector guard when the activity's serviceUrl host is not allowed. */
  refusedServiceUrlHost?: string;
  /** Lines botbuilder wrote to the console during this request (kept out of product logs). */
  consoleLines: number;
  readonly logger: Logger;
}

const storage = new AsyncLocalStorage<BotRequestScope>();

/** The scope of the bot request being processed, if any. */
export function currentBotRequestScope(): BotRequestScope | undefined {
  return storage.getStore();
}

type ConsoleMethod = (...args: unknown[]) => void;
let installed = false;

function describeConsoleArg(arg: unknown): string {
  if (arg instanceof Error) return `${arg.name}: ${arg.message}`;
  return typeof arg === "string" ? arg : String(arg);
}

/**
 * botbuilder writes rejected tokens' errors with `console.error`/`console.warn` (toolchain-notes). Inside
 * a bot request those lines go to our logger at debug level (short, scrubbed by the logger) instead of
 * stdout; outside a bot request the console behaves as before. Installed once per process.
 */
function installConsoleFilter(): void {
  if (installed) return;
  installed = true;
  for (const level of ["error", "warn"] as const) {
    const original = console[level].bind(console) as ConsoleMethod;
    console[level] = (...args: unknown[]) => {
      const scope = storage.getStore();
      if (!scope) { original(...args); return; }
      scope.consoleLines++;
      scope.logger.debug("teams.sdk.console", { level, message: args.map(describeConsoleArg).join(" ").slice(0, 300) });
    };
  }
}

/** Runs `work` inside a fresh bot request scope. */
export function runInBotRequestScope<T>(logger: Logger, work: (scope: BotRequestScope) => Promise<T>): Promise<T> {
  installConsoleFilter();
  const scope: BotRequestScope = { consoleLines: 0, logger };
  return storage.run(scope, () => work(scope));
}
