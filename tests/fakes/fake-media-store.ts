import { createHash } from "node:crypto";
import type { BridgeError } from "../../src/core/errors";
import type { KeptMedia, MediaStore, MediaToKeep } from "../../src/core/ports/media-store";

/** Keeps files in memory and records them; failures can be scripted. */
export class FakeMediaStore implements MediaStore {
  readonly kept: Array<MediaToKeep & KeptMedia> = [];
  private readonly failures: BridgeError[] = [];

  failNext(...errors: BridgeError[]): void {
    this.failures.push(...errors);
  }

  async keep(file: MediaToKeep): Promise<KeptMedia> {
    const err = this.failures.shift();
    if (err) throw err;
    const sha256 = createHash("sha256").update(file.bytes).digest("hex");
    // Like the local store: a quarantined file gets no link, only where it is kept.
    const kept: KeptMedia = file.quarantined
      ? { location: `quarantine/${file.wamid}`, sha256, size: file.bytes.length }
      : { link: `https://files.example/${encodeURIComponent(file.name)}`, sha256, size: file.bytes.length };
    this.kept.push({ ...file, ...kept });
    return kept;
  }
}
