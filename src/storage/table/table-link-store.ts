import { odata } from "@azure/data-tables";
import { AadObjectId, BusinessNumberId, TeamsGroupId, type TeamsChannelId } from "../../core/ids";
import type { ChannelAddress, ChannelLink } from "../../core/model";
import type { LinkStore } from "../../core/ports/stores";
import { EntityReader, toJsonProperty, toNumberProperty, withoutUndefined, type StoredEntity } from "./entity-codec";
import { encodeKey } from "./keys";
import type { TableAccess } from "./table-access";
import { hasStatus } from "./table-errors";

/** The one partition of every link: links are few (one per business number), and all of them are read together. */
const LINKS = "links";
/** The RowKey of a link in the first layout (PartitionKey = business number), moved at start-up (`migrate`). */
const FORMER_LINK_ROW = "link";

/**
 * Links table: PartitionKey `links`, RowKey = business number id; the full address is JSON. Every read
 * names the partition: `get` is a point read, `list` and `listByChannel` read the one partition (a
 * handful of rows) and filter in memory.
 */
export class TableLinkStore implements LinkStore {
  constructor(private readonly table: TableAccess) {}

  async get(business: BusinessNumberId): Promise<ChannelLink | undefined> {
    const row = await this.table.get("links.get", LINKS, encodeKey(business));
    return row && this.toLink(row);
  }

  async put(link: ChannelLink): Promise<void> {
    await this.table.upsert(
      "links.put",
      withoutUndefined({
        partitionKey: LINKS,
        rowKey: encodeKey(link.business),
        business: link.business,
        channelId: link.channel.channelId,
        channel: toJsonProperty("links.put", "channel", link.channel),
        linkedBy: link.linkedBy,
        linkedAt: toNumberProperty(link.linkedAt),
        displayNumber: link.displayNumber,
        teamGroupId: link.teamGroupId,
        suspended: link.suspended === undefined ? undefined : toJsonProperty("links.put", "suspended", link.suspended),
      }),
    );
  }

  async remove(business: BusinessNumberId): Promise<boolean> {
    return this.table.run("links.remove", async (options) => {
      try {
        await this.table.client.deleteEntity(LINKS, encodeKey(business), options);
        return true;
      } catch (err) {
        if (hasStatus(err, 404)) return false;
        throw err;
      }
    });
  }

  async listByChannel(channel: TeamsChannelId): Promise<ChannelLink[]> {
    return (await this.list()).filter((l) => l.channel.channelId === channel);
  }

  async list(): Promise<ChannelLink[]> {
    const rows = await this.table.query("links.list", odata`PartitionKey eq ${LINKS}`);
    return rows.map((row) => this.toLink(row));
  }

  /**
   * Moves links written in the first layout (PartitionKey = business number, RowKey `link`) into the
   * `links` partition. Runs once at start-up; the one query that is not by partition, and only then.
   */
  async migrate(): Promise<number> {
    const former = await this.table.query("links.migrate", odata`RowKey eq ${FORMER_LINK_ROW}`);
    for (const row of former) {
      const link = this.toLink(row);
      if (!(await this.get(link.business))) await this.put(link);
      await this.table.run("links.migrate", (options) => this.table.client.deleteEntity(String(row.partitionKey), FORMER_LINK_ROW, options));
    }
    return former.length;
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
