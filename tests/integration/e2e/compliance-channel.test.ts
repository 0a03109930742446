import assert from "node:assert/strict";
import { BlobServiceClient } from "@azure/storage-blob";
import type { ValidateFunction } from "ajv";
import { maskKey } from "../../../src/core/bridge/recovery/reconcile";
import { BlobJournalReader, verifyJournal, type BlobWebhookJournal } from "../../../src/storage/blob";
import { verifySignature } from "../../../src/whatsapp/meta/signature";
import { EXAMPLE_BUSINESS, textMessage } from "../../../tools/sign-webhook";
import type { RecordedConversation, RecordedPost } from "../../../tools/bot-connector-standin/standin-types";
import { getAzurite } from "../../support/azurite";
import { ADMIN_AAD, APP_ID, APP_SECRET, CHANNEL_ID, TEAM_ID, TENANT_ID, startHarness, type Harness } from "../../support/bridge-harness";
import { ShiftedClock } from "../../support/shifted-clock";
import { compileCardSchema, texts } from "../../unit/teams/card-schema";

const COMPLIANCE = { id: "19:compliance-records@thread.tacv2", name: "Compliance" };
const MARIA = { phone: "5511987654321", userId: "BR.1873409921457730218", name: "Maria Souza" };
const T0 = Math.floor(Date.now() / 1000) - 600;
const DAY = 86_400_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const textOf = (activity: Record<string, unknown>) => String(activity.text ?? "");
const channelOf = (c: RecordedConversation) => (c.parameters as { channelData?: { channel?: { id?: string } } }).channelData?.channel?.id;
const rootText = (c: RecordedConversation) => textOf((c.parameters as { activity?: Record<string, unknown> }).activity ?? {});
const cardOf = (p: RecordedPost) =>
  ((p.activity.attachments ?? []) as Array<{ contentType: string; content: Record<string, unknown> }>).find(
    (a) => a.contentType === "application/vnd.microsoft.card.adaptive",
  )?.content;

/** The threads the bridge started in the compliance channel whose root text matches `pattern`. */
const complianceThreads = (h: Harness, pattern: RegExp) => h.connector.created.filter((c) => channelOf(c) === COMPLIANCE.id && pattern.test(rootText(c)));

/** The journal as `npm run verify` reads it, over the harness's own container. */
function journalReader(h: Harness, connectionString: string): BlobJournalReader {
  return new BlobJournalReader({ connectionString, container: (h.bridge.journal as BlobWebhookJournal).containerName });
}

async function say(h: Harness, text: string, channel?: { id: string; name: string }): Promise<string> {
  const activity = h.channelMessage(text, { from: ADMIN_AAD, mentionBot: true, ...(channel ? { channel } : {}) });
  const res = await h.sendActivity(activity);
  assert.equal(res.status, 200, res.body);
  return (activity.conversation as { id: string }).id;
}

describe("the compliance channel end to end (real HTTP, Azurite, Meta and Bot Connector stand-ins)", function () {
  this.timeout(120_000);
  let validate: ValidateFunction;
  before(() => {
    validate = compileCardSchema();
  });
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("`compliance here`, a conversation, the day ends: the day's seal is posted as text, and equals the hash `npm run verify` computes; once, across a restart", async () => {
    const { connectionString } = await getAzurite();
    const today = new Date().toISOString().slice(0, 10);
    const clock = new ShiftedClock();
    clock.setTo(Date.parse(`${today}T12:00:00Z`));
    h = await startHarness({ clock, complianceEveryMs: 150 });
    const harness = h;
    await say(h, `link ${EXAMPLE_BUSINESS.phoneNumberId}`);
    const asked = await say(h, "compliance here", COMPLIANCE);
    await h.connector.waitFor((s) => s.posts.some((p) => p.conversationId === asked), 10_000);
    assert.match(textOf(h.connector.posts.find((p) => p.conversationId === asked)!.activity), /This is now the compliance channel/);

    // A conversation: two customer messages and a staff reply sent to WhatsApp.
    assert.equal(await h.postWebhook(h.envelope(textMessage({ from: MARIA, text: "Where is my order #4471?", id: "wamid.cc.1", timestamp: T0 }))), 200);
    assert.equal(await h.postWebhook(h.envelope(textMessage({ from: MARIA, text: "It was due Monday", id: "wamid.cc.2", timestamp: T0 + 5 }))), 200);
    await h.connector.waitFor(
      (s) => s.created.some((c) => channelOf(c) === CHANNEL_ID) && s.posts.filter((p) => p.conversationId === s.created[0]!.conversationId).length >= 2,
      15_000,
    );
    const thread = h.connector.created.find((c) => channelOf(c) === CHANNEL_ID)!.conversationId;
    assert.equal((await h.sendActivity(h.channelMessage("It ships today, sorry for the wait", { thread }))).status, 200);
    await h.bridge.bridge.idle();
    assert.equal(h.metaGraph.sent.length, 1, "the reply went to WhatsApp");
    // A note to colleagues: kept in Teams, journaled as such, never sent.
    assert.equal((await h.sendActivity(h.channelMessage("// ask the warehouse first", { thread }))).status, 200);
    await h.bridge.bridge.idle();
    assert.equal(h.metaGraph.sent.length, 1, "the note stayed in Teams");
    await sleep(500);
    assert.equal(complianceThreads(h, /Journal seal/).length, 0, "nothing while the day runs");

    // Midnight UTC passes (and the five minutes a day settles).
    clock.setTo(Date.parse(`${today}T00:06:00Z`) + DAY);
    await h.connector.waitFor(() => complianceThreads(harness, new RegExp(`^Journal seal of ${today}`)).length === 1, 15_000);
    const seal = rootText(complianceThreads(h, /^Journal seal/)[0]!);
    const posted = /^SHA-256: ([0-9a-f]{64})$/m.exec(seal)?.[1];
    assert.ok(posted, seal);
    const verified = await verifyJournal(journalReader(h, connectionString), { from: today, to: today }, (body, header) =>
      verifySignature(body, header, APP_SECRET) ? "current" : undefined,
    );
    assert.deepEqual(verified.breaks, []);
    assert.equal(verified.days.length, 1);
    assert.equal(verified.days[0]!.sha256, posted, "the posted seal is the one `npm run verify` computes from the stored journal");
    const entries = verified.entries.delivery + verified.entries.outbound + verified.entries.status + verified.entries.internal;
    assert.match(seal, new RegExp(`Manifests: 1, covering \\d+ segments? and ${entries} entries`));
    assert.ok(verified.entries.delivery >= 2, "the two deliveries, at least");
    assert.match(seal, /Unsealed writers: none\./);

    // The scheduled completeness check of the day came too: text, then its card in the same thread.
    await h.connector.waitFor(
      () =>
        complianceThreads(harness, /^Completeness check/).length === 1 &&
        harness.connector.posts.some((p) => p.conversationId === complianceThreads(harness, /^Completeness check/)[0]!.conversationId),
      15_000,
    );
    const check = complianceThreads(h, /^Completeness check/)[0]!;
    // Out: the outbound records the journal holds for the day (one per staff reply, once the bridge writes them).
    assert.match(rootText(check), new RegExp(`Messages in: 2 · out: ${verified.entries.outbound}\n`));
    assert.match(rootText(check), /Reconciled: 2 of 2/);
    assert.match(rootText(check), new RegExp(`^Per channel \\(in/out/kept in Teams\\): “WhatsApp” 2/${verified.entries.outbound}/1$`, "m"));
    assert.match(rootText(check), /^Replies kept in Teams, never sent: 1 \(notes 1\)$/m);
    assert.match(rootText(check), /^Replies refused by the send rules: 0$/m);
    assert.match(rootText(check), /^Links suspended now \(a gap in the Teams record\): none$/m);
    assert.match(rootText(check), new RegExp(`Journal chain, ${today} to ${today}: INTACT`));
    const card = cardOf(h.connector.posts.find((p) => p.conversationId === check.conversationId)!);
    assert.ok(card && validate(card), JSON.stringify(validate.errors));

    // Restarted (a new process and writer over the same storage): nothing is posted twice.
    await h.restart();
    await sleep(1_500);
    assert.equal(complianceThreads(h, /^Journal seal/).length, 1, "the day's seal once");
    assert.equal(complianceThreads(h, /^Completeness check/).length, 1, "the day's check once");
  });

  it("a link suspended (the app removed from the linked channel's team) and resumed: both are posted in the compliance channel, and `audit` names the suspension meanwhile", async () => {
    h = await startHarness({ complianceEveryMs: 150 });
    const harness = h;
    await say(h, `link ${EXAMPLE_BUSINESS.phoneNumberId}`);
    await say(h, "compliance here", COMPLIANCE);
    h.connector.teams.setAppRemoved([CHANNEL_ID], true);
    assert.equal(await h.postWebhook(h.envelope(textMessage({ from: MARIA, text: "Anyone there?", id: "wamid.gap.1", timestamp: T0 }))), 200);
    await h.bridge.bridge.idle();
    await h.connector.waitFor(() => complianceThreads(harness, /^Gap in the Teams record: since /).length === 1, 15_000);
    const gap = rootText(complianceThreads(h, /^Gap in the Teams record: since /)[0]!);
    assert.match(gap, /the channel “WhatsApp”/);

    const asked = await say(h, "audit", COMPLIANCE);
    await h.connector.waitFor((s) => s.posts.filter((p) => p.conversationId === asked).length >= 2, 20_000);
    const text = textOf(h.connector.posts.find((p) => p.conversationId === asked)!.activity);
    assert.match(text, /^Links suspended now \(a gap in the Teams record\): “WhatsApp” \(number .+\) since /m);
    assert.match(text, /: held: its channel's link is suspended/, "the waiting message is listed as held");

    h.connector.teams.setAppRemoved([CHANNEL_ID], false);
    assert.equal(
      (
        await h.sendActivity({
          type: "installationUpdate",
          action: "add",
          id: "f:install-gap",
          timestamp: new Date().toISOString(),
          channelId: "msteams",
          serviceUrl: h.connector.serviceUrl,
          from: { id: `29:${ADMIN_AAD}`, aadObjectId: ADMIN_AAD },
          recipient: { id: `28:${APP_ID}`, name: "WhatsApp Bridge" },
          conversation: { id: TEAM_ID, conversationType: "channel", isGroup: true, tenantId: TENANT_ID },
          channelData: { tenant: { id: TENANT_ID }, team: { id: TEAM_ID, name: "Support" }, settings: { selectedChannel: { id: CHANNEL_ID } } },
        })
      ).status,
      200,
    );
    await h.connector.waitFor(() => complianceThreads(harness, /^Gap in the Teams record closed/).length === 1, 15_000);
    assert.match(rootText(complianceThreads(h, /^Gap in the Teams record closed/)[0]!), /1 message that waited is posted there now/);
    await sleep(500);
    assert.equal(complianceThreads(h, /^Gap in the Teams record/).length, 2, "each change once");
  });

  it("`audit`: one message Teams refused and one journal segment deleted show in the card and in the text", async () => {
    const { connectionString } = await getAzurite();
    h = await startHarness();
    await say(h, `link ${EXAMPLE_BUSINESS.phoneNumberId}`);
    for (const [n, text] of [
      [1, "first, whose segment goes"],
      [2, "second, reconciled"],
    ] as const) {
      assert.equal(await h.postWebhook(h.envelope(textMessage({ from: MARIA, text, id: `wamid.au.${n}`, timestamp: T0 + n }))), 200);
      await h.bridge.bridge.idle();
    }
    h.connector.teams.setPostRule((activity) =>
      textOf(activity).includes("REFUSE-ME") ? { status: 400, code: "BadArgument", message: "Teams will not take this message" } : undefined,
    );
    assert.equal(await h.postWebhook(h.envelope(textMessage({ from: MARIA, text: "third: REFUSE-ME", id: "wamid.au.3", timestamp: T0 + 3 }))), 200);
    await h.bridge.bridge.idle();
    assert.equal((await h.bridge.stores.inbox.list("failed")).length, 1, "Teams refused it, even as plain text");
    h.connector.teams.setPostRule(undefined);

    // Delete the first segment (its successor names it): the chain must show it.
    const container = BlobServiceClient.fromConnectionString(connectionString).getContainerClient((h.bridge.journal as BlobWebhookJournal).containerName);
    const heads = new Map<string, { prev: { name: string } | null }>();
    for await (const blob of container.listBlobsFlat({ prefix: "journal/" })) {
      if (!blob.name.endsWith(".jsonl")) continue;
      const first = (await container.getBlobClient(blob.name).downloadToBuffer()).toString("utf8").split("\n")[0]!;
      heads.set(blob.name, JSON.parse(first) as { prev: { name: string } | null });
    }
    const deleted = [...heads.values()].map((head) => head.prev?.name).find((name): name is string => !!name && heads.has(name))!;
    assert.ok(deleted, "a segment named by its successor");
    await container.deleteBlob(deleted);

    const asked = await say(h, "audit");
    await h.connector.waitFor((s) => s.posts.filter((p) => p.conversationId === asked).length >= 2, 20_000);
    const [textPost, cardPost] = h.connector.posts.filter((p) => p.conversationId === asked);
    const text = textOf(textPost!.activity);
    assert.equal(textPost!.activity.textFormat, "plain", "plain text, as Purview search reads it");
    const refused = maskKey("msg:wamid.au.3");
    assert.match(text, /^Completeness check, /);
    assert.match(text, /Messages in: 2 · out: 0/, "the deleted segment's message is not in the record any more");
    assert.match(text, /Reconciled: 1 of 2/);
    assert.match(text, /Unreconciled: 1/);
    assert.ok(text.includes(`• ${refused} to number ${EXAMPLE_BUSINESS.phoneNumberId}`), text);
    assert.match(text, /: failed \(.*400/);
    assert.match(text, /Thread: https:\/\/teams\.microsoft\.com\/l\/message\//);
    assert.match(text, /Journal chain, .*: BROKEN/);
    assert.ok(text.includes(`• MISSING ${deleted}: named by`), text);

    const card = cardOf(cardPost!)!;
    assert.ok(card, "the card follows the text");
    assert.ok(validate(card), JSON.stringify(validate.errors));
    const shown = [...texts(card).blocks, JSON.stringify(card)].join("\n").replace(/\\\\/g, "").replace(/\\/g, "");
    assert.ok(shown.includes(refused), "the card names the unreconciled message");
    assert.ok(shown.includes(deleted), "the card names the missing segment");
    assert.match(shown, /BROKEN/);
  });
});
