import type { Logger } from "../../core/ports/logger";
import type { BlobStorageOptions } from "./blob-clients";
import { BlobLeaseOps } from "./blob-lease-ops";
import { createBlobWebhookJournal, type BlobWebhookJournal } from "./blob-webhook-journal";
import { LeaseLeadership } from "./lease-leadership";

export type { BlobStorageOptions } from "./blob-clients";
export { BlobWebhookJournal, createBlobWebhookJournal, journalDayPrefix } from "./blob-webhook-journal";
export { LeaseLeadership, type LeaseOps } from "./lease-leadership";
export { isProtected, warnIfJournalMutable, type ContainerImmutability } from "./journal-immutability";
export { BlobJournalReader, type JournalEntry, type JournalReaderOptions } from "./journal-reader";
export { verifyJournal, type Break, type SignatureCheck, type VerifyReport } from "./journal-verifier";
export { BlobLeaseOps } from "./blob-lease-ops";

export interface BlobReliabilityOptions extends BlobStorageOptions {
  /** Container of the webhook journal (immutable in production). */
  readonly journalContainer: string;
  /** Container of the leader lease blob (an ordinary, mutable container). */
  readonly leaseContainer: string;
  readonly leaseDurationSeconds: number;
  readonly leaseRenewMs: number;
  readonly logger: Logger;
  /** The journal's writer: this machine's instance name (each start adds a boot id of its own). */
  readonly instanceName?: string;
  /** Epoch ms: decides when a day is over and sealed; default `Date.now` (the bridge passes its clock). */
  readonly now?: () => number;
}

/**
 * The Blob side of reliability: the webhook journal (container created if missing) and leader election
 * on a lease blob (not started: call `leadership.start()` once the process is ready to work, and
 * `leadership.stop()` on shutdown to release the lease). Throws if the journal's container cannot be
 * reached or created, or the options are invalid.
 */
export async function openBlobReliability(options: BlobReliabilityOptions): Promise<{ journal: BlobWebhookJournal; leadership: LeaseLeadership }> {
  const { journalContainer, leaseContainer, leaseDurationSeconds, leaseRenewMs, logger, instanceName, now, ...storage } = options;
  // Sealed every minute: each day's manifest is written shortly after midnight, even when idle.
  const journal = await createBlobWebhookJournal({
    ...storage,
    container: journalContainer,
    sealEveryMs: 60_000,
    ...(instanceName ? { writer: { instance: instanceName } } : {}),
    ...(now ? { now } : {}),
  });
  const leadership = new LeaseLeadership({
    ops: new BlobLeaseOps({ ...storage, container: leaseContainer }),
    logger,
    leaseDurationSeconds,
    renewIntervalMs: leaseRenewMs,
  });
  return { journal, leadership };
}
