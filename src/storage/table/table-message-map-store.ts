import { AadObjectId, BusinessNumberId, TeamsMessageId, WaMessageId, type ConversationKey, type TeamsThreadRef } from "../../core/ids";
import type { MessageLink } from "../../core/model";
import type { MessageMapStore } from "../../core/ports/stores";
import { odata } from "@azure/data-tables";
import { EntityReader, toJsonProperty, toNumberProperty, withoutUndefined, type StoredEntity } from "./entity-codec";
import { encodeKey } from "./keys";
import type { TableAccess } from "./table-access";
import { hasStatus } from "./table-errors";
import { FINAL_OUTBOUND_STATES } from "../../core/rules/delivery-state";

/** The partition of outbound messages still waiting for a final status (no business id starts with `~`). */
const AWAITING = "~awaiting";
const FINAL: ReadonlySet<string> = new Set(FINAL_OUTBOUND_STATES);
const awaitingKey = (business: BusinessNumberId, wamid: WaMessageId) => `${encodeKey(business)}|${encodeKey(wamid)}`;

/**
 * Messages table, one link stored twice so both lookups are point reads:
 * - PartitionKey = business number id, RowKey = `wa:<wamid>` (lookup by wamid);
 * - PartitionKey = thread ref, RowKey = `teams:<Teams message id>` (lookup by Teams message).
 * The RowKey prefixes keep the two kinds apart even if a thread ref ever equalled a business id.
 * `put` upserts both rows, so repeating it is harmless; a crash between the two writes leaves one
 * direction missing until the caller's retry writes it. Outbound messages without a final status are
 * indexed in the partition `~awaiting` (RowKey `<business>|<wamid>`): written before the rows, removed
 * after a final status, so `listAwaitingStatus` never reads finished messages and never misses one.
 */
export class TableMessageMapStore implements MessageMapStore {
  constructor(private readonly table: TableAccess) {}

  async put(link: MessageLink): Promise<void> {
    const awaiting = link.direction === "outbound" && !FINAL.has(link.state ?? "accepted");
    if (awaiting)
      await this.table.upsert("messages.put", {
        partitionKey: AWAITING,
        rowKey: awaitingKey(link.business, link.wamid),
        business: link.business,
        wamid: link.wamid,
      });
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
    if (link.direction === "outbound" && !awaiting) await this.unindex(link.business, link.wamid);
  }

  async byWamid(business: BusinessNumberId, wamid: WaMessageId): Promise<MessageLink | undefined> {
    const row = await this.table.get("messages.byWamid", encodeKey(business), encodeKey(wamid, "wa:"));
    return row && this.toLink(row);
  }

  async byTeamsMessage(thread: TeamsThreadRef, id: TeamsMessageId): Promise<MessageLink | undefined> {
    const row = await this.table.get("messages.byTeamsMessage", encodeKey(thread), encodeKey(id, "teams:"));
    return row && this.toLink(row);
  }

  async listAwaitingStatus(sentBefore: number): Promise<MessageLink[]> {
    const index = await this.table.query("messages.listAwaitingStatus", odata`PartitionKey eq ${AWAITING}`);
    const links: MessageLink[] = [];
    for (const row of index) {
      const business = BusinessNumberId(String(row["business"]));
      const wamid = WaMessageId(String(row["wamid"]));
      const link = await this.byWamid(business, wamid);
      // Finished since (the removal after the final status did not happen): off the index now.
      if (link && FINAL.has(link.state ?? "accepted")) await this.unindex(business, wamid);
      else if (link && link.at < sentBefore) links.push(link);
    }
    return links.sort((a, b) => a.at - b.at || (a.wamid < b.wamid ? -1 : a.wamid > b.wamid ? 1 : 0));
  }

  private async unindex(business: BusinessNumberId, wamid: WaMessageId): Promise<void> {
    await this.table.run("messages.unindex", async (options) => {
      try {
        await this.table.client.deleteEntity(AWAITING, awaitingKey(business, wamid), options);
      } catch (err) {
        if (!hasStatus(err, 404)) throw err;
      }
    });
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
