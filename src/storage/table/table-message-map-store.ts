import { AadObjectId, BusinessNumberId, TeamsMessageId, WaMessageId, type ConversationKey, type TeamsThreadRef } from "../../core/ids";
import type { MessageLink } from "../../core/model";
import type { MessageMapStore } from "../../core/ports/stores";
import type { OutboundState } from "../../core/rules/delivery-state";
import { odata } from "@azure/data-tables";
import { EntityReader, toJsonProperty, toNumberProperty, withoutUndefined, type StoredEntity } from "./entity-codec";
import { encodeKey } from "./keys";
import type { TableAccess } from "./table-access";

/**
 * Messages table, one link stored twice so both lookups are point reads:
 * - PartitionKey = business number id, RowKey = `wa:<wamid>` (lookup by wamid);
 * - PartitionKey = thread ref, RowKey = `teams:<Teams message id>` (lookup by Teams message).
 * The RowKey prefixes keep the two kinds apart even if a thread ref ever equalled a business id.
 * `put` upserts both rows, so repeating it is harmless; a crash between the two writes leaves one
 * direction missing until the caller's retry writes it.
 */
export class TableMessageMapStore implements MessageMapStore {
  constructor(private readonly table: TableAccess) {}

  async put(link: MessageLink): Promise<void> {
    const properties = withoutUndefined({
      business: link.business,
      wamid: link.wamid,
      thread: link.thread,
      teamsMessageId: link.teamsMessageId,
      contact: link.contact,
      direction: link.direction,
      at: toNumberProperty(link.at),
      author: link.author,
      state: link.state,
      excerpt: link.excerpt,
      receipts: link.receipts === undefined ? undefined : toJsonProperty("messages.put", "receipts", link.receipts),
    });
    await Promise.all([
      this.table.upsert("messages.put", { partitionKey: encodeKey(link.business), rowKey: encodeKey(link.wamid, "wa:"), ...properties }),
      this.table.upsert("messages.put", { partitionKey: encodeKey(link.thread), rowKey: encodeKey(link.teamsMessageId, "teams:"), ...properties }),
    ]);
  }

  async byWamid(business: BusinessNumberId, wamid: WaMessageId): Promise<MessageLink | undefined> {
    const row = await this.table.get("messages.byWamid", encodeKey(business), encodeKey(wamid, "wa:"));
    return row && this.toLink(row);
  }

  async byTeamsMessage(thread: TeamsThreadRef, id: TeamsMessageId): Promise<MessageLink | undefined> {
    const row = await this.table.get("messages.byTeamsMessage", encodeKey(thread), encodeKey(id, "teams:"));
    return row && this.toLink(row);
  }

  async listOutbound(filter: { sentBefore: number; excludeStates?: readonly OutboundState[] }): Promise<MessageLink[]> {
    // Only the `wa:` rows (one per wamid); time and state are compared here, where numbers stay exact.
    const rows = await this.table.query("messages.listOutbound", odata`direction eq ${"outbound"} and RowKey ge ${"wa:"} and RowKey lt ${"wa;"}`);
    const excluded = new Set(filter.excludeStates ?? []);
    return rows
      .map((row) => this.toLink(row))
      .filter((l) => l.at < filter.sentBefore && !excluded.has(l.state ?? "accepted"))
      .sort((a, b) => a.at - b.at || (a.wamid < b.wamid ? -1 : a.wamid > b.wamid ? 1 : 0));
  }

  private toLink(row: StoredEntity): MessageLink {
    const r = new EntityReader(row, this.table.name);
    const author = r.optionalString("author");
    const state = r.optionalString("state");
    const excerpt = r.optionalString("excerpt");
    const receipts = r.optionalString("receipts");
    return {
      business: BusinessNumberId(r.string("business")),
      wamid: WaMessageId(r.string("wamid")),
      thread: r.string("thread") as TeamsThreadRef,
      teamsMessageId: TeamsMessageId(r.string("teamsMessageId")),
      contact: r.string("contact") as ConversationKey,
      direction: r.oneOf("direction", ["inbound", "outbound"] as const),
      at: r.number("at"),
      ...(author === undefined ? {} : { author: AadObjectId(author) }),
      ...(state === undefined ? {} : { state: r.oneOf("state", ["accepted", "sent", "delivered", "read", "played", "failed"] as const) }),
      ...(excerpt === undefined ? {} : { excerpt }),
      ...(receipts === undefined ? {} : { receipts: r.json<NonNullable<MessageLink["receipts"]>>("receipts") }),
    };
  }
}
