import type { ContainerClient } from "@azure/storage-blob";
import { describeError } from "../../core/errors";
import type { Logger } from "../../core/ports/logger";

/** What a container's properties say about write protection (the data plane tells no more). */
export interface ContainerImmutability {
  /** A container-level time-based retention policy exists (locked or not: the data plane does not say). */
  readonly policy: boolean;
  /** Version-level immutability is enabled: each blob version can carry its own policy. */
  readonly versionLevel: boolean;
  /** A legal hold is set. */
  readonly legalHold: boolean;
}

/** True when something keeps the container's blobs from being overwritten or deleted. */
export function isProtected(state: ContainerImmutability): boolean {
  return state.policy || state.versionLevel || state.legalHold;
}

/**
 * Reads the container's immutability flags (one Get Container Properties). Emulators and containers
 * without a policy answer false everywhere. Does I/O; the caller translates errors.
 */
export async function readContainerImmutability(container: ContainerClient, abortSignal: AbortSignal): Promise<ContainerImmutability> {
  const properties = await container.getProperties({ abortSignal });
  return {
    policy: properties.hasImmutabilityPolicy === true,
    versionLevel: properties.isImmutableStorageWithVersioningEnabled === true,
    legalHold: properties.hasLegalHold === true,
  };
}

/**
 * Production keeps the record on write-protected storage: logs `journal.not_immutable` (a warning that
 * says what to do) when the journal's container has no protection, `journal.immutability_unknown` when
 * its properties cannot be read, `journal.immutable` otherwise. Never throws: the bridge starts anyway.
 */
export async function warnIfJournalMutable(
  journal: { readonly containerName: string; immutability(): Promise<ContainerImmutability> },
  logger: Logger,
): Promise<void> {
  try {
    const state = await journal.immutability();
    if (isProtected(state)) return void logger.info("journal.immutable", { container: journal.containerName, ...state });
    logger.warn("journal.not_immutable", {
      container: journal.containerName,
      note: "THE WEBHOOK JOURNAL CAN BE OVERWRITTEN OR DELETED: give its container an immutability (WORM) policy (infra/azuredeploy.json does). Until then the record is tamper-evident (npm run verify) but not tamper-proof.",
    });
  } catch (err) {
    logger.warn("journal.immutability_unknown", { container: journal.containerName, error: describeError(err) });
  }
}
