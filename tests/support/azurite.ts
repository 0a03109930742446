import { startEmbeddedAzurite, type EmbeddedAzurite } from "../../src/storage/azurite/embedded-azurite";
import { CaptureLogger } from "./capture-logger";
import { afterAllTests } from "./root-hooks";

let shared: Promise<EmbeddedAzurite> | undefined;
let prefixCounter = 0;

/**
 * The test run's one Azurite (in memory, on free ports of 127.0.0.1), started by the first suite that
 * asks and stopped once after all tests. Suites isolate themselves with their own table names
 * (see `uniqueTablePrefix`), never by assuming an empty account.
 */
export function getAzurite(): Promise<{ connectionString: string }> {
  shared ??= startEmbeddedAzurite({ logger: new CaptureLogger() }).then((azurite) => {
    afterAllTests(() => azurite.stop());
    return azurite;
  });
  return shared;
}

/** A table prefix no other test in this run uses (letters and digits, starts with a letter). */
export function uniqueTablePrefix(label = "t"): string {
  prefixCounter += 1;
  return `${label}${process.pid}x${prefixCounter}x${Math.floor(Math.random() * 1e6)}`;
}
