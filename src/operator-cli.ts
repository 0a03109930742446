import { ConfigError, loadConfig, readEnvironment, type Config } from "./config";
import { describeError } from "./core/errors";

/*
 * What the operator commands (verify, export, erase, report) share with `npm run reconcile`: the same
 * environment and `.env` as `npm start`, one-line errors, and the same exit codes: 0 done, 1 storage
 * could not be read (or, for verify, the journal failed), 2 bad arguments or configuration.
 */

/** A bad command line or configuration: its message is one line, printed with the usage. */
export class UsageError extends Error {}

/** How the operator commands reach storage: the bridge's own account (never an embedded Azurite). */
export type OperatorStorage = { readonly connectionString: string } | { readonly accountName: string };

/** The configuration and storage of the running bridge; throws `UsageError` with one line. */
export function operatorConfig(command: string): { config: Config; storage: OperatorStorage } {
  let config: Config;
  try {
    config = loadConfig(readEnvironment());
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  if (config.storage.kind === "embedded") {
    // The embedded Azurite belongs to the bridge process that started it (its data folder is locked).
    throw new UsageError(`${command} reads the bridge's storage: set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_NAME`);
  }
  const storage = config.storage.kind === "account" ? { accountName: config.storage.accountName } : { connectionString: config.storage.connectionString };
  return { config, storage };
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A `YYYY-MM-DD` argument (a real calendar day), or throws `UsageError`. */
export function dayArgument(flag: string, value: string | undefined): string {
  const match = value === undefined ? null : DAY.exec(value);
  if (!match || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
    throw new UsageError(`${flag} needs a day as YYYY-MM-DD (got ${value ?? "nothing"})`);
  }
  return value!;
}

/** `YYYY-MM-DD` of `at` (UTC), `days` later. */
export function dayOffset(at: number, days = 0): string {
  return new Date(at + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Reads `--flag value` and `--flag=value` pairs; `flags` maps each accepted flag to whether it takes a
 * value. Repeated flags keep every value. Throws `UsageError` on anything else.
 */
export function parseFlags(argv: readonly string[], flags: Readonly<Record<string, boolean>>): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    if (!(flag in flags)) throw new UsageError(`unknown argument: ${arg.slice(0, 40)}`);
    let value = "";
    if (flags[flag]) {
      const given = eq > 0 && arg.startsWith("--") ? arg.slice(eq + 1) : argv[++i];
      if (given === undefined) throw new UsageError(`${flag} needs a value`);
      value = given;
    } else if (eq > 0 && arg.startsWith("--")) throw new UsageError(`${flag} takes no value`);
    found.set(flag, [...(found.get(flag) ?? []), value]);
  }
  return found;
}

/** The single value of `flag`, or undefined; throws `UsageError` when it was given twice. */
export function single(flags: Map<string, string[]>, flag: string): string | undefined {
  const values = flags.get(flag);
  if (values && values.length > 1) throw new UsageError(`${flag} may be given once`);
  return values?.[0];
}

/**
 * Runs a command's `main` and sets the exit code: its own result, 2 with the usage for a `UsageError`,
 * 1 with one line `<name> failed: <code>: <message>` for anything else (never a stack trace).
 */
export function runCommand(name: string, usage: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if (err instanceof UsageError) {
        console.error(err.message.startsWith("Invalid configuration") ? err.message : `${err.message}\n\n${usage}`);
        process.exitCode = 2;
        return;
      }
      console.error(`${name} failed: ${describeError(err)}`);
      process.exitCode = 1;
    },
  );
}
