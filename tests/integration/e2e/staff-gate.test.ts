import assert from "node:assert/strict";
import { BusinessNumberId, type TeamsMessageId, type TeamsThreadRef } from "../../../src/core/ids";
import { EXAMPLE_BUSINESS, textMessage } from "../../../tools/sign-webhook";
import { ADMIN_AAD, CHANNEL_ID, STAFF_AAD, TEAM_GROUP_ID, TEAM_ID, TENANT_ID, startHarness, type Harness } from "../../support/bridge-harness";

/**
 * "Only the right people speak for the firm", through the real HTTP path: activities in with
 * botbuilder's real auth, the team's roster, details and channels read from the Bot Connector stand-in
 * through TeamsInfo, sends recorded by the Graph API (Meta) stand-in, replies kept in Azurite.
 */

const MARIA = { phone: "5511987654321", userId: "BR.1873409921457730218", name: "Maria Souza" };
const BUSINESS = BusinessNumberId(EXAMPLE_BUSINESS.phoneNumberId);
const GUEST_AAD = "9a9a9a9a-0000-4000-8000-00000000a057";
const EXTERNAL_AAD = "e0e0e0e0-0000-4000-8000-0000000e0e0e";
const OTHER_TENANT = "e3a1c2d4-5b6c-4d7e-8f90-a1b2c3d4e5f6";
const LEE_AAD = "1e1e1e1e-0000-4000-8000-0000000001ee";
const PRIVATE_CHANNEL = { id: "19:private-deals@thread.tacv2", name: "Private deals" };
/** A post's text with Teams HTML's entities read back (the words, not the markup, are asserted). */
const textOf = (a: Record<string, unknown>) =>
  String(a.text ?? "")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Links the number and starts one customer thread; resolves with it and the bot's copy of the customer's message. */
async function linkedWithThread(h: Harness): Promise<{ thread: string; customerCopy: string }> {
  assert.equal((await h.sendActivity(h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true }))).status, 200);
  assert.equal(
    await h.postWebhook(
      h.envelope(textMessage({ from: MARIA, text: "Can you waive the fee?", id: `wamid.gate.${Date.now()}`, timestamp: Math.floor(Date.now() / 1000) })),
    ),
    200,
  );
  await h.connector.waitFor((s) => s.created.length === 1 && s.posts.some((p) => p.conversationId === s.created[0]!.conversationId), 10_000);
  await h.bridge.bridge.idle();
  const thread = h.connector.created[0]!.conversationId;
  return { thread, customerCopy: h.connector.posts.find((p) => p.conversationId === thread)!.id };
}

/** Sends `activity`; resolves with the bot's answer in its conversation (the text of the post it made there, if any). */
async function answerTo(h: Harness, activity: Record<string, unknown>): Promise<string> {
  const thread = String((activity.conversation as { id: string }).id);
  const before = h.connector.posts.filter((p) => p.conversationId === thread).length;
  assert.equal((await h.sendActivity(activity)).status, 200);
  await h.bridge.bridge.idle();
  const posts = h.connector.posts.filter((p) => p.conversationId === thread);
  return posts.length > before ? textOf(posts.at(-1)!.activity) : "";
}

/** Nothing reached the Meta stand-in since `sentBefore`, and nothing about `messageId` was stored. */
async function assertNothingSentNorStored(h: Harness, sentBefore: number, thread: string, messageId: string): Promise<void> {
  await sleep(200);
  await h.bridge.bridge.idle();
  assert.equal(h.metaGraph.sent.length, sentBefore, "nothing sent to WhatsApp");
  assert.equal(await h.bridge.stores.outbox.get(thread as TeamsThreadRef, messageId as TeamsMessageId), undefined, "no outbox row");
  assert.equal(await h.bridge.stores.messages.byTeamsMessage(thread as TeamsThreadRef, messageId as TeamsMessageId), undefined, "no message map row");
  assert.deepEqual(await h.bridge.stores.outbox.list(["queued", "sending", "uncertain"]), [], "nothing waits to be sent");
}

const refusedLine = (h: Harness, user: string) => h.logger.lines.find((l) => l.event === "teams.staff.refused" && l.fields.user === user);

describe("only the right people speak for the firm (real HTTP, the team's roster through TeamsInfo)", function () {
  this.timeout(90_000);
  let h: Harness;
  let thread: string;
  let customerCopy: string;

  before(async () => {
    h = await startHarness();
    h.connector.roster.addMember(TEAM_ID, { id: `29:${GUEST_AAD}`, aadObjectId: GUEST_AAD, name: "Gus Guest", tenantId: TENANT_ID, userRole: "guest" });
    h.connector.roster.addMember(TEAM_ID, {
      id: `29:${EXTERNAL_AAD}`,
      aadObjectId: EXTERNAL_AAD,
      name: "Eve External",
      tenantId: OTHER_TENANT,
      userRole: "user",
    });
    h.connector.roster.addMember(TEAM_ID, { id: `29:${LEE_AAD}`, aadObjectId: LEE_AAD, name: "Lee Member", tenantId: TENANT_ID, userRole: "user" });
    ({ thread, customerCopy } = await linkedWithThread(h));
  });
  after(async () => h?.stop());

  it("a member of the team is allowed: the reply is sent, and its outbox row names them", async () => {
    const before = h.metaGraph.sent.length;
    const reply = h.channelMessage("We can waive it this time.", { thread });
    assert.equal(await answerTo(h, reply), "");
    const sent = await h.metaGraph.waitForSends(before + 1, 10_000);
    assert.equal((sent.at(-1)!.body as { to: string }).to, "+5511987654321");
    assert.equal((await h.bridge.stores.outbox.get(thread as TeamsThreadRef, String(reply.id) as TeamsMessageId))?.author, STAFF_AAD);
    const read = h.connector.roster.reads.find((r) => r.route === "member" && r.id === `29:${STAFF_AAD}`);
    assert.equal(read?.status, 200, "the roster was asked, through the Bot Connector");
  });

  it("a guest of the tenant is refused: a notice in the thread, a security log line, nothing sent or stored", async () => {
    const before = h.metaGraph.sent.length;
    const reply = h.channelMessage("I can offer 50% off.", { thread, from: GUEST_AAD, name: "Gus Guest" });
    assert.match(await answerTo(h, reply), /Your reply was not sent to WhatsApp: guest accounts cannot write to customers for the firm/);
    await assertNothingSentNorStored(h, before, thread, String(reply.id));
    assert.equal(refusedLine(h, GUEST_AAD)?.fields.why, "guest");
  });

  it("an external member from another tenant (as in a shared channel) is refused, nothing sent or stored", async () => {
    const before = h.metaGraph.sent.length;
    const reply = h.channelMessage("Hi, I'm from the partner firm.", { thread, from: EXTERNAL_AAD, name: "Eve External" });
    assert.match(await answerTo(h, reply), /people from another organisation in a shared channel cannot write to the firm's customers/);
    await assertNothingSentNorStored(h, before, thread, String(reply.id));
    assert.equal(refusedLine(h, EXTERNAL_AAD)?.fields.why, "external");
  });

  it("when the roster cannot be read, nothing is sent or stored and the notice says to try again", async () => {
    h.connector.roster.outage = true;
    try {
      const before = h.metaGraph.sent.length;
      const reply = h.channelMessage("Checking your account now.", { thread, from: LEE_AAD, name: "Lee Member" });
      assert.match(await answerTo(h, reply), /could not check your membership of this team with Teams just now\. Try again in a minute/);
      await assertNothingSentNorStored(h, before, thread, String(reply.id));
      assert.deepEqual(
        h.connector.roster.reads.filter((r) => r.id === `29:${LEE_AAD}`).map((r) => r.status),
        [503],
      );
    } finally {
      h.connector.roster.outage = false;
    }
    // Failures are not cached: once Teams answers, the same member sends.
    const before = h.metaGraph.sent.length;
    await answerTo(h, h.channelMessage("Sorry for the wait.", { thread, from: LEE_AAD, name: "Lee Member" }));
    await h.metaGraph.waitForSends(before + 1, 10_000);
  });

  it("someone not in the team's roster is refused, and so is their reaction", async () => {
    const outsider = "0b0b0b0b-0000-4000-8000-00000000000b";
    const before = h.metaGraph.sent.length;
    const reply = h.channelMessage("hello", { thread, from: outsider, name: "Oscar Outsider" });
    assert.match(await answerTo(h, reply), /only members of this team can write to customers from here/);
    const reaction = {
      ...h.channelMessage("", { thread, from: outsider }),
      type: "messageReaction",
      text: undefined,
      attachments: undefined,
      replyToId: customerCopy,
      reactionsAdded: [{ type: "like" }],
    };
    assert.match(await answerTo(h, reaction), /Your reaction was not sent to WhatsApp: only members of this team/);
    await assertNothingSentNorStored(h, before, thread, String(reply.id));
  });

  it("after unlink nothing from the channel reaches the customer: a reaction, an edit and a reply send nothing", async () => {
    const sentReply = h.channelMessage("Your refund is on its way.", { thread });
    let before = h.metaGraph.sent.length;
    await answerTo(h, sentReply);
    await h.metaGraph.waitForSends(before + 1, 10_000);
    assert.match(await answerTo(h, h.channelMessage("unlink", { from: ADMIN_AAD, mentionBot: true })), /is no longer linked to this channel/);
    assert.equal(await h.bridge.stores.links.get(BUSINESS), undefined, "unlinked");
    before = h.metaGraph.sent.length;
    const reaction = {
      ...h.channelMessage("", { thread }),
      type: "messageReaction",
      text: undefined,
      attachments: undefined,
      replyToId: customerCopy,
      reactionsAdded: [{ type: "heart" }],
    };
    assert.match(await answerTo(h, reaction), /no longer linked/);
    const edit = {
      ...sentReply,
      type: "messageUpdate",
      text: "Your refund went yesterday.",
      channelData: { ...(sentReply.channelData as object), eventType: "editMessage" },
    };
    await answerTo(h, edit);
    const late = h.channelMessage("Anything else?", { thread });
    assert.match(await answerTo(h, late), /no longer linked/);
    await assertNothingSentNorStored(h, before, thread, String(late.id));
    assert.ok(h.logger.lines.some((l) => l.event === "teams.channel.unlinked"));
  });
});

describe("BRIDGE_STAFF and standard channels only (real HTTP)", function () {
  this.timeout(90_000);
  let h: Harness;

  before(async () => {
    h = await startHarness({ env: { BRIDGE_STAFF: ADMIN_AAD } });
    h.connector.roster.addTeam({
      id: TEAM_ID,
      name: "Support",
      aadGroupId: TEAM_GROUP_ID,
      channels: [
        { id: CHANNEL_ID, name: "WhatsApp", type: "standard" },
        { ...PRIVATE_CHANNEL, type: "private" },
      ],
    });
  });
  after(async () => h?.stop());

  it("link in a private channel is refused with the reason, and nothing is linked", async () => {
    const post = h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true, channel: PRIVATE_CHANNEL });
    const answer = await answerTo(h, post);
    assert.match(answer, /This is a private channel: it holds only part of the team, its messages are retained apart from the team's/);
    assert.match(answer, /Link a standard channel of the team instead/);
    assert.equal(await h.bridge.stores.links.get(BUSINESS), undefined);
    // The team's details and its channel list are asked for together: in either order.
    assert.deepEqual(
      h.connector.roster.reads
        .filter((r) => r.route !== "member")
        .map((r) => [r.route, r.status])
        .sort(),
      [
        ["channels", 200],
        ["team", 200],
      ],
    );
  });

  it("link where the activity itself says shared is refused without asking Teams", async () => {
    const reads = h.connector.roster.reads.length;
    const post = h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, {
      from: ADMIN_AAD,
      mentionBot: true,
      channel: { id: "19:partners@thread.tacv2", name: "Partners", type: "shared" },
    });
    assert.match(await answerTo(h, post), /This is a shared channel: people from other teams or organisations can be in it/);
    assert.equal(h.connector.roster.reads.length, reads);
    assert.equal(await h.bridge.stores.links.get(BUSINESS), undefined);
  });

  it("link in the standard channel stores the team's group id Teams gave (the activity carried none)", async () => {
    const post = h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true });
    assert.match(await answerTo(h, post), /is linked to this channel/);
    assert.equal((await h.bridge.stores.links.get(BUSINESS))?.teamGroupId, TEAM_GROUP_ID);
  });

  it("a member of the team who is not in BRIDGE_STAFF is refused; the listed admin sends", async () => {
    assert.equal(
      await h.postWebhook(h.envelope(textMessage({ from: MARIA, text: "Hello?", id: "wamid.staff.1", timestamp: Math.floor(Date.now() / 1000) }))),
      200,
    );
    await h.connector.waitFor((s) => s.created.length === 1 && s.posts.some((p) => p.conversationId === s.created[0]!.conversationId), 10_000);
    await h.bridge.bridge.idle();
    const thread = h.connector.created[0]!.conversationId;
    const before = h.metaGraph.sent.length;
    const reply = h.channelMessage("I'm on it.", { thread });
    assert.match(await answerTo(h, reply), /only the staff named by your bridge admin can write to customers/);
    await assertNothingSentNorStored(h, before, thread, String(reply.id));
    assert.equal(refusedLine(h, STAFF_AAD)?.fields.why, "not-listed");
    await answerTo(h, h.channelMessage("Ada here, on it.", { thread, from: ADMIN_AAD }));
    await h.metaGraph.waitForSends(before + 1, 10_000);
  });
});
