import type { BlobLeaseClient, BlockBlobClient } from "@azure/storage-blob";
import { randomUUID } from "node:crypto";
import { assertContainerName, blobServiceClient, type BlobStorageOptions } from "./blob-clients";
import { blobStatusOf, toBlobStorageError } from "./blob-errors";
import type { LeaseOps } from "./lease-leadership";

export interface BlobLeaseOpsOptions extends BlobStorageOptions {
  /** Container of the lease blob (not the immutable journal's); default `bridge-leases`. */
  readonly container?: string;
  /** The lease blob; default `leader`. */
  readonly blobName?: string;
  /** Deadline of one lease request, SDK retries included; default 5 000 ms. */
  readonly timeoutMs?: number;
}

/**
 * `LeaseOps` on an Azure blob lease: an empty blob whose lease the instances compete for. Each instance
 * proposes its own random lease id, so acquiring what it already holds succeeds and anyone else gets 409
 * `LeaseAlreadyPresent`. A renewal refused with 409 (another id holds it, or none) means the lease is lost.
 */
export class BlobLeaseOps implements LeaseOps {
  readonly leaseId = randomUUID();
  private readonly blob: BlockBlobClient;
  private readonly lease: BlobLeaseClient;
  private readonly createContainer: (signal: AbortSignal) => Promise<unknown>;
  private readonly timeoutMs: number;

  constructor(options: BlobLeaseOpsOptions) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
    const container = blobServiceClient(options, { maxTries: 2, tryTimeoutMs: this.timeoutMs }).getContainerClient(
      assertContainerName(options.container ?? "bridge-leases"),
    );
    this.blob = container.getBlockBlobClient(options.blobName ?? "leader");
    this.lease = this.blob.getBlobLeaseClient(this.leaseId);
    this.createContainer = (abortSignal) => container.createIfNotExists({ abortSignal });
  }

  async prepare(): Promise<void> {
    await this.run("lease.prepare", async (abortSignal) => {
      await this.createContainer(abortSignal);
      try {
        await this.blob.upload("", 0, { abortSignal, conditions: { ifNoneMatch: "*" } });
      } catch (err) {
        // 409: it exists; 412: it exists and is leased right now. Both are what we wanted.
        const status = blobStatusOf(err);
        if (status !== 409 && status !== 412) throw err;
      }
    });
  }

  async acquire(durationSeconds: number): Promise<boolean> {
    return this.run("lease.acquire", async (abortSignal) => {
      try {
        await this.lease.acquireLease(durationSeconds, { abortSignal });
        return true;
      } catch (err) {
        if (blobStatusOf(err) === 409) return false;
        throw err;
      }
    });
  }

  async renew(): Promise<boolean> {
    return this.run("lease.renew", async (abortSignal) => {
      try {
        await this.lease.renewLease({ abortSignal });
        return true;
      } catch (err) {
        if (blobStatusOf(err) === 409 || blobStatusOf(err) === 412) return false;
        throw err;
      }
    });
  }

  async release(): Promise<void> {
    await this.run("lease.release", async (abortSignal) => {
      try {
        await this.lease.releaseLease({ abortSignal });
      } catch (err) {
        if (blobStatusOf(err) !== 409 && blobStatusOf(err) !== 412) throw err;
      }
    });
  }

  private async run<T>(operation: string, action: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await action(AbortSignal.timeout(this.timeoutMs));
    } catch (err) {
      throw toBlobStorageError(err, operation);
    }
  }
}
