import { PermanentError } from "../../core/errors";
import {
  maskId,
  type BusinessNumberId,
  type ConversationKey,
  type TeamsChannelId,
  type TeamsMessageId,
  type TeamsThreadRef,
  type WaMessageId,
} from "../../core/ids";
import type { ChannelLink, Conversation, InboxEntry, InboxFlags, InboxState, IndexedInboxState, MessageLink } from "../../core/model";
import type { ConversationStore, InboxStore, LinkStore, MessageMapStore, Stores } from "../../core/ports/stores";
import { FINAL_OUTBOUND_STATES } from "../../core/rules/delivery-state";
import { MemoryOutboxStore } from "./memory-outbox-store";
import { MemoryMediaRetryStore } from "./memory-media-retry-store";
import { OldestEntries } from "../../core/bridge/scheduling/inbox-order";
import { assertStorableJson, clip, compareInboxEntries, copy, definedFields, INBOX_DETAIL_MAX_CHARS } from "./memory-rules";

/**
 * In-memory `Stores` for unit tests and the demo. Same semantics as the Table implementation (the same
 * contract suite runs against both): atomic `reserve`/`record`, `update`/`activate`/`setState` throw a
 * `PermanentError` when the row is missing, values are copied in and out (a caller mutating what it got
 * back never changes the store). No I/O: every method resolves on the next microtask.
 */
export class MemoryStores implements Stores {
  readonly links = new MemoryLinkStore();
  readonly conversations = new MemoryConversationStore();
  readonly messages = new MemoryMessageMapStore();
  readonly inbox = new MemoryInboxStore();
  readonly outbox = new MemoryOutboxStore();
  readonly mediaRetries = new MemoryMediaRetryStore();

  /** Always answers: memory cannot be unreachable. */
  async ping(): Promise<void> {}
}

/** Business number → channel link, kept in a Map. */
export class MemoryLinkStore implements LinkStore {
  private readonly rows = new Map<string, ChannelLink>();

  async get(business: BusinessNumberId): Promise<ChannelLink | undefined> {
    const link = this.rows.get(business);
    return link && copy(link);
  }

  async put(link: ChannelLink): Promise<void> {
    assertStorableJson("links.put", "channel", link.channel);
    this.rows.set(link.business, copy(link));
  }

  async remove(business: BusinessNumberId): Promise<boolean> {
    return this.rows.delete(business);
  }

  async listByChannel(channel: TeamsChannelId): Promise<ChannelLink[]> {
    return [...this.rows.values()].filter((l) => l.channel.channelId === channel).map(copy);
  }

  async list(): Promise<ChannelLink[]> {
    return [...this.rows.values()].map(copy);
  }
}

type ConversationPatch = Parameters<ConversationStore["update"]>[1];

/** Contact ⇄ thread, with a thread → contact index like the Table implementation's. */
export class MemoryConversationStore implements ConversationStore {
  private readonly rows = new Map<string, Conversation>();
  private readonly byThread = new Map<string, ConversationKey>();

  async get(contact: ConversationKey): Promise<Conversation | undefined> {
    const row = this.rows.get(contact);
    return row && copy(row);
  }

  async reserve(conversation: Conversation): Promise<{ created: true } | { created: false; existing: Conversation }> {
    // Check and set happen in one synchronous step, so concurrent callers cannot both create.
    const existing = this.rows.get(conversation.contact);
    if (existing) return { created: false, existing: copy(existing) };
    this.rows.set(conversation.contact, copy(definedFields(conversation)));
    return { created: true };
  }

  async activate(
    contact: ConversationKey,
    thread: { channelId: TeamsChannelId; thread: TeamsThreadRef; rootMessageId: TeamsMessageId },
    options: { readonly alias?: boolean } = {},
  ): Promise<Conversation> {
    const current = this.require(contact, "activate");
    const next: Conversation = { ...current, state: "active", channelId: thread.channelId, thread: thread.thread, rootMessageId: thread.rootMessageId };
    if (!options.alias) this.byThread.set(thread.thread, contact);
    this.rows.set(contact, next);
    return copy(next);
  }

  async update(contact: ConversationKey, patch: ConversationPatch): Promise<void> {
    const current = this.require(contact, "update");
    this.rows.set(contact, { ...current, ...definedFields(patch) });
  }

  async release(contact: ConversationKey): Promise<void> {
    // Only a reservation is released: a late release after a successful activate must not orphan a thread.
    if (this.rows.get(contact)?.state === "creating") this.rows.delete(contact);
  }

  async findByThread(thread: TeamsThreadRef): Promise<Conversation | undefined> {
    const contact = this.byThread.get(thread);
    const row = contact === undefined ? undefined : this.rows.get(contact);
    return row?.thread === thread ? copy(row) : undefined;
  }

  private require(contact: ConversationKey, operation: string): Conversation {
    const row = this.rows.get(contact);
    if (!row) throw new PermanentError("storage.conversation_missing", `conversations.${operation}: no conversation for contact ${maskId(contact)}`);
    return row;
  }
}

/** wamid ⇄ Teams message, both directions. */
export class MemoryMessageMapStore implements MessageMapStore {
  private readonly byWa = new Map<string, MessageLink>();
  private readonly byTeams = new Map<string, MessageLink>();

  async put(link: MessageLink): Promise<void> {
    this.byWa.set(pairKey(link.business, link.wamid), copy(definedFields(link)));
    this.byTeams.set(pairKey(link.thread, link.teamsMessageId), copy(definedFields(link)));
  }

  async byWamid(business: BusinessNumberId, wamid: WaMessageId): Promise<MessageLink | undefined> {
    const row = this.byWa.get(pairKey(business, wamid));
    return row && copy(row);
  }

  async byTeamsMessage(thread: TeamsThreadRef, id: TeamsMessageId): Promise<MessageLink | undefined> {
    const row = this.byTeams.get(pairKey(thread, id));
    return row && copy(row);
  }

  async listAwaitingStatus(sentBefore: number): Promise<MessageLink[]> {
    const final = new Set<string>(FINAL_OUTBOUND_STATES);
    return [...this.byWa.values()]
      .filter((l) => l.direction === "outbound" && l.at < sentBefore && !final.has(l.state ?? "accepted"))
      .sort((a, b) => a.at - b.at || (a.wamid < b.wamid ? -1 : a.wamid > b.wamid ? 1 : 0))
      .map(copy);
  }
}

/** Journal of received WhatsApp events; unfinished ones are listed without looking at finished ones, like the Table store. */
export class MemoryInboxStore implements InboxStore {
  private readonly rows = new Map<string, InboxEntry>();
  /** Ids of the entries that are not `done` (the Table store's index partition rows). */
  private readonly unfinished = new Set<string>();

  async record(entry: InboxEntry): Promise<"created" | "duplicate"> {
    assertStorableJson("inbox.record", "event", entry.event);
    const id = pairKey(entry.business, entry.key);
    if (this.rows.has(id)) return "duplicate";
    const stored: InboxEntry = { ...entry, ...(entry.detail ? { detail: clip(entry.detail, INBOX_DETAIL_MAX_CHARS) } : { detail: undefined }) };
    this.rows.set(id, copy(definedFields(stored)));
    if (entry.state !== "done") this.unfinished.add(id);
    return "created";
  }

  async get(business: BusinessNumberId, key: string): Promise<InboxEntry | undefined> {
    const row = this.rows.get(pairKey(business, key));
    return row && copy(row);
  }

  async setState(business: BusinessNumberId, key: string, state: InboxState, detail?: string, flags: InboxFlags = {}): Promise<void> {
    const id = pairKey(business, key);
    const row = this.rows.get(id);
    if (!row) throw new PermanentError("storage.inbox_entry_missing", `inbox.setState: no entry ${key} for business ${business}`);
    const { detail: _previous, duplicateSuspected, interruptedPost, ...rest } = row;
    // A flag is either set (true) or absent, as the Table store reads it back.
    const set = { duplicateSuspected: flags.duplicateSuspected ?? duplicateSuspected, interruptedPost: flags.interruptedPost ?? interruptedPost };
    this.rows.set(id, {
      ...rest,
      state,
      ...(detail ? { detail: clip(detail, INBOX_DETAIL_MAX_CHARS) } : {}),
      ...(set.duplicateSuspected ? { duplicateSuspected: true } : {}),
      ...(set.interruptedPost ? { interruptedPost: true } : {}),
    });
    if (state === "done") this.unfinished.delete(id);
    else this.unfinished.add(id);
  }

  async list(state: IndexedInboxState, business?: BusinessNumberId): Promise<InboxEntry[]> {
    return this.open()
      .filter((e) => e.state === state && (business === undefined || e.business === business))
      .sort(compareInboxEntries)
      .map(copy);
  }

  async oldest(states: readonly IndexedInboxState[], limit: number): Promise<{ entries: InboxEntry[]; total: number }> {
    const oldest = new OldestEntries(limit);
    for (const row of this.open()) if (states.includes(row.state as IndexedInboxState)) oldest.offer(copy(row));
    return oldest.result();
  }

  async listFlagged(): Promise<InboxEntry[]> {
    return [...this.rows.values()]
      .filter((e) => e.duplicateSuspected)
      .sort(compareInboxEntries)
      .map(copy);
  }

  private open(): InboxEntry[] {
    return [...this.unfinished].map((id) => this.rows.get(id)!);
  }
}

/** Map key of a pair of ids; `\u0000` cannot occur in either id. */
function pairKey(a: string, b: string): string {
  return `${a}\u0000${b}`;
}
