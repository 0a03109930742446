import assert from "node:assert/strict";
import { BusinessNumberId, TeamsChannelId, TeamsGroupId } from "../../src/core/ids";
import type { ChannelLink } from "../../src/core/model";
import type { Stores } from "../../src/core/ports/stores";
import { rejectsPermanent } from "./contract-assert";
import { BUSINESS, CHANNEL, link, OTHER_BUSINESS, OTHER_CHANNEL } from "./store-fixtures";

const byBusiness = (a: ChannelLink, b: ChannelLink) => a.business.localeCompare(b.business);

export function linkStoreContract(make: () => Promise<Stores>): void {
  describe("LinkStore", () => {
    it("returns undefined for a number that was never linked", async () => {
      const { links } = await make();
      assert.equal(await links.get(BUSINESS), undefined);
    });

    it("round-trips a link, including unicode in the channel address and optional fields", async () => {
      const { links } = await make();
      const full = link();
      const minimal = link({
        business: OTHER_BUSINESS,
        displayNumber: undefined,
        channel: { channelId: CHANNEL, tenantId: full.channel.tenantId, serviceUrl: full.channel.serviceUrl },
      });
      const { displayNumber: _omitted, ...minimalWithoutUndefined } = minimal;
      await links.put(full);
      await links.put(minimal);
      assert.deepEqual(await links.get(BUSINESS), full);
      assert.deepEqual(await links.get(OTHER_BUSINESS), minimalWithoutUndefined);
    });

    it("keeps the team's group id when the link has one (the thread check after a crash needs it)", async () => {
      const { links } = await make();
      const withGroup = link({ teamGroupId: TeamsGroupId("fbe2bf47-16c8-47cf-b4a5-4b9b187c508b") });
      await links.put(withGroup);
      await links.put(link({ business: OTHER_BUSINESS }));
      assert.equal((await links.get(BUSINESS))?.teamGroupId, "fbe2bf47-16c8-47cf-b4a5-4b9b187c508b");
      assert.deepEqual(await links.get(BUSINESS), withGroup);
      assert.equal("teamGroupId" in (await links.get(OTHER_BUSINESS))!, false);
    });

    it("lists every link, and keeps a suspension until a put without it", async () => {
      const { links } = await make();
      const suspended = link({ suspended: { since: 1_764_000_000_500, reason: "Teams does not let the bot post in this team (BotNotInConversationRoster)" } });
      await links.put(suspended);
      await links.put(link({ business: OTHER_BUSINESS, channel: { ...link().channel, channelId: OTHER_CHANNEL } }));
      assert.deepEqual(
        (await links.list()).sort(byBusiness).map((l) => [l.business, l.suspended?.since]),
        [
          [BUSINESS, 1_764_000_000_500],
          [OTHER_BUSINESS, undefined],
        ],
      );
      const { suspended: _lifted, ...active } = suspended;
      await links.put(active);
      assert.deepEqual(await links.get(BUSINESS), active);
    });

    it("put replaces the existing link of the same number", async () => {
      const { links } = await make();
      await links.put(link());
      const moved = link({ channel: { ...link().channel, channelId: OTHER_CHANNEL }, linkedAt: 1_764_999_999_999 });
      await links.put(moved);
      assert.deepEqual(await links.get(BUSINESS), moved);
      assert.deepEqual(await links.listByChannel(CHANNEL), []);
    });

    it("remove reports whether there was a link", async () => {
      const { links } = await make();
      await links.put(link());
      assert.equal(await links.remove(BUSINESS), true);
      assert.equal(await links.get(BUSINESS), undefined);
      assert.equal(await links.remove(BUSINESS), false);
    });

    it("listByChannel returns every number linked to that channel and no other", async () => {
      const { links } = await make();
      const third = BusinessNumberId("300000000000003");
      await links.put(link());
      await links.put(link({ business: OTHER_BUSINESS }));
      await links.put(link({ business: third, channel: { ...link().channel, channelId: OTHER_CHANNEL } }));
      assert.deepEqual((await links.listByChannel(CHANNEL)).sort(byBusiness), [link(), link({ business: OTHER_BUSINESS })].sort(byBusiness));
      assert.deepEqual(
        (await links.listByChannel(OTHER_CHANNEL)).map((l) => l.business),
        [third],
      );
      assert.deepEqual(await links.listByChannel(TeamsChannelId("19:nobody@thread.tacv2")), []);
    });

    it("refuses a channel address too large to store, and stores nothing", async () => {
      const { links } = await make();
      const huge = link({ channel: { ...link().channel, channelName: "x".repeat(40_000) } });
      await rejectsPermanent(links.put(huge), "storage.value_too_large");
      assert.equal(await links.get(BUSINESS), undefined);
    });

    it("hands out copies: mutating a value read or written does not change the store", async () => {
      const { links } = await make();
      const written = structuredClone(link()) as { channel: { channelName?: string } };
      await links.put(written as unknown as ChannelLink);
      written.channel.channelName = "changed after put";
      const read = (await links.get(BUSINESS)) as unknown as { channel: { channelName?: string } };
      read.channel.channelName = "changed after get";
      assert.deepEqual(await links.get(BUSINESS), link());
    });
  });
}
