import assert from "node:assert/strict";
import type { Stores } from "../../src/core/ports/stores";
import { conversationStoreContract } from "./contract-conversations";
import { inboxStoreContract } from "./contract-inbox";
import { linkStoreContract } from "./contract-links";
import { messageMapStoreContract } from "./contract-messages";
import { outboxStoreContract } from "./contract-outbox";
import { mediaRetryStoreContract } from "./contract-media-retries";
import { BUSINESS } from "./store-fixtures";

/** Makes a fresh, empty `Stores` for one test. */
export type MakeStores = () => Promise<Stores>;

/**
 * The one contract every `Stores` implementation must meet (docs/architecture.md, "Layout"): run it from a `*.test.ts`
 * with a factory that returns fresh, isolated stores for each test. Sub-suites per store live in
 * contract-*.ts.
 */
export function storesContract(name: string, make: MakeStores): void {
  describe(`Stores contract: ${name}`, () => {
    it("ping resolves when storage answers, and leaves nothing behind", async () => {
      const stores = await make();
      await stores.ping();
      assert.equal(await stores.links.get(BUSINESS), undefined);
      assert.deepEqual(await stores.inbox.list("pending"), []);
    });
    linkStoreContract(make);
    conversationStoreContract(make);
    messageMapStoreContract(make);
    inboxStoreContract(make);
    outboxStoreContract(make);
    mediaRetryStoreContract(make);
  });
}
