import type { BusinessNumberId, ConversationKey, TeamsChannelId, TeamsMessageId, TeamsThreadRef, WaMessageId } from "../ids";
import type { ChannelLink, Conversation, InboxEntry, InboxFlags, InboxState, IndexedInboxState, MessageLink } from "../model";
import type { MediaRetryStore } from "./media-retry-store";
import type { OutboxStore } from "./outbox-store";

/**
 * Store contracts. Every method does I/O and may throw a `TransientError` (storage unreachable, throttled)
 * or a `PermanentError`; "not found" is `undefined`, never an error. One contract suite
 * (tests/contract) runs against every implementation.
 */

/** Business number → channel. One number has at most one channel. */
export interface LinkStore {
  get(business: BusinessNumberId): Promise<ChannelLink | undefined>;
  /** Creates or replaces the link of `link.business`. */
  put(link: ChannelLink): Promise<void>;
  /** Removes the link; returns false if there was none. */
  remove(business: BusinessNumberId): Promise<boolean>;
  /** All links whose channel is `channel` (a channel may receive several numbers). */
  listByChannel(channel: TeamsChannelId): Promise<ChannelLink[]>;
  /** Every link (a handful per tenant): for start-up and for finding suspended links to probe. */
  list(): Promise<ChannelLink[]>;
}

/** Contact ⇄ thread. */
export interface ConversationStore {
  get(contact: ConversationKey): Promise<Conversation | undefined>;
  /**
   * Atomically creates `conversation` (in state `creating`). Returns `{ created: false, existing }`
   * if a conversation for that contact already exists: never check-then-set.
   */
  reserve(conversation: Conversation): Promise<{ created: true } | { created: false; existing: Conversation }>;
  /**
   * Marks a reserved conversation active in `thread` and indexes it by thread. An `alias` (another key of
   * the same customer, e.g. their phone next to their BSUID) joins the thread without taking its index:
   * `findByThread` keeps answering with the conversation that owns the thread, at every moment.
   */
  activate(
    contact: ConversationKey,
    thread: { channelId: TeamsChannelId; thread: TeamsThreadRef; rootMessageId: TeamsMessageId },
    options?: { readonly alias?: boolean },
  ): Promise<Conversation>;
  /** Merges the given fields into an existing conversation. Throws if it does not exist. */
  update(
    contact: ConversationKey,
    patch: Partial<
      Pick<Conversation, "profileName" | "username" | "phone" | "userId" | "lastInboundAt" | "optedOut" | "lastOutbound" | "group" | "earlierThreadGoneAt">
    >,
  ): Promise<void>;
  /** Removes a conversation that never became active (a failed thread creation), so it can be retried. */
  release(contact: ConversationKey): Promise<void>;
  findByThread(thread: TeamsThreadRef): Promise<Conversation | undefined>;
}

/** wamid ⇄ Teams message, both directions. `put` is idempotent. */
export interface MessageMapStore {
  put(link: MessageLink): Promise<void>;
  byWamid(business: BusinessNumberId, wamid: WaMessageId): Promise<MessageLink | undefined>;
  byTeamsMessage(thread: TeamsThreadRef, id: TeamsMessageId): Promise<MessageLink | undefined>;
  /**
   * Outbound messages (one per wamid) sent before `sentBefore` (epoch ms) that have no final status yet
   * (delivered, read, played or failed; a link without a state counts as `accepted`), oldest first. Reads
   * only such messages, never the ones finished: for reconciliation.
   */
  listAwaitingStatus(sentBefore: number): Promise<MessageLink[]>;
}

/**
 * Every received WhatsApp event, recorded before the webhook is acknowledged. Unfinished entries (every
 * state but `done`) are found through an index kept with them, never by reading finished ones: the cost
 * of finding work does not grow with history.
 */
export interface InboxStore {
  /** Atomic create keyed by `(business, key)`: `duplicate` if that event was recorded before. */
  record(entry: InboxEntry): Promise<"created" | "duplicate">;
  get(business: BusinessNumberId, key: string): Promise<InboxEntry | undefined>;
  /**
   * Moves an entry to a new state (idempotent) with a `detail` for people (cleared when not given);
   * `flags` given replace those flags, flags not given keep their value.
   */
  setState(business: BusinessNumberId, key: string, state: InboxState, detail?: string, flags?: InboxFlags): Promise<void>;
  /** Entries in `state` (not `done`), optionally of one business number, oldest first (inbox order). */
  list(state: IndexedInboxState, business?: BusinessNumberId): Promise<InboxEntry[]>;
  /**
   * The `limit` oldest entries (inbox order) in any of `states`, and how many there are in all: what the
   * bridge loads into memory from a backlog of any size (the rest waits in storage).
   */
  oldest(states: readonly IndexedInboxState[], limit: number): Promise<{ entries: InboxEntry[]; total: number }>;
  /** Entries in any state whose Teams post may exist twice (`duplicateSuspected`), oldest first. */
  listFlagged(): Promise<InboxEntry[]>;
}

/** Everything the core persists, grouped so that composition passes one object. */
export interface Stores {
  readonly links: LinkStore;
  readonly conversations: ConversationStore;
  readonly messages: MessageMapStore;
  readonly inbox: InboxStore;
  /** Staff replies accepted for sending (outbox-store.ts). */
  readonly outbox: OutboxStore;
  /** Customers' files to download again (media-retry-store.ts). */
  readonly mediaRetries: MediaRetryStore;
  /** Resolves if storage answers; throws otherwise (for /readyz). */
  ping(): Promise<void>;
}
