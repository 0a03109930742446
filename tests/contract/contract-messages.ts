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
      const outbound = messageLink({
        wamid: WaMessageId("wamid.OUT"),
        teamsMessageId: TeamsMessageId("1700000001000"),
        direction: "outbound",
        author: AadObjectId("aad-1"),
      });
      await messages.put(inbound);
      await messages.put(inbound);
      await messages.put(outbound);
      assert.deepEqual(await messages.byWamid(BUSINESS, inbound.wamid), inbound);
      assert.deepEqual(await messages.byTeamsMessage(inbound.thread, inbound.teamsMessageId), inbound);
      assert.deepEqual(await messages.byWamid(BUSINESS, outbound.wamid), outbound);
      assert.deepEqual(await messages.byTeamsMessage(outbound.thread, outbound.teamsMessageId), outbound);
    });

    it("keeps which group participants an outbound message reached and who read it", async () => {
      const { messages } = await make();
      const sent = messageLink({
        wamid: WaMessageId("wamid.GROUP"),
        direction: "outbound",
        state: "read",
        receipts: { delivered: ["US.1", "BR.2"], read: ["US.1"] },
      });
      await messages.put(sent);
      assert.deepEqual(await messages.byWamid(BUSINESS, sent.wamid), sent);
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

    it("lists outbound messages awaiting a final status, sent before a time, oldest first, one per wamid", async () => {
      const { messages } = await make();
      const out = (wamid: string, at: number, state?: MessageLink["state"], teamsMessageId = `17000000${at}`) =>
        messageLink({ wamid: WaMessageId(wamid), teamsMessageId: TeamsMessageId(teamsMessageId), direction: "outbound", at, ...(state ? { state } : {}) });
      const old = out("wamid.O1", 1_000, "sent");
      const older = out("wamid.O2", 500, "accepted");
      const noState = out("wamid.O3", 700);
      const delivered = out("wamid.O4", 600, "delivered");
      const failed = out("wamid.O5", 650, "failed");
      const recent = out("wamid.O6", 5_000, "sent");
      // Two parts of one long reply share the Teams message: both wamids are listed.
      const part1 = out("wamid.P1", 800, "accepted", "1700000000777");
      const part2 = out("wamid.P2", 800, "accepted", "1700000000777");
      for (const l of [old, older, noState, delivered, failed, recent, part1, part2, messageLink({ at: 10 })]) await messages.put(l);
      const listed = await messages.listAwaitingStatus(2_000);
      assert.deepEqual(
        listed.map((l) => l.wamid),
        [older.wamid, noState.wamid, part1.wamid, part2.wamid, old.wamid],
      );
      assert.deepEqual(listed[0], older);
      assert.deepEqual((await messages.listAwaitingStatus(10_000)).length, 6);
      assert.deepEqual(await messages.listAwaitingStatus(400), []);
      // A final status takes a message off the list.
      await messages.put({ ...old, state: "delivered" });
      await messages.put({ ...older, state: "read" });
      assert.deepEqual(
        (await messages.listAwaitingStatus(2_000)).map((l) => l.wamid),
        [noState.wamid, part1.wamid, part2.wamid],
      );
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
