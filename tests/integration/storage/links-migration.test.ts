import assert from "node:assert/strict";
import { TableClient } from "@azure/data-tables";
import { AadObjectId, BusinessNumberId, TeamsChannelId, TenantId } from "../../../src/core/ids";
import { createTableStores } from "../../../src/storage/table/table-stores";
import { getAzurite, uniqueTablePrefix } from "../../support/azurite";

describe("links written in the first table layout (PartitionKey = number) move to the links partition at start-up", () => {
  it("a link stored the old way is found, listed and removable after initialize, and the old row is gone", async () => {
    const azurite = await getAzurite();
    const tablePrefix = uniqueTablePrefix("migr");
    const links = TableClient.fromConnectionString(azurite.connectionString, `${tablePrefix}links`, { allowInsecureConnection: true });
    await links.createTable();
    const channel = {
      channelId: TeamsChannelId("19:old@thread.tacv2"),
      tenantId: TenantId("72f988bf-86f1-41af-91ab-2d7cd011db47"),
      serviceUrl: "https://smba.trafficmanager.net/emea/",
    };
    await links.createEntity({
      partitionKey: "106540352242922",
      rowKey: "link",
      business: "106540352242922",
      channelId: channel.channelId,
      channel: JSON.stringify(channel),
      linkedBy: "aad-1",
      linkedAt: 1_764_000_000_000,
      displayNumber: "+1 555-0100",
    });

    const stores = await createTableStores({ connectionString: azurite.connectionString, tablePrefix });
    assert.deepEqual(await stores.links.get(BusinessNumberId("106540352242922")), {
      business: "106540352242922",
      channel,
      linkedBy: AadObjectId("aad-1"),
      linkedAt: 1_764_000_000_000,
      displayNumber: "+1 555-0100",
    });
    assert.deepEqual(
      (await stores.links.listByChannel(channel.channelId)).map((l) => l.business),
      ["106540352242922"],
    );
    const old: unknown[] = [];
    for await (const row of links.listEntities({ queryOptions: { filter: "RowKey eq 'link'" } })) old.push(row);
    assert.deepEqual(old, [], "the old row was moved, not copied");
    assert.equal(await stores.links.remove(BusinessNumberId("106540352242922")), true);
    // A second start finds nothing left to move.
    assert.equal(await stores.links.migrate(), 0);
  });
});
