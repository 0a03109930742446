import assert from "node:assert/strict";
import { BusinessNumberId, WaMessageId } from "../../src/core/ids";
import { postMarker } from "../../src/teams/post-marker";
import { customerMessage, EXAMPLE_BUSINESS, signWebhook, statusUpdate, textMessage, webhookEnvelope } from "../../tools/sign-webhook";
import { ADMIN_AAD, APP_SECRET, CHANNEL_ID, TEAM_GROUP_ID, type Harness } from "../support/bridge-harness";
import { securityCase } from "./support/casebook";
import { closeHarness, customer, openHarness, postRawWebhook, sendActivity } from "./support/hostile-world";

/** Cases of order and crashes: statuses and edits out of order, a restart inside the crash windows. */

const EMMA = customer("33612345678", "Emma Martin");
const FELIX = customer("33698765432", "Félix Roy");
const BUSINESS = BusinessNumberId(EXAMPLE_BUSINESS.phoneNumberId);
const now = () => Math.floor(Date.now() / 1000);
const copiesOf = (h: Harness, text: string) => h.connector.posts.filter((p) => String(p.activity.text ?? "").includes(text)).length;

async function waitUntil(what: string, check: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function orderingCases(): void {
  describe("order and crashes: statuses, parked edits, a restart in the crash windows", function () {
    this.timeout(60_000);
    let h: Harness;
    let emmaThread: string;

    before(async () => {
      h = await openHarness({ env: { INBOUND_REORDER_MS: "0" } });
      // The team's channel as Microsoft Graph lists it: where the bridge looks for a post cut short.
      h.connector.msGraph.addTeam(TEAM_GROUP_ID, [CHANNEL_ID]);
      assert.equal((await sendActivity(h, h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true }))).status, 200);
      for (const [who, text] of [
        [EMMA, "Bonjour"],
        [FELIX, "Salut"],
      ] as const) {
        assert.equal(await h.postWebhook(h.envelope(textMessage({ from: who, text, id: `wamid.order.open.${who.phone}`, timestamp: now() }))), 200);
      }
      await h.connector.waitFor((s) => s.created.length === 2, 15_000);
      await h.bridge.bridge.idle();
      emmaThread = h.connector.posts.find((p) => String(p.activity.text).includes("Bonjour"))!.conversationId;
    });
    after(async () => closeHarness(h));

    securityCase(
      "37",
      "statuses read → sent → delivered, and an edit arriving before its original",
      "final status read (no downgrade); the edit is parked and applied after the original",
      async () => {
        const before = h.metaGraph.sent.length;
        assert.equal((await sendActivity(h, h.channelMessage("Votre carte arrive demain.", { thread: emmaThread }))).status, 200);
        const [sent] = (await h.metaGraph.waitForSends(before + 1, 10_000)).slice(before);
        const wamid = sent!.wamid!;
        await h.bridge.bridge.idle();
        for (const status of ["read", "sent", "delivered"] as const) {
          assert.equal(await h.postWebhook(h.envelope(statusUpdate({ id: wamid, status, recipient: EMMA }))), 200);
        }
        await h.bridge.bridge.idle();
        const state = (await h.bridge.stores.messages.byWamid(BUSINESS, WaMessageId(wamid)))?.state;
        assert.equal(state, "read");

        const original = "wamid.order.original";
        const edit = "wamid.order.edit";
        const postsBefore = h.connector.posts.length;
        assert.equal(
          await h.postWebhook(
            h.envelope(
              customerMessage({
                from: EMMA,
                id: edit,
                timestamp: now() + 2,
                message: { type: "edit", edit: { original_message_id: original, message: { type: "text", text: { body: "Livrez mardi" } } } },
              }),
            ),
          ),
          200,
        );
        await h.bridge.bridge.idle();
        const parked = (await h.bridge.stores.inbox.get(BUSINESS, `msg:${edit}`))?.state;
        assert.equal(parked, "pending", "parked, not dropped");
        assert.equal(h.connector.posts.length, postsBefore, "nothing posted while its original is missing");
        assert.equal(await h.postWebhook(h.envelope(textMessage({ from: EMMA, text: "Livrez lundi", id: original, timestamp: now() }))), 200);
        await h.connector.waitFor((s) => s.posts.length >= postsBefore + 2, 10_000);
        const texts = h.connector.posts.slice(postsBefore).map((p) => String(p.activity.text));
        assert.match(texts[0]!, /Livrez lundi/);
        assert.match(texts[1]!, /edited a message in WhatsApp\. New text:.*Livrez mardi/s);
        await h.bridge.bridge.idle();
        return `status after read, sent, delivered: ${state}; edit ${parked} until its original came, then posted after it`;
      },
    );

    securityCase(
      "10",
      "the bridge stops after the durable write but before its work is done; Meta redelivers",
      "exactly one Teams post in the end",
      async () => {
        // Teams refuses the post for now (20 s): the event is recorded and acknowledged, its post not made.
        const requests = h.connector.requests.length;
        h.connector.failNext(503, { error: { code: "ServiceUnavailable", message: "busy" } }, { "retry-after": "20" });
        const body = Buffer.from(
          JSON.stringify(webhookEnvelope(textMessage({ from: FELIX, text: "Never reached Teams before the stop", id: "wamid.order.10", timestamp: now() }))),
        );
        assert.equal((await postRawWebhook(h, body, { "x-hub-signature-256": signWebhook(body, APP_SECRET) })).status, 200);
        await waitUntil("the post refused for now", () => h.connector.requests.slice(requests).some((r) => r.status === 503));
        // Teams keeps the next post but answers only after a minute: the stop comes first (case 11 below).
        h.connector.setFaults({ latencyRate: 1, latencyMs: 60_000 });
        assert.equal(
          await h.postWebhook(h.envelope(textMessage({ from: EMMA, text: "Reached Teams, answer lost", id: "wamid.order.11", timestamp: now() }))),
          200,
        );
        await waitUntil("the post accepted by Teams", () => copiesOf(h, "Reached Teams, answer lost") === 1);
        h.connector.setFaults(undefined);
        const states = await Promise.all(["wamid.order.10", "wamid.order.11"].map(async (w) => (await h.bridge.stores.inbox.get(BUSINESS, `msg:${w}`))?.state));
        await h.restart();
        // Meta's retry of the delivery whose answer was lost.
        const retry = await postRawWebhook(h, body, { "x-hub-signature-256": signWebhook(body, APP_SECRET) });
        assert.equal(retry.status, 200);
        await waitUntil(
          "both finished after the restart",
          async () =>
            (
              await Promise.all(
                ["wamid.order.10", "wamid.order.11"].map(async (w) => (await h.bridge.stores.inbox.get(BUSINESS, `msg:${w}`))?.state === "done"),
              )
            ).every(Boolean),
          30_000,
        );
        await h.bridge.bridge.idle();
        assert.equal(copiesOf(h, "Never reached Teams before the stop"), 1);
        return `before the stop: ${states[0]}; after restart and Meta's retry (${retry.status}): 1 post`;
      },
    );

    securityCase("11", "the post reached Teams but its id was not saved before the stop", "the marker search finds it: no second post", async () => {
      const copies = copiesOf(h, "Reached Teams, answer lost");
      assert.equal(copies, 1, "not posted again");
      const kept = h.connector.posts.find((p) => String(p.activity.text).includes("Reached Teams, answer lost"))!;
      assert.ok(String(kept.activity.text).includes(`ref ${postMarker("wamid.order.11")}`));
      assert.equal((await h.bridge.stores.messages.byWamid(BUSINESS, WaMessageId("wamid.order.11")))?.teamsMessageId, kept.id);
      const outcome = h.logger.lines.filter((l) => l.event === "teams.post.recovery").map((l) => String(l.fields.outcome));
      assert.ok(outcome.includes("found"), outcome.join());
      return `posts in Teams: ${copies}; recovery outcomes: ${outcome.join(", ")}; the found post recorded as the message's`;
    });
  });
}
