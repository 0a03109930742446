import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedAzurite, type EmbeddedAzurite } from "../../../src/storage/azurite/embedded-azurite";
import { CaptureLogger } from "../../support/capture-logger";

/**
 * An Azurite of its own for one chaos scenario, kept on disk (a temporary folder) so that it can be
 * stopped and started again on the same ports with its data: a storage outage as the bridge sees it.
 * `inMemory`: kept in memory instead (its data is lost when it stops), for tables too large for Azurite
 * to write out to disk every few seconds (benchmarks with a long history).
 */
export class ChaosAzurite {
  private current: EmbeddedAzurite | undefined;
  private ports: { tablePort: number; blobPort: number } | undefined;
  readonly location = mkdtempSync(join(tmpdir(), "chaos-azurite-"));

  constructor(private readonly options: { readonly inMemory?: boolean } = {}) {}

  /** Starts it (again, on the same ports and data after `stop`, unless in memory). */
  async start(): Promise<void> {
    if (this.current) return;
    this.current = await startEmbeddedAzurite({
      ...(this.options.inMemory ? {} : { location: this.location }),
      logger: new CaptureLogger(),
      ...(this.ports ?? {}),
    });
    this.ports = { tablePort: this.current.tablePort, blobPort: this.current.blobPort };
  }

  /** Its Table and Blob ports while running. */
  get endpoints(): { tablePort: number; blobPort: number } {
    if (!this.current) throw new Error("Azurite is not running");
    return { tablePort: this.current.tablePort, blobPort: this.current.blobPort };
  }

  get connectionString(): string {
    if (!this.current) throw new Error("Azurite is not running");
    return this.current.connectionString;
  }

  /** Stops it (graceful: Azurite flushes its data to disk). */
  async stop(): Promise<void> {
    const running = this.current;
    this.current = undefined;
    await running?.stop();
  }

  /** Stops it for `ms`, then starts it again; resolves once it is back. */
  async outage(ms: number): Promise<void> {
    await this.stop();
    await new Promise((ok) => setTimeout(ok, ms));
    await this.start();
  }
}
