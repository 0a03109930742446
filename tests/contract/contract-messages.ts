import assert from "node:assert/strict";
import { AadObjectId, TeamsMessageId, WaMessageId } from "../../src/core/ids";
import type { MessageLink } from "../../src/core/model";
import type { Stores } from "../../src/core/ports/stores";
import { AWKWARD_WAMID, BUSINESS, messageLink, OTHER_BUSINESS, thread } from "./store-fixtures";

export function messageMapStoreContract(make: () => Promise<Stores>): void {
  describe("MessageMapStore", () => {
    it("returns undefined for unknown messages in either direction", async () => {
      const { messages } = await make();
      assert.equal(await messages.byWamid(BUSINESS, WaMessageId("wamid.unknown")), undefined);
      assert.equal(await messages.byTeamsMessage(thread(), TeamsMessageId("1")), undefined);
    });

    it("finds a link by wamid and by Teams message, and put is idempotent", async () => {
      const { messages } = await make();
      const inbound = messageLink();
      const outbound = messageLink({ wamid: WaMessageId("wamid.OUT"), teamsMessageId: TeamsMessageId("1700000001000"), direction: "outbound", author: AadObjectId("aad-1") });
      await messages.put(inbound);
      await messages.put(inbound);
      await messages.put(outbound);
      assert.deepEqual(await messages.byWamid(BUSINESS, inbound.wamid), inbound);
      assert.deepEqual(await messages.byTeamsMessage(inbound.thread, inbound.teamsMessageId), inbound);
      assert.deepEqual(await messages.byWamid(BUSINESS, outbound.wamid), outbound);
      assert.deepEqual(await messages.byTeamsMessage(outbound.thread, outbound.teamsMessageId), outbound);
    });

    it("keeps wamids per business number and Teams ids per thread", async () => {
      const { messages } = await make();
      await messages.put(messageLink());
      assert.equal(await messages.byWamid(OTHER_BUSINESS, messageLink().wamid), undefined);
      assert.equal(await messages.byTeamsMessage(thread("1700000000002"), messageLink().teamsMessageId), undefined);
    });

    it("handles wamids with / + = and Teams ids with # ? \\ %, without confusing escaped and plain forms", async () => {
      const { messages } = await make();
      const awkward = messageLink({ wamid: AWKWARD_WAMID, teamsMessageId: TeamsMessageId("a#b?c\\d%e/f") });
      const lookalike = messageLink({ wamid: WaMessageId(AWKWARD_WAMID.replace(/\//g, "%2F")), teamsMessageId: TeamsMessageId("a%23b%3Fc%5Cd%25e%2Ff") });
      await messages.put(awkward);
      await messages.put(lookalike);
      assert.deepEqual(await messages.byWamid(BUSINESS, AWKWARD_WAMID), awkward);
      assert.deepEqual(await messages.byWamid(BUSINESS, lookalike.wamid), lookalike);
      assert.deepEqual(await messages.byTeamsMessage(awkward.thread, awkward.teamsMessageId), awkward);
      assert.deepEqual(await messages.byTeamsMessage(lookalike.thread, lookalike.teamsMessageId), lookalike);
    });

    it("hands out copies", async () => {
      const { messages } = await make();
      const written = { ...messageLink() } as { -readonly [K in keyof MessageLink]: MessageLink[K] };
      await messages.put(written);
      written.at = 0;
      const read = (await messages.byWamid(BUSINESS, messageLink().wamid)) as { at: number };
      read.at = 1;
      assert.deepEqual(await messages.byWamid(BUSINESS, messageLink().wamid), messageLink());
    });
  });
}
