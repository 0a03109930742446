import type { AadObjectId } from "./ids";
import type { PolicySettings } from "./rules/outbound-policy";
import type { RiskyFileSettings } from "./risky-files";
import type { StaffList } from "./rules/staff-authority";

/** The bridge's behaviour settings (from configuration, handed in by the composition root). */
export interface BridgeSettings {
  /** Entra object ids allowed to link and unlink channels. */
  readonly admins: ReadonlySet<AadObjectId>;
  /** `all`: every reply in a customer thread is sent; `mention`: only replies that mention the bot. */
  readonly replyMode: "all" | "mention";
  /** A reply starting with this is an internal note, never sent. */
  readonly notePrefix: string;
  /**
   * A reply starting with this is sent although it would stay internal (it @mentions a colleague or
   * links into the tenant); the prefix is removed from what the customer gets. Default `!`.
   */
  readonly sendPrefix?: string;
  /** The organisation's own SharePoint/OneDrive hosts beyond `*.sharepoint.com` (a leading dot allows subdomains). */
  readonly tenantLinkHosts?: readonly string[];
  /** A customer message that is exactly one of these opts out of (or back into) business-initiated messages. */
  readonly consentKeywords?: { readonly stop: readonly string[]; readonly start: readonly string[] };
  /** Sent to the customer once when a new conversation starts (e.g. that messages are recorded); off if unset. */
  readonly firstContactNotice?: string;
  /** Checks on staff replies before they leave (cards, IBANs, blocked words/patterns). */
  readonly policy?: PolicySettings;
  /** How long a contact's first waiting message is held so that messages arriving together are sorted first. */
  readonly reorderHoldMs?: number;
  /**
   * `BRIDGE_STAFF`: when set, only these people (or members of its group) may send to customers, on top
   * of being members of the linked channel's team. Unset: every such member may.
   */
  readonly staff?: StaffList;
  /** Meta's rate limits for outbound sends. */
  readonly pacing?: PacingSettings;
  /** What happens to a customer's file that can run code (risky-files.ts); default: quarantine, the default list. */
  readonly riskyFiles?: RiskyFileSettings;
}

/** Meta's limits (docs/protocols.md A15), configurable because tiers and tests differ. */
export interface PacingSettings {
  /** Pair rate limit: one message per this many ms to the same customer (Meta: about 6 s). */
  readonly pairIntervalMs: number;
  /** Messages to one customer that may go out at once before the pair rate applies. */
  readonly pairBurst: number;
  /** Throughput per business number (Meta: 80 messages/s by default). */
  readonly perNumberPerSecond: number;
  /**
   * Attempts per message for retryable WhatsApp errors (throughput, pair rate, a passing failure, …);
   * default `WHATSAPP_SEND_RETRY.attempts`.
   */
  readonly attempts?: number;
  /**
   * A staff reply left `queued` (or `sending`) in the outbox this long by a pacer that is not this one is
   * taken to be abandoned (its instance stopped): re-queued here (or, if it was mid-send, flagged).
   * Default `DEFAULT_OUTBOX_REQUEUE_MS`.
   */
  readonly outboxRequeueAfterMs?: number;
  /**
   * Times a reply Meta later reports failed for a rate limit is sent again; default the re-send policy's
   * (retry-policy.ts: 3).
   */
  readonly rateLimitResends?: number;
  /**
   * The name of the machine or replica this bridge runs on, stable across its restarts (App Service's
   * WEBSITE_INSTANCE_ID, Container Apps' replica name, the host name). Outbox rows owned by an earlier
   * process of the same instance are taken over at once on start-up: that process is gone.
   */
  readonly instanceName?: string;
}
