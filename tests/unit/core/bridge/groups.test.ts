import assert from "node:assert/strict";
import { toPlainText } from "../../../../src/core/formatted-text";
import { groupKeyOf, WaGroupId, WaPhone, WaUserId } from "../../../../src/core/ids";
import type { GroupChange, GroupEvent, StatusEvent } from "../../../../src/core/messages";
import { ADMIN, BUSINESS, customerText, makeWorld, staffMessage } from "../../../fakes/world";
import { noticeText, postText, replyText } from "../../../support/wording";

const GROUP = WaGroupId("Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD");
const ANA = { phone: "447700900123", userId: "GB.2049118837201", name: "Ana Lima" };
const BEN = { phone: "447700900456", userId: "GB.9982011734412", name: "Ben Okafor" };

/** A text written in the group by one participant. */
function groupText(body: string, who: typeof ANA, id?: string) {
  return { ...customerText(body, { phone: who.phone, userId: who.userId, name: who.name, ...(id ? { id } : {}) }), group: GROUP };
}

let n = 0;
function groupEvent(change: GroupChange, group: WaGroupId | undefined = GROUP): GroupEvent {
  return { type: "group", business: BUSINESS, ...(group ? { group } : {}), key: `k${++n}`, timestamp: 1_789_300_500 + n, change };
}

const text = replyText;

async function linkedWorld(settings: Parameters<typeof makeWorld>[0] = {}) {
  const w = makeWorld(settings);
  await w.bridge.onStaffMessage(staffMessage(`link ${BUSINESS}`, { author: ADMIN, mentionsBot: true }));
  w.whatsapp.groups.set(GROUP, { subject: "Smith family account", participantCount: 2 });
  return w;
}

describe("WhatsApp groups in the core", () => {
  it("two participants writing in one group make one thread, each post naming its author", async () => {
    const w = await linkedWorld();
    await w.bridge.ingest([groupText("Hello from Ana", ANA), groupText("And Ben here", BEN)]);
    await w.bridge.idle();
    assert.equal(w.teams.threads.length, 1, "one thread for the group");
    const root = w.teams.threads[0]!.root;
    assert.deepEqual(root.group, { subject: "Smith family account", participantCount: 2 });
    assert.equal(root.customerName, undefined, "the card is the group's, not the first writer's");
    assert.equal(root.ref, groupKeyOf(BUSINESS, GROUP));
    const posts = w.teams.posts.filter((p) => p.post.kind === "customer").map((p) => p.post);
    assert.deepEqual(
      posts.map((p) => p.kind === "customer" && [p.authorName, p.authorHandle, toPlainText(p.body)]),
      [
        ["Ana Lima", "+447700900123", "Hello from Ana"],
        ["Ben Okafor", "+447700900456", "And Ben here"],
      ],
    );
    assert.equal(
      await w.stores.conversations.get(customerText("x", { phone: ANA.phone, userId: ANA.userId }).contact.key),
      undefined,
      "no one-to-one conversation for a participant",
    );
  });

  it("a staff reply in the group's thread goes to the group, never to a participant", async () => {
    const w = await linkedWorld();
    await w.bridge.ingest([groupText("Can someone help?", ANA)]);
    await w.bridge.idle();
    const thread = w.teams.threads[0]!.thread;
    assert.equal(await w.bridge.onStaffMessage(staffMessage("Happy to help, both of you", { thread })), undefined);
    assert.equal(w.whatsapp.sent.length, 1);
    assert.deepEqual(w.whatsapp.sent[0]!.to, { kind: "group", group: GROUP });
  });

  it("statuses per participant move the root card forward without a post per participant", async () => {
    const w = await linkedWorld();
    await w.bridge.ingest([groupText("Hi", ANA)]);
    await w.bridge.idle();
    const thread = w.teams.threads[0]!.thread;
    await w.bridge.onStaffMessage(staffMessage("Hello group", { thread }));
    const wamid = w.whatsapp.sent[0]!.id;
    const postsBefore = w.teams.posts.length;
    const status = (state: StatusEvent["state"], participant?: string, ts = 1): StatusEvent => ({
      type: "status",
      business: BUSINESS,
      id: wamid,
      state,
      timestamp: 1_789_300_900 + ts,
      errors: [],
      group: GROUP,
      ...(participant ? { participant } : {}),
    });
    await w.bridge.ingest([status("sent", undefined, 1)]);
    await w.bridge.idle();
    await w.bridge.ingest([status("delivered", ANA.userId, 2), status("delivered", BEN.userId, 3)]);
    await w.bridge.idle();
    assert.equal(w.teams.latestRoot(thread)?.live?.lastOutbound?.ticks, "✓✓ delivered to 2");
    await w.bridge.ingest([status("read", ANA.userId, 4)]);
    await w.bridge.idle();
    assert.equal(w.teams.latestRoot(thread)?.live?.lastOutbound?.ticks, "✓✓ read by 1 (delivered to 2)");
    await w.bridge.ingest([status("read", BEN.userId, 5)]);
    await w.bridge.idle();
    assert.equal(w.teams.latestRoot(thread)?.live?.lastOutbound?.ticks, "✓✓ read by 2 (delivered to 2)");
    assert.equal(w.teams.posts.length, postsBefore, "no post per status");
  });

  it("participant, settings and status events are plain lines in the thread; the card follows", async () => {
    const w = await linkedWorld();
    await w.bridge.ingest([groupText("Hi", ANA)]);
    await w.bridge.idle();
    const thread = w.teams.threads[0]!.thread;
    w.whatsapp.groups.set(GROUP, { subject: "Smith family", participantCount: 3 });
    await w.bridge.ingest([
      groupEvent({ kind: "joined", participants: [{ phone: WaPhone("447700900789"), name: "Cleo" }], via: "invite_link" }),
      groupEvent({ kind: "settings", subject: "Smith family" }),
      groupEvent({ kind: "left", participants: [{ phone: WaPhone(BEN.phone), userId: WaUserId(BEN.userId) }] }),
      groupEvent({ kind: "suspended" }),
      groupEvent({ kind: "unsupported", field: "group_call_update", type: "group_call" }),
    ]);
    await w.bridge.idle();
    const lines = w.teams.posts.filter((p) => p.post.kind === "notice").map((p) => postText(p.post));
    assert.deepEqual(lines.slice(-5), [
      "Cleo (+447700900789) joined the group (invite link).",
      "Group settings changed: the subject is now “Smith family”.",
      "+447700900456 left the group.",
      "WhatsApp suspended this group: nothing can be sent to it until WhatsApp lifts the suspension.",
      "WhatsApp sent a group event this bridge does not know (field group_call_update, type group_call). It is recorded (the raw webhook is kept in the journal) but not shown here.",
    ]);
    const root = w.teams.latestRoot(thread)!;
    assert.equal(root.group?.subject, "Smith family");
    assert.equal(root.group?.suspended, true);
    const reply = await w.bridge.onStaffMessage(staffMessage("Anyone there?", { thread }));
    assert.match(text(reply), /^Not sent: WhatsApp has suspended this group/);
    assert.equal(w.whatsapp.sent.length, 0);
  });

  it("STOP written in a group changes nothing and the thread says why", async () => {
    const w = await linkedWorld();
    await w.bridge.ingest([groupText("Hi", ANA), groupText("STOP", BEN)]);
    await w.bridge.idle();
    const conversation = await w.stores.conversations.get(groupKeyOf(BUSINESS, GROUP));
    assert.equal(conversation?.optedOut, undefined);
    const last = w.teams.posts.at(-1)!.post;
    assert.match(postText(last), /Ben Okafor wrote “STOP” in the group\. Opting out does not apply to a WhatsApp group/);
  });

  it("group create: a thread at once, the invite link in it when WhatsApp confirms; replies then go to the group", async () => {
    const w = await linkedWorld();
    const refused = await w.bridge.onStaffMessage(staffMessage("group create Smith family account", { mentionsBot: true }));
    assert.match(text(refused), /only bridge admins can create a WhatsApp group/);
    const reply = await w.bridge.onStaffMessage(staffMessage("group create Smith family account", { author: ADMIN, mentionsBot: true }));
    assert.match(text(reply), /^Asked WhatsApp to create the group “Smith family account”/);
    assert.deepEqual(
      w.whatsapp.groupsCreated.map((g) => g.subject),
      ["Smith family account"],
    );
    assert.equal(w.teams.threads.length, 1);
    const thread = w.teams.threads[0]!.thread;
    const early = await w.bridge.onStaffMessage(staffMessage("Welcome!", { thread }));
    assert.match(text(early), /WhatsApp has not created this group yet/);

    const requestId = w.whatsapp.groupsCreated[0]!.requestId;
    await w.bridge.ingest([groupEvent({ kind: "created", subject: "Smith family account", inviteLink: "https://chat.whatsapp.com/AbC123", requestId })]);
    await w.bridge.idle();
    assert.equal(w.teams.threads.length, 1, "the requested thread became the group's");
    const line = w.teams.posts.at(-1)!;
    assert.equal(line.thread, thread);
    assert.match(postText(line.post), /Invite link: https:\/\/chat\.whatsapp\.com\/AbC123/);
    // Nobody has written yet: WhatsApp's window is closed, so free text waits for a participant.
    const tooEarly = await w.bridge.onStaffMessage(staffMessage("Welcome!", { thread }));
    assert.match(text(tooEarly), /no one in the group has written in the last 24 hours/);
    await w.bridge.ingest([groupText("Thanks for the invite", ANA)]);
    await w.bridge.idle();
    assert.equal(w.teams.threads.length, 1, "a participant's message lands in the same thread");
    assert.equal(w.teams.posts.at(-1)!.thread, thread);
    const welcome = await w.bridge.onStaffMessage(staffMessage("Welcome!", { thread }));
    assert.equal(welcome, undefined, text(welcome));
    assert.deepEqual(
      w.whatsapp.sent.map((s) => s.to),
      [{ kind: "group", group: GROUP }],
    );
  });

  it("a group the bridge has not seen gets its thread from its first event; the window stays closed until someone writes", async () => {
    const w = await linkedWorld();
    w.whatsapp.templates = [
      { name: "account_update", language: "en", category: "UTILITY", body: "Hello, an update on your account.", buttons: [] },
      { name: "login_code", language: "en", category: "AUTHENTICATION", body: "Your code is {{1}}", buttons: [] },
    ];
    await w.bridge.ingest([groupEvent({ kind: "joined", participants: [{ phone: WaPhone(ANA.phone), name: ANA.name }] })]);
    await w.bridge.idle();
    assert.equal(w.teams.threads.length, 1);
    const thread = w.teams.threads[0]!.thread;
    const reply = await w.bridge.onStaffMessage(staffMessage("Hello", { thread }));
    assert.equal(reply?.kind, "template-card", "outside the window only a template can go");
    const card = reply?.kind === "template-card" && reply.card.step === "pick" ? reply.card : undefined;
    assert.match(noticeText(card?.reason), /no one in the group has written in the last 24 hours/);
    assert.deepEqual(
      card?.templates.map((t) => t.label),
      ["account_update (en, utility)"],
      "authentication templates are not offered to a group",
    );
    assert.equal(w.whatsapp.sent.length, 0);
  });
});
