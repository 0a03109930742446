import assert from "node:assert/strict";
import { WaMessageId } from "../../src/core/ids";
import type { Stores } from "../../src/core/ports/stores";
import { AWKWARD_WAMID, BUSINESS, inboundText, OTHER_BUSINESS } from "./store-fixtures";

export function mediaRetryStoreContract(make: () => Promise<Stores>): void {
  describe("MediaRetryStore", () => {
    const message = (id: string, business = BUSINESS) => ({ ...inboundText(), id: WaMessageId(id), business });

    it("queues a retry once per message, lists the queue oldest first, counts attempts, and removes finished ones", async () => {
      const { mediaRetries } = await make();
      await mediaRetries.add({ business: BUSINESS, message: message("wamid.B"), attempts: 1, createdAt: 2_000 });
      await mediaRetries.add({ business: BUSINESS, message: message(AWKWARD_WAMID), attempts: 1, createdAt: 1_000 });
      await mediaRetries.add({ business: OTHER_BUSINESS, message: message("wamid.B", OTHER_BUSINESS), attempts: 1, createdAt: 3_000 });
      await mediaRetries.add({ business: BUSINESS, message: message("wamid.B"), attempts: 5, createdAt: 9_000 });
      assert.deepEqual(
        (await mediaRetries.list()).map((r) => [r.business, r.message.id, r.attempts]),
        [
          [BUSINESS, AWKWARD_WAMID, 1],
          [BUSINESS, "wamid.B", 1],
          [OTHER_BUSINESS, "wamid.B", 1],
        ],
      );
      await mediaRetries.setAttempts(BUSINESS, WaMessageId("wamid.B"), 3);
      assert.equal((await mediaRetries.get(BUSINESS, WaMessageId("wamid.B")))?.attempts, 3);
      assert.deepEqual((await mediaRetries.get(BUSINESS, AWKWARD_WAMID))?.message, message(AWKWARD_WAMID));
      await mediaRetries.remove(BUSINESS, WaMessageId("wamid.B"));
      await mediaRetries.remove(BUSINESS, WaMessageId("wamid.B"));
      await mediaRetries.setAttempts(BUSINESS, WaMessageId("wamid.B"), 4);
      assert.equal(await mediaRetries.get(BUSINESS, WaMessageId("wamid.B")), undefined, "removed, and an update after removal creates nothing");
      assert.equal((await mediaRetries.list()).length, 2);
    });
  });
}
