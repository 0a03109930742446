import { odata } from "@azure/data-tables";
import { AadObjectId, BusinessNumberId, TeamsGroupId, type TeamsChannelId } from "../../core/ids";
import type { ChannelAddress, ChannelLink } from "../../core/model";
import type { LinkStore } from "../../core/ports/stores";
import { EntityReader, toJsonProperty, toNumberProperty, withoutUndefined, type StoredEntity } from "./entity-codec";
import { encodeKey } from "./keys";
import type { TableAccess } from "./table-access";
import { hasStatus } from "./table-errors";

/** The one row of a business number's link. */
const LINK_ROW = "link";

/**
 * Links table: PartitionKey = business number id, RowKey = `link`. `channelId` is kept as its own
 * property so `listByChannel` can filter on it (a scan: links are few, and only commands and a suspended
 * link's probe read them this way); the full address is JSON.
 */
export class TableLinkStore implements LinkStore {
  constructor(private readonly table: TableAccess) {}

  async get(business: BusinessNumberId): Promise<ChannelLink | undefined> {
    const row = await this.table.get("links.get", encodeKey(business), LINK_ROW);
    return row && this.toLink(row);
  }

  async put(link: ChannelLink): Promise<void> {
    await this.table.upsert("links.put", withoutUndefined({
      partitionKey: encodeKey(link.business),
      rowKey: LINK_ROW,
      business: link.business,
      channelId: link.channel.channelId,
      channel: toJsonProperty("links.put", "channel", link.channel),
      linkedBy: link.linkedBy,
      linkedAt: toNumberProperty(link.linkedAt),
      displayNumber: link.displayNumber,
      teamGroupId: link.teamGroupId,
      suspended: link.suspended === undefined ? undefined : toJsonProperty("links.put", "suspended", link.suspended),
    }));
  }

  async remove(business: BusinessNumberId): Promise<boolean> {
    return this.table.run("links.remove", async (options) => {
      try {
        await this.table.client.deleteEntity(encodeKey(business), LINK_ROW, options);
        return true;
      } catch (err) {
        if (hasStatus(err, 404)) return false;
        throw err;
      }
    });
  }

  async listByChannel(channel: TeamsChannelId): Promise<ChannelLink[]> {
    const rows = await this.table.query("links.listByChannel", odata`channelId eq ${channel}`);
    return rows.map((row) => this.toLink(row));
  }

  async list(): Promise<ChannelLink[]> {
    const rows = await this.table.query("links.list", odata`RowKey eq ${LINK_ROW}`);
    return rows.map((row) => this.toLink(row));
  }

  private toLink(row: StoredEntity): ChannelLink {
    const r = new EntityReader(row, this.table.name);
    const displayNumber = r.optionalString("displayNumber");
    const teamGroupId = r.optionalString("teamGroupId");
    const suspended = r.optionalString("suspended");
    return {
      business: BusinessNumberId(r.string("business")),
      channel: r.json<ChannelAddress>("channel"),
      linkedBy: AadObjectId(r.string("linkedBy")),
      linkedAt: r.number("linkedAt"),
      ...(displayNumber === undefined ? {} : { displayNumber }),
      ...(teamGroupId === undefined ? {} : { teamGroupId: TeamsGroupId(teamGroupId) }),
      ...(suspended === undefined ? {} : { suspended: r.json<NonNullable<ChannelLink["suspended"]>>("suspended") }),
    };
  }
}
