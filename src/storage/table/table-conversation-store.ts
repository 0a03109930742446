import { randomUUID } from "node:crypto";
import { PermanentError, TransientError } from "../../core/errors";
import { BusinessNumberId, maskId, TeamsChannelId, TeamsMessageId, WaPhone, WaUserId, type ConversationKey, type TeamsThreadRef } from "../../core/ids";
import type { Conversation } from "../../core/model";
import type { ConversationStore } from "../../core/ports/stores";
import { EntityReader, toJsonProperty, toNumberProperty, withoutUndefined, type StoredEntity } from "./entity-codec";
import { encodeKey } from "./keys";
import { createOwn, getOrUndefined, type TableAccess } from "./table-access";
import { hasStatus } from "./table-errors";

const CONVERSATION_ROW = "conversation";
const THREAD_ROW = "thread";
/** Read-modify-write attempts before giving up on a row that keeps changing under us (412 each time). */
const MAX_ETAG_ATTEMPTS = 5;

type ConversationPatch = Parameters<ConversationStore["update"]>[1];
type ThreadPlace = Parameters<ConversationStore["activate"]>[1];

/**
 * Conversations table: PartitionKey = contact key, RowKey = `conversation`. Threads table (index):
 * PartitionKey = thread ref, RowKey = `thread`, property `contact`.
 *
 * - `reserve` is one `createEntity`: 409 means the contact already has a conversation (never
 *   check-then-set). Each reserve writes a random `opId`; if the SDK retried a create the service had
 *   already committed, the 409 row carries our own opId and the reserve still reports `created`
 *   (docs/reliability.md, "Table storage limits").
 * - `activate`, `update` and `release` read the row and write back with its ETag (412 → read again).
 * - `activate` writes the thread index first: a crash between the two writes leaves an index row that
 *   `findByThread` ignores, because it only answers when the conversation itself names that thread.
 */
export class TableConversationStore implements ConversationStore {
  constructor(
    private readonly conversations: TableAccess,
    private readonly threads: TableAccess,
  ) {}

  async get(contact: ConversationKey): Promise<Conversation | undefined> {
    const row = await this.conversations.get("conversations.get", encodeKey(contact), CONVERSATION_ROW);
    return row && this.toConversation(row);
  }

  async reserve(conversation: Conversation): Promise<{ created: true } | { created: false; existing: Conversation }> {
    const opId = randomUUID();
    const entity = { partitionKey: encodeKey(conversation.contact), rowKey: CONVERSATION_ROW, ...toProperties(conversation), opId };
    return this.conversations.run("conversations.reserve", async (options) => {
      for (let attempt = 1; attempt <= MAX_ETAG_ATTEMPTS; attempt++) {
        const outcome = await createOwn(this.conversations.client, entity, options);
        // Released between our create and our read: try to create again.
        if (outcome.kind === "vanished") continue;
        if (outcome.kind === "created") return { created: true } as const;
        return { created: false, existing: this.toConversation(outcome.row) } as const;
      }
      throw new TransientError("storage.contended", `conversations.reserve: the conversation of ${maskId(conversation.contact)} keeps appearing and vanishing`);
    });
  }

  async activate(contact: ConversationKey, place: ThreadPlace, options: { readonly alias?: boolean } = {}): Promise<Conversation> {
    if (!options.alias)
      await this.threads.upsert("conversations.activate", { partitionKey: encodeKey(place.thread), rowKey: THREAD_ROW, thread: place.thread, contact });
    return this.modify(contact, "activate", (current) => ({
      next: { ...current, state: "active", channelId: place.channelId, thread: place.thread, rootMessageId: place.rootMessageId },
      changes: { state: "active", channelId: place.channelId, thread: place.thread, rootMessageId: place.rootMessageId },
    }));
  }

  async update(contact: ConversationKey, patch: ConversationPatch): Promise<void> {
    const defined = withoutUndefined(patch);
    await this.modify(contact, "update", (current) => ({
      next: { ...current, ...defined },
      changes: withoutUndefined({
        ...defined,
        lastInboundAt: defined.lastInboundAt === undefined ? undefined : toNumberProperty(defined.lastInboundAt),
        earlierThreadGoneAt: defined.earlierThreadGoneAt === undefined ? undefined : toNumberProperty(defined.earlierThreadGoneAt),
        lastOutbound: defined.lastOutbound === undefined ? undefined : toJsonProperty("conversations.update", "lastOutbound", defined.lastOutbound),
        group: defined.group === undefined ? undefined : toJsonProperty("conversations.update", "group", defined.group),
      }),
    }));
  }

  async release(contact: ConversationKey): Promise<void> {
    const partitionKey = encodeKey(contact);
    await this.conversations.run("conversations.release", async (options) => {
      for (let attempt = 1; attempt <= MAX_ETAG_ATTEMPTS; attempt++) {
        const row = await getOrUndefined(this.conversations.client, partitionKey, CONVERSATION_ROW, options);
        // Only a reservation is released: a late release after a successful activate must not orphan a thread.
        if (!row || row["state"] !== "creating") return;
        try {
          await this.conversations.client.deleteEntity(partitionKey, CONVERSATION_ROW, { ...options, etag: row.etag });
          return;
        } catch (err) {
          if (hasStatus(err, 404)) return;
          if (!hasStatus(err, 412)) throw err;
        }
      }
      throw new TransientError("storage.contended", `conversations.release: the conversation of ${maskId(contact)} keeps changing`);
    });
  }

  async findByThread(thread: TeamsThreadRef): Promise<Conversation | undefined> {
    const index = await this.threads.get("conversations.findByThread", encodeKey(thread), THREAD_ROW);
    const contact = index?.["contact"];
    if (typeof contact !== "string") return undefined;
    const conversation = await this.get(contact as ConversationKey);
    return conversation?.thread === thread ? conversation : undefined;
  }

  /** Read, compute, write back with the ETag; 412 → again. Throws `storage.conversation_missing`. */
  private async modify(
    contact: ConversationKey,
    operation: string,
    change: (current: Conversation) => { next: Conversation; changes: Record<string, unknown> },
  ): Promise<Conversation> {
    const partitionKey = encodeKey(contact);
    const missing = () => new PermanentError("storage.conversation_missing", `conversations.${operation}: no conversation for contact ${maskId(contact)}`);
    return this.conversations.run(`conversations.${operation}`, async (options) => {
      for (let attempt = 1; attempt <= MAX_ETAG_ATTEMPTS; attempt++) {
        const row = await getOrUndefined(this.conversations.client, partitionKey, CONVERSATION_ROW, options);
        if (!row) throw missing();
        const { next, changes } = change(this.toConversation(row));
        try {
          await this.conversations.client.updateEntity({ partitionKey, rowKey: CONVERSATION_ROW, ...changes }, "Merge", { ...options, etag: row.etag });
          return next;
        } catch (err) {
          if (hasStatus(err, 404)) throw missing();
          if (!hasStatus(err, 412)) throw err;
        }
      }
      throw new TransientError("storage.contended", `conversations.${operation}: the conversation of ${maskId(contact)} keeps changing`);
    });
  }

  private toConversation(row: StoredEntity): Conversation {
    const r = new EntityReader(row, this.conversations.name);
    const optional = {
      channelId: r.optionalString("channelId"),
      thread: r.optionalString("thread"),
      rootMessageId: r.optionalString("rootMessageId"),
      userId: r.optionalString("userId"),
      phone: r.optionalString("phone"),
      profileName: r.optionalString("profileName"),
      username: r.optionalString("username"),
      lastInboundAt: r.optionalNumber("lastInboundAt"),
      earlierThreadGoneAt: r.optionalNumber("earlierThreadGoneAt"),
      firstMessage: r.optionalString("firstMessage"),
      optedOut: r.optionalBoolean("optedOut"),
      lastOutbound: r.optionalString("lastOutbound"),
      group: r.optionalString("group"),
    };
    return withoutUndefined<Conversation>({
      contact: r.string("contact") as ConversationKey,
      business: BusinessNumberId(r.string("business")),
      state: r.oneOf("state", ["creating", "active"] as const),
      channelId: optional.channelId === undefined ? undefined : TeamsChannelId(optional.channelId),
      thread: optional.thread as TeamsThreadRef | undefined,
      rootMessageId: optional.rootMessageId === undefined ? undefined : TeamsMessageId(optional.rootMessageId),
      userId: optional.userId === undefined ? undefined : WaUserId(optional.userId),
      phone: optional.phone === undefined ? undefined : WaPhone(optional.phone),
      profileName: optional.profileName,
      username: optional.username,
      createdAt: r.number("createdAt"),
      lastInboundAt: optional.lastInboundAt,
      earlierThreadGoneAt: optional.earlierThreadGoneAt,
      firstMessage: optional.firstMessage,
      optedOut: optional.optedOut,
      lastOutbound: optional.lastOutbound === undefined ? undefined : r.json<Conversation["lastOutbound"]>("lastOutbound"),
      group: optional.group === undefined ? undefined : r.json<Conversation["group"]>("group"),
    });
  }
}

/** A conversation's stored properties (numbers as Edm.Double, absent fields left out). */
function toProperties(c: Conversation): Record<string, unknown> {
  return withoutUndefined({
    contact: c.contact,
    business: c.business,
    state: c.state,
    channelId: c.channelId,
    thread: c.thread,
    rootMessageId: c.rootMessageId,
    userId: c.userId,
    phone: c.phone,
    profileName: c.profileName,
    username: c.username,
    createdAt: toNumberProperty(c.createdAt),
    lastInboundAt: c.lastInboundAt === undefined ? undefined : toNumberProperty(c.lastInboundAt),
    earlierThreadGoneAt: c.earlierThreadGoneAt === undefined ? undefined : toNumberProperty(c.earlierThreadGoneAt),
    firstMessage: c.firstMessage,
    optedOut: c.optedOut,
    lastOutbound: c.lastOutbound === undefined ? undefined : toJsonProperty("conversations", "lastOutbound", c.lastOutbound),
    group: c.group === undefined ? undefined : toJsonProperty("conversations", "group", c.group),
  });
}
