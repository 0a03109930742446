import assert from "node:assert/strict";
import { statusUpdate, textMessage } from "../../../tools/sign-webhook";
import { ADMIN_AAD, EXAMPLE_BUSINESS, startHarness, type Harness } from "../../support/bridge-harness";

const MARIA = { phone: "5511987654321", userId: "BR.1873409921457730218", name: "Maria Souza" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => Math.floor(Date.now() / 1000);
const textOf = (a: Record<string, unknown>) => String(a.text ?? "");
const sentTexts = (h: Harness) => h.metaGraph.sent.filter((s) => s.status === 200).map((s) => (s.body as { text?: { body?: string } }).text?.body);

/** Links the channel and starts Maria's thread with a message a minute old; returns the thread id. */
async function thread(h: Harness, id: string): Promise<string> {
  await h.sendActivity(h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true }));
  assert.equal(await h.postWebhook(h.envelope(textMessage({ from: MARIA, text: "Hello", id, timestamp: now() - 60 }))), 200);
  await h.connector.waitFor((s) => s.created.length === 1, 10_000);
  await h.bridge.bridge.idle();
  return h.connector.created[0]!.conversationId;
}

describe("staff replies survive a restart; rate-limited sends are re-sent, over real HTTP", function () {
  this.timeout(90_000);

  describe("a failed status with a rate-limit code", () => {
    let h: Harness;
    before(async () => {
      h = await startHarness();
    });
    after(async () => h?.stop());

    it("Meta accepted the reply, then reported 131056: the same text is sent exactly once more, with no failure notice", async () => {
      const t = await thread(h, "wamid.outbox.rate.1");
      assert.equal((await h.sendActivity(h.channelMessage("Your parcel left the warehouse", { thread: t }))).status, 200);
      await h.metaGraph.waitForSends(1, 5_000);
      await h.bridge.bridge.idle();
      const wamid = h.metaGraph.sent[0]!.wamid!;
      const posts = h.connector.posts.length;
      const failed = statusUpdate({
        id: wamid,
        status: "failed",
        recipient: { phone: MARIA.phone, userId: MARIA.userId },
        errors: [{ code: 131056, title: "(Business Account, Consumer Account) pair rate limit hit" }],
      });
      assert.equal(await h.postWebhook(h.envelope(failed)), 200);
      await h.metaGraph.waitForSends(2, 10_000);
      await h.bridge.bridge.idle();
      // Meta redelivers the same webhook: it changes nothing.
      assert.equal(await h.postWebhook(h.envelope(failed)), 200);
      await sleep(1_500);
      await h.bridge.bridge.idle();
      assert.deepEqual(sentTexts(h), ["Your parcel left the warehouse", "Your parcel left the warehouse"]);
      assert.notEqual(h.metaGraph.sent[1]!.wamid, wamid);
      assert.ok(h.metaGraph.sent[1]!.at - h.metaGraph.sent[0]!.at >= 1_000, "re-sent after Meta's 4^0 s backoff");
      assert.equal(h.connector.posts.slice(posts).filter((p) => /Not delivered/.test(textOf(p.activity))).length, 0);
    });
  });

  describe("a restart while a reply waits in the pacer", () => {
    let h: Harness;
    // One message per minute to a customer: the second reply waits in the pacer when the bridge stops.
    before(async () => {
      h = await startHarness({ env: { WHATSAPP_PAIR_BURST: "1", WHATSAPP_PAIR_INTERVAL_MS: "60000", OUTBOX_REQUEUE_SECONDS: "1" } });
    });
    after(async () => h?.stop());

    it("the queued reply is sent once after the restart", async () => {
      const t = await thread(h, "wamid.outbox.restart.1");
      assert.equal((await h.sendActivity(h.channelMessage("first reply", { thread: t }))).status, 200);
      await h.metaGraph.waitForSends(1, 5_000);
      assert.equal((await h.sendActivity(h.channelMessage("second reply, held back by the pair rate", { thread: t }))).status, 200);
      await sleep(500);
      assert.deepEqual(sentTexts(h), ["first reply"]);
      await h.restart();
      await h.metaGraph.waitForSends(2, 15_000);
      await h.bridge.bridge.idle();
      await sleep(1_500);
      assert.deepEqual(sentTexts(h), ["first reply", "second reply, held back by the pair rate"]);
      assert.equal(h.connector.posts.filter((p) => /Not sent|may not have reached/.test(textOf(p.activity))).length, 0);
    });
  });
});
