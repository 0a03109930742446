import assert from "node:assert/strict";
import { AadObjectId, EntraGroupId, TeamsGroupId, TeamsTeamId, TeamsUserId, TenantId } from "../../../../src/core/ids";
import type { StaffCardAction, StaffReaction, StaffReply } from "../../../../src/core/staff-message";
import type { MessageTemplate } from "../../../../src/core/templates";
import { ADMIN, BUSINESS, CHANNEL, STAFF, TENANT, customerText, makeWorld, staffMessage } from "../../../fakes/world";
import { MemoryWebhookJournal } from "../../../../src/storage/memory/memory-webhook-journal";
import { replyText } from "../../../support/wording";

const ORDER_UPDATE: MessageTemplate = { name: "order_update", language: "en_US", category: "UTILITY", body: "Hi {{1}}, it shipped.", buttons: [] };
const GUEST = AadObjectId("00000000-0000-0000-0000-00000000a057");
const OUTSIDER = AadObjectId("00000000-0000-0000-0000-0000000e0e0e");
const GROUP = EntraGroupId("0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6");

/** A linked channel with one customer thread whose window is open. */
async function withThread(settings: Parameters<typeof makeWorld>[0] = {}) {
  const journal = new MemoryWebhookJournal();
  const w = { ...makeWorld(settings, { journal }), journal };
  w.whatsapp.templates = [ORDER_UPDATE];
  await w.bridge.onStaffMessage(staffMessage(`link ${BUSINESS}`, { author: ADMIN, mentionsBot: true }));
  await w.bridge.ingest([customerText("Hello", { id: "wamid.in1" })]);
  await w.bridge.idle();
  const thread = w.teams.threads[0]!.thread;
  // Questions asked while linking are not the gate's.
  w.staff.asked.length = 0;
  return { ...w, thread, copy: w.teams.posts[0]!.id };
}

type World = Awaited<ReturnType<typeof withThread>>;

/** Nothing went to WhatsApp and nothing waits in the outbox. */
async function assertNothingSent(w: World): Promise<void> {
  await w.bridge.idle();
  assert.equal(w.whatsapp.sent.length, 0, "no text sent");
  assert.equal(w.whatsapp.templatesSent.length, 0, "no template sent");
  assert.equal(w.whatsapp.media.reactions.length, 0, "no reaction sent");
  assert.deepEqual(await w.stores.outbox.list(["queued", "sending", "uncertain"]), [], "nothing kept to send");
}

const refusalOf = (reply: StaffReply | undefined) => (reply?.kind === "notice" && reply.notice.kind === "staff-not-allowed" ? reply.notice : undefined);

const reaction = (w: World, author: AadObjectId | undefined, extra: Partial<StaffReaction> = {}): StaffReaction => ({
  tenantId: TENANT,
  channelId: CHANNEL,
  thread: w.thread,
  target: w.copy,
  author: { ...(author ? { aadObjectId: author, id: TeamsUserId(`29:${author}`) } : {}), name: "Someone" },
  added: ["👍"],
  removed: [],
  ...extra,
});

const templateSend = (w: World, author: AadObjectId, action = "template.send"): StaffCardAction => ({
  tenantId: TENANT,
  channelId: CHANNEL,
  serviceUrl: "https://smba.trafficmanager.net/emea/",
  thread: w.thread,
  messageId: staffMessage("x").messageId,
  author: { aadObjectId: author, id: TeamsUserId(`29:${author}`), name: "Someone" },
  data: { bridgeAction: action, template: "order_update|en_US", "b:1": "Maria" },
});

describe("the staff gate: only the right people speak for the firm (core)", () => {
  it("a member of the team from its tenant is allowed: the reply goes, and the outbox and message map name them", async () => {
    const w = await withThread();
    const msg = staffMessage("Your order ships today", { thread: w.thread });
    assert.equal(await w.bridge.onStaffMessage(msg), undefined);
    await w.bridge.idle();
    assert.equal(w.whatsapp.sent.length, 1);
    assert.equal((await w.stores.outbox.get(w.thread, msg.messageId))?.author, STAFF);
    assert.equal((await w.stores.messages.byTeamsMessage(w.thread, msg.messageId))?.author, STAFF);
    assert.deepEqual(w.staff.asked, [{ what: "member", who: STAFF }]);
  });

  for (const [label, entry, why] of [
    ["a guest account (userRole guest)", { aadObjectId: GUEST, tenantId: TENANT, userRole: "guest" }, "guest"],
    ["an anonymous participant", { tenantId: TENANT, userRole: "anonymous" }, "guest"],
    [
      "an external member of a shared channel (another tenant)",
      { aadObjectId: GUEST, tenantId: TenantId("e3a1c2d4-0000-4000-8000-0000000000ff"), userRole: "user" },
      "external",
    ],
    ["someone the roster does not have", "absent", "not-member"],
    ["a roster entry of another person than the activity names", { aadObjectId: OUTSIDER, tenantId: TENANT, userRole: "user" }, "not-member"],
  ] as const) {
    it(`refuses a reply from ${label}: a notice says why, nothing is sent or kept, a security line is logged`, async () => {
      const w = await withThread();
      w.staff.setMember(GUEST, entry);
      const reply = await w.bridge.onStaffMessage(staffMessage("I can give you a discount", { thread: w.thread, author: GUEST }));
      assert.deepEqual(refusalOf(reply), { kind: "staff-not-allowed", why, action: "reply" });
      await assertNothingSent(w);
      const line = w.logger.lines.find((l) => l.event === "teams.staff.refused");
      assert.equal(line?.level, "warn");
      assert.deepEqual(line?.fields, { action: "reply", why, business: BUSINESS, tenantId: TENANT, user: GUEST });
      const record = w.journal
        .records()
        .map((r) => r.record)
        .find((r) => r.kind === "internal");
      assert.deepEqual(
        record && record.kind === "internal" && [record.why, record.detail, record.author.aadObjectId],
        ["not-allowed", why, GUEST],
        "the record shows it was not sent, and why",
      );
    });
  }

  it("fails closed: when the roster cannot be read nothing is sent, and the notice says to try again", async () => {
    const w = await withThread();
    w.staff.down = true;
    const reply = await w.bridge.onStaffMessage(staffMessage("Hello?", { thread: w.thread }));
    assert.deepEqual(refusalOf(reply), { kind: "staff-not-allowed", why: "unchecked", action: "reply" });
    assert.match(replyText(reply), /could not check your membership of this team with Teams just now\. Try again in a minute/);
    await assertNothingSent(w);
    assert.ok(w.logger.events().includes("teams.staff.roster_unavailable"));
  });

  it("refuses an action whose author has no Entra object id, without asking anyone", async () => {
    const w = await withThread();
    const reply = await w.bridge.onStaffReaction(reaction(w, undefined));
    assert.deepEqual(refusalOf(reply), { kind: "staff-not-allowed", why: "no-identity", action: "reaction" });
    assert.deepEqual(w.staff.asked, []);
    await assertNothingSent(w);
  });

  it("never asks about notes, replies kept in Teams or the template picker: they send nothing", async () => {
    const w = await withThread();
    w.staff.down = true;
    assert.equal(await w.bridge.onStaffMessage(staffMessage("// check the CRM", { thread: w.thread, author: GUEST })), undefined);
    await w.bridge.onStaffMessage({ ...staffMessage("ask Ana", { thread: w.thread, author: GUEST }), mentions: [{ kind: "person", name: "Ana" }] });
    assert.equal((await w.bridge.onStaffMessage(staffMessage("template", { thread: w.thread, author: GUEST, mentionsBot: true })))?.kind, "template-card");
    assert.deepEqual(w.staff.asked, []);
  });

  describe("BRIDGE_STAFF narrows who may send", () => {
    it("a member named in the list sends; a member not named is refused (not-listed)", async () => {
      const w = await withThread({ staff: { people: new Set([STAFF]) } });
      assert.equal(await w.bridge.onStaffMessage(staffMessage("from the list", { thread: w.thread })), undefined);
      const reply = await w.bridge.onStaffMessage(staffMessage("not on it", { thread: w.thread, author: OUTSIDER }));
      assert.deepEqual(refusalOf(reply), { kind: "staff-not-allowed", why: "not-listed", action: "reply" });
      await w.bridge.idle();
      assert.equal(w.whatsapp.sent.length, 1);
    });

    it("being listed does not let in someone the team does not have", async () => {
      const w = await withThread({ staff: { people: new Set([GUEST]) } });
      w.staff.setMember(GUEST, { aadObjectId: GUEST, tenantId: TENANT, userRole: "guest" });
      assert.deepEqual(refusalOf(await w.bridge.onStaffMessage(staffMessage("hi", { thread: w.thread, author: GUEST }))), {
        kind: "staff-not-allowed",
        why: "guest",
        action: "reply",
      });
      await assertNothingSent(w);
    });

    it("a member of the group sends; the group is asked only for people not named; a group that cannot be read refuses", async () => {
      const w = await withThread({ staff: { people: new Set([ADMIN]), group: GROUP } });
      w.staff.addToGroup(GROUP, STAFF);
      assert.equal(await w.bridge.onStaffMessage(staffMessage("in the group", { thread: w.thread })), undefined);
      assert.equal(await w.bridge.onStaffMessage(staffMessage("named", { thread: w.thread, author: ADMIN })), undefined);
      assert.deepEqual(
        w.staff.asked.filter((a) => a.what === "inGroup"),
        [{ what: "inGroup", who: STAFF }],
      );
      assert.deepEqual(refusalOf(await w.bridge.onStaffMessage(staffMessage("outside", { thread: w.thread, author: OUTSIDER }))), {
        kind: "staff-not-allowed",
        why: "not-listed",
        action: "reply",
      });
      w.staff.inGroup = async () => {
        throw new Error("Graph is down");
      };
      assert.deepEqual(refusalOf(await w.bridge.onStaffMessage(staffMessage("again", { thread: w.thread }))), {
        kind: "staff-not-allowed",
        why: "unchecked",
        action: "reply",
      });
      await w.bridge.idle();
      assert.equal(w.whatsapp.sent.length, 2);
    });
  });

  describe("template sends and reactions pass the same gate", () => {
    it("a guest's template send is refused before the card does anything; picking a template is not a send", async () => {
      const w = await withThread();
      w.staff.setMember(GUEST, { aadObjectId: GUEST, tenantId: TENANT, userRole: "guest" });
      assert.equal((await w.bridge.onCardAction(templateSend(w, GUEST, "template.pick")))?.kind, "template-card");
      const reply = await w.bridge.onCardAction(templateSend(w, GUEST));
      assert.deepEqual(refusalOf(reply), { kind: "staff-not-allowed", why: "guest", action: "template" });
      await assertNothingSent(w);
    });

    it("a member's template send goes, and the message map records who sent it", async () => {
      const w = await withThread();
      const reply = await w.bridge.onCardAction(templateSend(w, STAFF));
      assert.equal(reply?.kind, "template-card");
      assert.equal(w.whatsapp.templatesSent.length, 1);
      assert.equal((await w.stores.messages.byWamid(BUSINESS, w.whatsapp.templatesSent[0]!.id))?.author, STAFF);
    });

    it("an external member's reaction is refused; a member's goes and the log names who reacted", async () => {
      const w = await withThread();
      w.staff.setMember(OUTSIDER, { aadObjectId: OUTSIDER, tenantId: TenantId("e3a1c2d4-0000-4000-8000-0000000000ff"), userRole: "user" });
      assert.deepEqual(refusalOf(await w.bridge.onStaffReaction(reaction(w, OUTSIDER))), { kind: "staff-not-allowed", why: "external", action: "reaction" });
      await assertNothingSent(w);
      assert.equal(await w.bridge.onStaffReaction(reaction(w, STAFF)), undefined);
      assert.equal(w.whatsapp.media.reactions.length, 1);
      assert.equal(w.logger.lines.find((l) => l.event === "teams.reaction.sent")?.fields.user, STAFF);
    });

    it("after unlink nothing from the channel reaches the customer: replies, template sends and reactions", async () => {
      const w = await withThread();
      await w.bridge.onStaffMessage(staffMessage("unlink", { author: ADMIN, mentionsBot: true }));
      assert.match(replyText(await w.bridge.onStaffMessage(staffMessage("still there?", { thread: w.thread }))), /no longer linked/);
      assert.match(replyText(await w.bridge.onStaffReaction(reaction(w, STAFF))), /no longer linked/);
      assert.match(replyText(await w.bridge.onCardAction(templateSend(w, STAFF))), /only works in a customer thread of a linked channel/);
      await assertNothingSent(w);
      assert.deepEqual(w.staff.asked, [], "nothing to check once unlinked");
    });
  });

  describe("link accepts standard channels only", () => {
    const linkIn = async (w: ReturnType<typeof makeWorld>, channelType?: "private" | "shared") =>
      w.bridge.onStaffMessage({
        ...staffMessage(`link ${BUSINESS}`, { author: ADMIN, mentionsBot: true }),
        teamId: TeamsTeamId("19:team@thread.tacv2"),
        ...(channelType ? { channelType } : {}),
      });

    for (const kind of ["private", "shared", "not-listed"] as const) {
      it(`refuses a channel Teams describes as ${kind}, saying why, and links nothing`, async () => {
        const w = makeWorld();
        w.staff.describeAs(kind);
        const reply = await linkIn(w);
        assert.deepEqual(reply, { kind: "notice", notice: { kind: "link-channel-refused", channel: kind } });
        assert.equal(await w.stores.links.get(BUSINESS), undefined);
      });
    }

    it("refuses at once when the activity itself says private, without asking Teams", async () => {
      const w = makeWorld();
      assert.match(replyText(await linkIn(w, "private")), /^This is a private channel/);
      assert.deepEqual(w.staff.asked, []);
      assert.equal(await w.stores.links.get(BUSINESS), undefined);
    });

    it("links nothing when Teams cannot say what the channel is", async () => {
      const w = makeWorld();
      w.staff.down = true;
      assert.deepEqual(await linkIn(w), { kind: "notice", notice: { kind: "link-channel-unchecked" } });
      assert.equal(await w.stores.links.get(BUSINESS), undefined);
    });

    it("stores the team's group id Teams gave, so the team's own site keeps its files", async () => {
      const w = makeWorld();
      w.staff.describeAs("standard", TeamsGroupId("6b2f4d8a-1c3e-4f5a-8b7c-9d0e1f2a3b41"));
      assert.equal((await linkIn(w))?.kind, "notice");
      assert.equal((await w.stores.links.get(BUSINESS))?.teamGroupId, "6b2f4d8a-1c3e-4f5a-8b7c-9d0e1f2a3b41");
    });
  });
});
