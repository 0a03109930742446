import assert from "node:assert/strict";
import { BusinessNumberId } from "../../../src/core/ids";
import { EXAMPLE_BUSINESS, textMessage } from "../../../tools/sign-webhook";
import { StepClock } from "../../fakes/step-clock";
import { ADMIN_AAD, CHANNEL_ID, TEAM_ID, TENANT_ID, startHarness, type Harness } from "../../support/bridge-harness";

const BUSINESS = BusinessNumberId(EXAMPLE_BUSINESS.phoneNumberId);
const T0 = Math.floor(Date.now() / 1000) - 600;
let n = 0;
const customer = () => ({ phone: `44770090${String(++n).padStart(4, "0")}`, userId: `GB.77${n}00${n}`, name: `Customer ${n}` });

/** The customer messages posted in a thread, as their text after the header line. */
function postedTexts(h: Harness, thread: string): string[] {
  return h.connector.posts
    .filter((p) => p.conversationId === thread && /ref [0-9a-f]{12}/.test(String(p.activity.text ?? "")))
    .map((p) =>
      String(p.activity.text)
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .trim(),
    );
}

async function linked(options: Parameters<typeof startHarness>[0] = {}) {
  const h = await startHarness(options);
  assert.equal((await h.sendActivity(h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true }))).status, 200);
  return h;
}

/** Sends `count` messages of one customer, one second apart; returns their texts. */
async function burst(h: Harness, who: ReturnType<typeof customer>, count: number, label: string): Promise<string[]> {
  const texts: string[] = [];
  for (let i = 1; i <= count; i++) {
    const text = `${label} ${i}`;
    texts.push(text);
    assert.equal(await h.postWebhook(h.envelope(textMessage({ from: who, text, id: `wamid.${label.replace(/\W/g, "")}.${n}.${i}`, timestamp: T0 + i }))), 200);
  }
  return texts;
}

const installationUpdate = (h: Harness) => ({
  type: "installationUpdate",
  action: "add",
  id: "f:install-1",
  timestamp: new Date().toISOString(),
  channelId: "msteams",
  serviceUrl: h.connector.serviceUrl,
  from: { id: `29:${ADMIN_AAD}`, aadObjectId: ADMIN_AAD },
  recipient: { id: `28:5e8a1c7d-4f10-4a51-9c3e-0b1f2a3c4d5e`, name: "WhatsApp Bridge" },
  conversation: { id: TEAM_ID, conversationType: "channel", isGroup: true, tenantId: TENANT_ID },
  channelData: { tenant: { id: TENANT_ID }, team: { id: TEAM_ID, name: "Support" }, settings: { selectedChannel: { id: CHANNEL_ID } } },
});

describe("nothing left out of the record when Teams refuses a post (real HTTP, Bot Connector stand-in)", function () {
  this.timeout(90_000);
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("app removed while 5 messages arrive, then added back with an installationUpdate: all 5 appear once, in order, within seconds", async () => {
    h = await linked();
    const who = customer();
    await burst(h, who, 1, "before");
    await h.connector.waitFor((s) => s.created.length === 1 && s.posts.length >= 2, 15_000);
    const thread = h.connector.created[0]!.conversationId;
    h.connector.teams.setAppRemoved([CHANNEL_ID], true);
    const texts = await burst(h, who, 5, "while removed");
    await h.bridge.bridge.idle();
    assert.ok((await h.bridge.stores.links.get(BUSINESS))?.suspended, "the link is suspended");
    assert.equal((await h.bridge.stores.inbox.list("failed")).length, 0, "nothing failed");
    assert.ok(h.logger.lines.some((l) => l.level === "error" && l.event === "teams.link.suspended"));
    const ready = (await (await fetch(`${h.bridge.url}/readyz`)).json()) as { backlog: Array<{ business: string; waiting: number; suspendedSince?: number }> };
    assert.equal(ready.backlog.find((b) => b.business === BUSINESS)?.waiting, 5);
    assert.ok(ready.backlog.find((b) => b.business === BUSINESS)?.suspendedSince);

    h.connector.teams.setAppRemoved([CHANNEL_ID], false);
    const started = Date.now();
    assert.equal((await h.sendActivity(installationUpdate(h))).status, 200);
    await h.connector.waitFor(() => postedTexts(h!, thread).length === 6, 10_000);
    assert.ok(Date.now() - started < 10_000);
    const posted = postedTexts(h, thread);
    assert.deepEqual(
      posted.slice(1).map((t) => texts.find((x) => t.endsWith(x))),
      texts,
      "each once, in order",
    );
    assert.equal((await h.bridge.stores.links.get(BUSINESS))?.suspended, undefined);
  });

  it("the same with no installationUpdate: the probe resumes it on its clock", async () => {
    const clock = new StepClock();
    h = await linked({ linkProbeClock: clock });
    const who = customer();
    h.connector.teams.setAppRemoved([CHANNEL_ID], true);
    const texts = await burst(h, who, 5, "unannounced");
    await h.bridge.bridge.idle();
    assert.ok((await h.bridge.stores.links.get(BUSINESS))?.suspended);
    await clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(h.connector.created.length, 0, "still out: nothing posted");
    h.connector.teams.setAppRemoved([CHANNEL_ID], false);
    await clock.advance(60_000);
    await h.connector.waitFor((s) => s.created.length === 1 && postedTexts(h!, s.created[0]!.conversationId).length === 5, 10_000);
    const posted = postedTexts(h, h.connector.created[0]!.conversationId);
    assert.deepEqual(
      posted.map((t) => texts.find((x) => t.endsWith(x))),
      texts,
    );
  });

  it("a restart while a link is suspended keeps it suspended and loses nothing", async () => {
    h = await linked();
    const who = customer();
    h.connector.teams.setAppRemoved([CHANNEL_ID], true);
    const texts = await burst(h, who, 3, "across restart");
    await h.bridge.bridge.idle();
    await h.restart();
    assert.ok((await h.bridge.stores.links.get(BUSINESS))?.suspended, "still suspended after the restart");
    assert.equal((await h.bridge.stores.inbox.list("held")).length, 3);
    h.connector.teams.setAppRemoved([CHANNEL_ID], false);
    assert.equal((await h.sendActivity(installationUpdate(h))).status, 200);
    await h.connector.waitFor((s) => s.created.length === 1 && postedTexts(h!, s.created[0]!.conversationId).length === 3, 10_000);
    assert.deepEqual(
      postedTexts(h, h.connector.created[0]!.conversationId).map((t) => texts.find((x) => t.endsWith(x))),
      texts,
    );
  });

  it("a 404 on a thread leads to one new thread holding the message", async () => {
    h = await linked();
    const who = customer();
    await burst(h, who, 1, "first");
    await h.connector.waitFor((s) => s.created.length === 1 && s.posts.length >= 2, 15_000);
    const first = h.connector.created[0]!.conversationId;
    h.connector.teams.deleteThread(first);
    await burst(h, who, 1, "after deletion");
    await h.connector.waitFor((s) => s.created.length === 2 && postedTexts(h!, s.created[1]!.conversationId).length === 1, 15_000);
    await h.bridge.bridge.idle();
    assert.equal(h.connector.created.length, 2, "exactly one new thread");
    const card = JSON.stringify(h.connector.created[1]!.parameters);
    assert.match(card, /The earlier thread of this conversation was deleted in Teams/);
    assert.match(postedTexts(h, h.connector.created[1]!.conversationId)[0]!, /after deletion 1/);
  });

  it("a 400 on a rich post leads to one plain-text fallback post", async () => {
    h = await linked();
    const who = customer();
    // Teams refuses formatted (xml) posts that carry this message; plain text goes through.
    h.connector.teams.setPostRule((activity) =>
      activity.textFormat === "xml" && String(activity.text).includes("unshowable")
        ? { status: 400, code: "BadArgument", message: "Activity could not be rendered" }
        : undefined,
    );
    await burst(h, who, 1, "unshowable *rich* text");
    await h.connector.waitFor((s) => s.created.length === 1 && s.posts.some((p) => p.activity.textFormat === "plain"), 15_000);
    await h.bridge.bridge.idle();
    const thread = h.connector.created[0]!.conversationId;
    const inThread = h.connector.posts.filter((p) => p.conversationId === thread);
    assert.equal(inThread.length, 1, "one post: the fallback");
    assert.equal(inThread[0]!.activity.textFormat, "plain");
    assert.match(String(inThread[0]!.activity.text), /Shown as plain text: Teams refused the formatted version/);
    assert.match(String(inThread[0]!.activity.text), /unshowable \*rich\* text 1|unshowable rich text 1/);
    assert.equal(h.connector.teams.refusals.BadArgument, 1);
    assert.ok(h.logger.lines.some((l) => l.event === "teams.post.refused" && /BadArgument/.test(JSON.stringify(l.fields))));
  });
});
