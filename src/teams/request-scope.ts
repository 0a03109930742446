import { AsyncLocalStorage } from "node:async_hooks";
import type { Logger } from "../core/ports/logger";

/**
 * Per-request state shared with code that botbuilder calls back (the guarded authentication and
 * connector factory, guarded-connector.ts). Kept in AsyncLocalStorage so concurrent requests never see
 * each other's state.
 */
export interface BotRequestScope {
  /** Set by the connector guard when the activity's serviceUrl host is not allowed. */
  refusedServiceUrlHost?: string;
  /**
   * Where botbuilder is with the request: authenticating it, running its turn, or refused it (a
   * rejected token, a serviceUrl not allowed).
   */
  stage: "authenticating" | "turn" | "refused";
  /** Lines botbuilder wrote to the console while authenticating or refusing this request. */
  consoleLines: number;
  readonly logger: Logger;
}

const storage = new AsyncLocalStorage<BotRequestScope>();

/** The scope of the bot request being processed, if any. */
export function currentBotRequestScope(): BotRequestScope | undefined {
  return storage.getStore();
}

/** Runs botbuilder's authentication of the current request, noting whether it accepted it. */
export async function botbuilderAuthenticated<T>(authenticate: () => Promise<T>): Promise<T> {
  const scope = storage.getStore();
  try {
    const result = await authenticate();
    if (scope?.stage === "authenticating") scope.stage = "turn";
    return result;
  } catch (err) {
    if (scope) scope.stage = "refused";
    throw err;
  }
}

/** Notes that the current request is refused before its turn (its serviceUrl host is not allowed). */
export function botbuilderRefused(reason: { serviceUrlHost: string }): void {
  const scope = storage.getStore();
  if (!scope) return;
  scope.refusedServiceUrlHost = reason.serviceUrlHost;
  scope.stage = "refused";
}

type ConsoleMethod = (...args: unknown[]) => void;
let installed = false;

function describeConsoleArg(arg: unknown): string {
  if (arg instanceof Error) return `${arg.name}: ${arg.message}`;
  return typeof arg === "string" ? arg : String(arg);
}

/**
 * botbuilder has no logger: it writes a rejected token's error with `console.error` from inside its
 * token validation (botframework-connector's JwtTokenExtractor, for an expired, not yet valid, wrongly
 * signed or wrongly issued token, with the signing key's text), and CloudAdapter.process writes every
 * request it refuses the same way. Neither can be turned off or redirected through its public surface,
 * and the first happens inside the authentication that must stay botbuilder's. So while botbuilder
 * authenticates a request, and once it has refused one, that request's console lines go to our logger
 * at debug level (short, scrubbed by the logger) instead of stdout. A turn botbuilder accepted, and
 * everything outside bot requests, see the console unchanged. Installed once per process.
 */
function installConsoleFilter(): void {
  if (installed) return;
  installed = true;
  for (const level of ["error", "warn"] as const) {
    const original = console[level].bind(console) as ConsoleMethod;
    console[level] = (...args: unknown[]) => {
      const scope = storage.getStore();
      if (!scope || scope.stage === "turn") {
        original(...args);
        return;
      }
      scope.consoleLines++;
      scope.logger.debug("teams.sdk.console", { level, stage: scope.stage, message: args.map(describeConsoleArg).join(" ").slice(0, 300) });
    };
  }
}

/** Runs `work` inside a fresh bot request scope. */
export function runInBotRequestScope<T>(logger: Logger, work: (scope: BotRequestScope) => Promise<T>): Promise<T> {
  installConsoleFilter();
  const scope: BotRequestScope = { stage: "authenticating", consoleLines: 0, logger };
  return storage.run(scope, () => work(scope));
}
