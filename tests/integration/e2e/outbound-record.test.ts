import assert from "node:assert/strict";
import { TeamsMessageId, type TeamsThreadRef } from "../../../src/core/ids";
import type { OutboundRecord } from "../../../src/core/ports/webhook-journal";
import { BlobJournalReader } from "../../../src/storage/blob/journal-reader";
import { EXAMPLE_BUSINESS, textMessage } from "../../../tools/sign-webhook";
import { ORDER_UPDATE_TEMPLATE as TEMPLATE } from "../../support/meta-templates";
import { ADMIN_AAD, STAFF_AAD, startHarness, type Harness } from "../../support/bridge-harness";

/**
 * The template whose record Teams refuses to post, over real HTTP: Meta accepts the template, the Bot
 * Connector answers 503 to the thread post recording it. The staff member is told it was sent (never
 * "not sent"), a second press sends nothing, the journal holds the outbound record once, and after a
 * restart the record is posted in the thread, once.
 */

const MARIA = { phone: "5511987654321", userId: "BR.1873409921457730218", name: "Maria Souza" };
const now = () => Math.floor(Date.now() / 1000);
const textOf = (a: Record<string, unknown>) => String(a.text ?? "");
const cardOf = (a: Record<string, unknown>) => JSON.stringify((a.attachments as Array<{ content: unknown }> | undefined)?.[0]?.content ?? {});
const isRecordPost = (activity: Record<string, unknown>) => /Template “order_update”/.test(textOf(activity));

/** Every outbound record in the harness's journal, read back from the blobs. */
async function outboundRecords(h: Harness): Promise<OutboundRecord[]> {
  const storage = h.config.storage;
  assert.equal(storage.kind, "connection-string");
  const reader = new BlobJournalReader({
    connectionString: storage.kind === "connection-string" ? storage.connectionString : "",
    container: h.journalContainer,
  });
  const found: OutboundRecord[] = [];
  for await (const entry of reader.entries("2000-01-01", "2999-12-31"))
    if (entry.kind === "record" && entry.record.kind === "outbound") found.push(entry.record);
  return found;
}

describe("a template whose thread record Teams refuses is sent once, said sent, and recorded once", function () {
  this.timeout(90_000);
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { WHATSAPP_BUSINESS_ACCOUNT_ID: EXAMPLE_BUSINESS.wabaId } });
    h.metaGraph.templates = [TEMPLATE];
  });
  after(async () => h?.stop());

  it("sends one template, journals it, and posts its record after the restart", async () => {
    await h.sendActivity(h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true }));
    assert.equal(await h.postWebhook(h.envelope(textMessage({ from: MARIA, text: "Hello", id: "wamid.rec.1", timestamp: now() - 25 * 3600 }))), 200);
    await h.connector.waitFor((s) => s.created.length === 1, 10_000);
    await h.bridge.bridge.idle();
    const thread = h.connector.created[0]!.conversationId;

    // Outside the window: the reply brings the template card.
    const before = h.connector.posts.length;
    await h.sendActivity(h.channelMessage("Are you still there?", { thread }));
    await h.connector.waitFor((s) => s.posts.length > before, 5000);
    const cardPost = h.connector.posts.at(-1)!;
    assert.match(cardOf(cardPost.activity), /order_update/);

    h.connector.teams.setPostRule((activity) => (isRecordPost(activity) ? { status: 503, code: "ServiceUnavailable", message: "Teams is busy" } : undefined));
    const press = () =>
      h.sendActivity({
        ...h.channelMessage("", { thread }),
        text: undefined,
        attachments: [],
        replyToId: cardPost.id,
        value: { bridgeAction: "template.send", template: "order_update|en_US", "h:1": "#4471", "b:1": "Maria", "b:2": "#4471" },
      });
    const [first, second] = await Promise.all([press(), press()]);
    assert.equal(first.status, 200, first.body);
    assert.equal(second.status, 200, second.body);
    await h.metaGraph.waitForSends(1, 5000);
    await h.bridge.bridge.idle();
    assert.equal(h.metaGraph.sent.length, 1, "one template for two presses");
    assert.equal(h.connector.posts.filter((p) => isRecordPost(p.activity)).length, 0, "Teams refused the record post");
    assert.ok(!h.connector.posts.some((p) => /Not sent/.test(textOf(p.activity)) || /Not sent/.test(cardOf(p.activity))), "never reported as not sent");
    const replaced = h.connector.updates.filter((u) => u.activityId === cardPost.id).at(-1);
    assert.match(JSON.stringify(replaced?.activity ?? {}), /Hi Maria, your order #4471 has shipped\./, "the card shows what was sent");
    const row = await h.bridge.stores.outbox.get(thread as TeamsThreadRef, TeamsMessageId(cardPost.id));
    assert.equal(row?.state, "recording");

    const journaled = await outboundRecords(h);
    assert.equal(journaled.length, 1);
    assert.equal(journaled[0]!.label, "template:order_update|en_US");
    assert.match(journaled[0]!.text, /Hi Maria, your order #4471 has shipped\./);
    assert.deepEqual(journaled[0]!.author, { aadObjectId: STAFF_AAD, name: "Sam Staff" });

    // Teams takes posts again; the restarted bridge finishes the record of its earlier process's row.
    h.connector.teams.setPostRule(undefined);
    await h.restart();
    await h.connector.waitFor((s) => s.posts.some((p) => isRecordPost(p.activity)), 15_000);
    await h.bridge.bridge.idle();
    assert.equal(h.connector.posts.filter((p) => isRecordPost(p.activity)).length, 1);
    assert.equal(h.metaGraph.sent.length, 1, "nothing sent again");
    assert.equal((await outboundRecords(h)).length, 1, "recorded once");
    assert.equal((await h.bridge.stores.outbox.get(thread as TeamsThreadRef, TeamsMessageId(cardPost.id)))?.state, "sent");
  });
});
