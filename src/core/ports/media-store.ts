import type { ConversationKey, TeamsGroupId, WaMessageId } from "../ids";
import type { ChannelAddress } from "../model";

/** A file to keep: what a customer sent, already downloaded and checked. */
export interface MediaToKeep {
  readonly bytes: Uint8Array;
  /** The file's name as shown to people (customer-supplied for documents); the store makes it safe to store. */
  readonly name: string;
  /** The type the file really is (or, when unknown, what WhatsApp declared). */
  readonly mimeType: string;
  /** The channel whose thread shows it: production keeps files in that channel's SharePoint folder. */
  readonly channel: ChannelAddress;
  /** The channel's team (its Microsoft 365 group, found at `link`): production keeps files in that team's own site. */
  readonly teamGroupId?: TeamsGroupId;
  /** One folder per contact. */
  readonly contact: ConversationKey;
  /** The WhatsApp message the file came with; keeping the same message's file again replaces it. */
  readonly wamid: WaMessageId;
  /**
   * Kept apart: the file failed an integrity check, or is of a risky type under the quarantine or block
   * policy (risky-files.ts). Stored away from the other files with `.quarantined` after its name (so that
   * opening it runs nothing), never served as its declared type.
   */
  readonly quarantined?: boolean;
}

/** Where a kept file is. */
export interface KeptMedia {
  /**
   * A link people in the channel can open; absent for a quarantined file the store does not serve. The
   * core never shows a quarantined file's link.
   */
  readonly link?: string;
  /**
   * For a quarantined file: where it is kept, as a path a security team can follow (the channel's files
   * folder and below, or the local store's quarantine folder). Shown instead of a link.
   */
  readonly location?: string;
  /** SHA-256 of the kept bytes, lower-case hex. */
  readonly sha256: string;
  /** Bytes kept. */
  readonly size: number;
}

/**
 * Keeps media files for the record (docs/architecture.md, "Layout"): "keep a file, return a link and its SHA-256".
 * Production keeps them in the linked channel's SharePoint files folder (Microsoft Graph), local modes in
 * a folder served by the bridge. `keep` does I/O; it throws a `TransientError` when trying again may
 * help (throttling, 5xx, network) and a `PermanentError` otherwise (permissions, configuration).
 */
export interface MediaStore {
  keep(file: MediaToKeep): Promise<KeptMedia>;
}
