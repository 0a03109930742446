import assert from "node:assert/strict";
import { EXAMPLE_BUSINESS, statusUpdate, textMessage } from "../../../tools/sign-webhook";
import { ORDER_UPDATE_TEMPLATE as TEMPLATE } from "../../support/meta-templates";
import { ADMIN_AAD, startHarness, type Harness } from "../../support/bridge-harness";

const MARIA = { phone: "5511987654321", userId: "BR.1873409921457730218", name: "Maria Souza" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => Math.floor(Date.now() / 1000);
const textOf = (a: Record<string, unknown>) => String(a.text ?? "");
const cardOf = (a: Record<string, unknown>) => JSON.stringify((a.attachments as Array<{ content: unknown }> | undefined)?.[0]?.content ?? {});

/** Links the channel and starts Maria's thread with a message `ageSeconds` old; returns the thread id. */
async function threadFor(h: Harness, ageSeconds: number, id: string): Promise<string> {
  if (h.connector.posts.length === 0) {
    await h.sendActivity(h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true }));
  }
  assert.equal(await h.postWebhook(h.envelope(textMessage({ from: MARIA, text: "Hello", id, timestamp: now() - ageSeconds }))), 200);
  await h.connector.waitFor((s) => s.created.length === 1, 10_000);
  await h.bridge.bridge.idle();
  return h.connector.created[0]!.conversationId;
}

describe("WhatsApp's business rules over real HTTP", function () {
  this.timeout(60_000);

  describe("statuses, window, templates, opt-out, policy", () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ env: { WHATSAPP_BUSINESS_ACCOUNT_ID: EXAMPLE_BUSINESS.wabaId } });
      h.metaGraph.templates = [TEMPLATE];
    });
    after(async () => h?.stop());

    it("status webhooks update the root card in place with the ticks; late statuses never move it back", async () => {
      const thread = await threadFor(h, 60, "wamid.br.1");
      const reply = await h.sendActivity(h.channelMessage("Your order ships today", { thread }));
      assert.equal(reply.status, 200);
      await h.metaGraph.waitForSends(1, 5000);
      await h.bridge.bridge.idle();
      const wamid = h.metaGraph.sent[0]!.wamid!;
      const recipient = { phone: MARIA.phone, userId: MARIA.userId };
      for (const state of ["sent", "read", "delivered"] as const) {
        assert.equal(await h.postWebhook(h.envelope(statusUpdate({ id: wamid, status: state, recipient }))), 200);
        await h.bridge.bridge.idle();
      }
      const rootId = thread.split(";messageid=")[1];
      const updates = h.connector.updates.filter((u) => u.activityId === rootId);
      assert.ok(updates.length >= 2, "the root card was updated in place");
      assert.match(cardOf(updates.at(-1)!.activity), /✓✓ read/);
      assert.equal(h.connector.created.length, 1);
    });

    it("a failed status posts a notice in the thread quoting the message", async () => {
      const thread = h.connector.created[0]!.conversationId;
      await h.sendActivity(h.channelMessage("Did you get the invoice?", { thread }));
      await h.metaGraph.waitForSends(2, 5000);
      await h.bridge.bridge.idle();
      const wamid = h.metaGraph.sent[1]!.wamid!;
      const before = h.connector.posts.length;
      await h.postWebhook(h.envelope(statusUpdate({ id: wamid, status: "failed", errors: [{ code: 131026, title: "Message undeliverable" }] })));
      await h.connector.waitFor((s) => s.posts.length > before, 5000);
      const notice = textOf(h.connector.posts.at(-1)!.activity);
      assert.match(notice, /Not delivered to WhatsApp: “Did you get the invoice\?”/);
    });

    it("a card number in a reply blocks the send, naming the rule but not the number", async () => {
      const thread = h.connector.created[0]!.conversationId;
      const sends = h.metaGraph.sent.length;
      const before = h.connector.posts.length;
      await h.sendActivity(h.channelMessage("Card 4111 1111 1111 1111 is charged", { thread }));
      await h.connector.waitFor((s) => s.posts.length > before, 5000);
      const notice = textOf(h.connector.posts.at(-1)!.activity);
      assert.match(notice, /payment card number/);
      assert.doesNotMatch(notice, /4111 1111/);
      assert.equal(h.metaGraph.sent.length, sends);
    });

    it("STOP from the customer marks the thread opted out and the root card shows it", async () => {
      const thread = h.connector.created[0]!.conversationId;
      await h.postWebhook(h.envelope(textMessage({ from: MARIA, text: "STOP", timestamp: now() - 5 })));
      await h.bridge.bridge.idle();
      assert.ok(h.connector.posts.some((p) => p.conversationId === thread && /opted out/.test(textOf(p.activity))));
      const rootId = thread.split(";messageid=")[1];
      assert.match(cardOf(h.connector.updates.filter((u) => u.activityId === rootId).at(-1)!.activity), /opted out/i);
      await h.postWebhook(h.envelope(textMessage({ from: MARIA, text: "start", timestamp: now() - 4 })));
      await h.bridge.bridge.idle();
      assert.ok(h.connector.posts.some((p) => p.conversationId === thread && /opted back in/.test(textOf(p.activity))));
    });
  });

  describe("outside the 24-hour window", () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ env: { WHATSAPP_BUSINESS_ACCOUNT_ID: EXAMPLE_BUSINESS.wabaId } });
      h.metaGraph.templates = [TEMPLATE, { ...TEMPLATE, id: "1002", name: "pending_one", status: "PENDING" }];
    });
    after(async () => h?.stop());

    it("a free-form reply is not sent to Meta; the bot answers with the template card; the card sends the template", async () => {
      const thread = await threadFor(h, 25 * 3600, "wamid.old.1");
      const before = h.connector.posts.length;
      const res = await h.sendActivity(h.channelMessage("Are you still there?", { thread }));
      assert.equal(res.status, 200);
      await h.connector.waitFor((s) => s.posts.length > before, 5000);
      assert.equal(h.metaGraph.sent.length, 0, "nothing was sent to Meta");
      const cardPost = h.connector.posts.at(-1)!;
      assert.match(cardOf(cardPost.activity), /24 hours/);
      assert.match(cardOf(cardPost.activity), /order_update/);
      assert.doesNotMatch(cardOf(cardPost.activity), /pending_one/, "only approved templates are offered");

      // Staff submit the card's inputs (Action.Submit arrives as a message with `value`).
      const submit = {
        ...h.channelMessage("", { thread }),
        text: undefined,
        attachments: [],
        replyToId: cardPost.id,
        value: { bridgeAction: "template.send", template: "order_update|en_US", "h:1": "#4471", "b:1": "Maria", "b:2": "#4471" },
      };
      const answer = await h.sendActivity(submit);
      assert.equal(answer.status, 200, answer.body);
      await h.metaGraph.waitForSends(1, 5000);
      const sent = h.metaGraph.sent[0]!.body as { type: string; to: string; template: { name: string; language: { code: string }; components: unknown[] } };
      assert.equal(sent.type, "template");
      assert.equal(sent.to, "+5511987654321");
      assert.equal(sent.template.name, "order_update");
      assert.equal(sent.template.language.code, "en_US");
      assert.deepEqual(sent.template.components, [
        { type: "header", parameters: [{ type: "text", text: "#4471" }] },
        {
          type: "body",
          parameters: [
            { type: "text", text: "Maria" },
            { type: "text", text: "#4471" },
          ],
        },
      ]);
      await h.bridge.bridge.idle();
      const record = h.connector.posts.find((p) => /Template “order_update”/.test(textOf(p.activity)));
      assert.ok(record, "the thread records what the customer received");
      assert.match(textOf(record.activity), /Hi Maria, your order #4471 has shipped\./);
      assert.ok(
        h.connector.updates.some((u) => u.activityId === cardPost.id),
        "the card was replaced by its sent state",
      );
    });
  });

  describe("pacing", () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ env: { WHATSAPP_PAIR_BURST: "3", WHATSAPP_PAIR_INTERVAL_MS: "150" } });
    });
    after(async () => h?.stop());

    it("a burst of 20 staff replies to one customer goes out in order, the burst at once, then spaced", async () => {
      const thread = await threadFor(h, 60, "wamid.pace.1");
      const replies = Array.from({ length: 20 }, (_, i) => h.channelMessage(`reply ${i + 1}`, { thread }));
      for (const r of replies) assert.equal((await h.sendActivity(r)).status, 200);
      await h.metaGraph.waitForSends(20, 15_000);
      await h.bridge.bridge.idle();
      const sends = h.metaGraph.sent.map((s) => ({ text: (s.body as { text: { body: string } }).text.body, at: s.at }));
      assert.deepEqual(
        sends.map((s) => s.text),
        replies.map((_, i) => `reply ${i + 1}`),
      );
      // A token bucket of 3 refilled every 150 ms: any run of k consecutive sends spans at least
      // (k - 3) intervals. The times are when the stand-in received each send, so a send delayed on its
      // way (timers, a loaded machine running other test workers) shortens the span after it: 60 ms of
      // slack, still far from the few milliseconds an unpaced burst takes.
      for (let i = 0; i < sends.length; i++) {
        for (let j = i + 3; j < sends.length; j++) {
          const span = sends[j]!.at - sends[i]!.at;
          assert.ok(span + 60 >= (j - i + 1 - 3) * 150, `sends ${i + 1}..${j + 1} took only ${span} ms`);
        }
      }
      const total = sends.at(-1)!.at - sends[0]!.at;
      assert.ok(total >= 17 * 150 - 60, `20 sends took ${total} ms`);
      await sleep(10);
    });
  });
});
