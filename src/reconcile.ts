import { ConfigError, loadConfig, readEnvironment } from "./config";
import { describeError } from "./core/errors";
import { parseDuration, reconcile, renderReport } from "./core/bridge/recovery/reconcile";
import { createTableStores } from "./storage/table/table-stores";

/**
 * `npm run reconcile -- [--older-than 15m] [--json]`: the reconciliation report (src/core/reconcile.ts)
 * for the storage the bridge is configured with (same environment and `.env` as `npm start`).
 * Exit codes: 0 report printed (whatever it says), 1 storage could not be read, 2 bad arguments or
 * configuration.
 */
const USAGE = `usage: npm run reconcile -- [--older-than <duration>] [--json]

Lists every received WhatsApp event without a Teams message, every outbound message without a final
status (delivered, read, played, failed) sent longer ago than --older-than (default 15m; e.g. 90s, 2h,
1d), every event flagged as a possible duplicate post, and every staff reply stranded in the outbox
(queued or sending for longer than --older-than, or uncertain: it may not have reached the customer).
--json prints the same as JSON.`;

interface Arguments {
  readonly olderThanMs: number;
  readonly json: boolean;
}

/** Parses the command line; a string is an error message. */
function parseArguments(argv: readonly string[]): Arguments | "help" | string {
  let olderThanMs = 15 * 60_000;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") return "help";
    if (arg === "--json") json = true;
    else if (arg === "--older-than" || arg.startsWith("--older-than=")) {
      const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[++i];
      const ms = value === undefined ? undefined : parseDuration(value);
      if (ms === undefined) return `--older-than needs a duration such as 15m, 2h or 90s (got ${value ?? "nothing"})`;
      olderThanMs = ms;
    } else return `unknown argument: ${arg}`;
  }
  return { olderThanMs, json };
}

async function main(): Promise<number> {
  const args = parseArguments(process.argv.slice(2));
  if (args === "help") {
    console.log(USAGE);
    return 0;
  }
  if (typeof args === "string") {
    console.error(`${args}\n\n${USAGE}`);
    return 2;
  }
  let config;
  try {
    config = loadConfig(readEnvironment());
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  if (config.storage.kind === "embedded") {
    // The embedded Azurite belongs to the bridge process that started it (its data folder is locked).
    console.error("reconcile reads the bridge's storage: set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_NAME");
    return 2;
  }
  // Only the tables: light to load (no Teams or Meta adapters), and stdout stays the report's.
  const stores = await createTableStores(
    config.storage.kind === "account" ? { accountName: config.storage.accountName } : { connectionString: config.storage.connectionString },
  );
  const report = await reconcile(stores, { now: Date.now(), outboundOlderThanMs: args.olderThanMs });
  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`reconcile failed: ${describeError(err)}`);
    process.exitCode = 1;
  },
);
