import type { ComplianceChannel, ComplianceJob, ComplianceStore, JobProgress, StoredProgress } from "../../core/ports/compliance-store";
import { assertStorableJson, copy } from "./memory-rules";

/**
 * In-memory `ComplianceStore` for unit tests and the demo, with the Table store's semantics (the same
 * contract suite runs against both): values copied in and out, progress written only when its version
 * is still the one named (a counter stands in for the ETag).
 */
export class MemoryComplianceStore implements ComplianceStore {
  private channel: ComplianceChannel | undefined;
  private readonly progress = new Map<ComplianceJob, { progress: JobProgress; version: string }>();
  private versions = 0;

  async getChannel(): Promise<ComplianceChannel | undefined> {
    return this.channel && copy(this.channel);
  }

  async setChannel(channel: ComplianceChannel): Promise<ComplianceChannel | undefined> {
    assertStorableJson("compliance.setChannel", "channel", channel.channel);
    const previous = this.channel;
    this.channel = copy(channel);
    return previous;
  }

  async getProgress(job: ComplianceJob): Promise<StoredProgress | undefined> {
    const stored = this.progress.get(job);
    return stored && { progress: copy(stored.progress), version: stored.version };
  }

  async saveProgress(job: ComplianceJob, progress: JobProgress, expected: string | undefined): Promise<string | undefined> {
    assertStorableJson("compliance.saveProgress", "progress", progress);
    if (this.progress.get(job)?.version !== expected) return undefined;
    const version = `v${++this.versions}`;
    this.progress.set(job, { progress: copy(progress), version });
    return version;
  }
}
