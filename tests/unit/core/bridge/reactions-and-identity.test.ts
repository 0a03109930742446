import assert from "node:assert/strict";
import { BridgeService } from "../../../../src/core/bridge/bridge-service";
import { toPlainText } from "../../../../src/core/formatted-text";
import { contactKeyOf, WaMessageId, WaPhone, WaUserId } from "../../../../src/core/ids";
import type { InboundContent, InboundMessage } from "../../../../src/core/messages";
import type { ChannelLink } from "../../../../src/core/model";
import type { ThreadPost } from "../../../../src/core/ports/teams-gateway";
import { ManualClock } from "../../../fakes/manual-clock";
import { ADMIN, BUSINESS, CHANNEL, TENANT, customerText, makeWorld } from "../../../fakes/world";

const LINK: ChannelLink = {
  business: BUSINESS,
  channel: { channelId: CHANNEL, tenantId: TENANT, serviceUrl: "https://smba.trafficmanager.net/emea/" },
  linkedBy: ADMIN,
  linkedAt: 0,
};
const textOf = (post: ThreadPost) => (post.kind === "customer" ? toPlainText(post.body) : "");

/** A manual clock whose long sleeps (the park limit) wait until `releaseHeld()`; short ones pass at once. */
class HeldClock extends ManualClock {
  private held: Array<() => void> = [];
  override sleep(ms: number): Promise<void> {
    if (ms < 60_000) return super.sleep(ms);
    return new Promise((resolve) =>
      this.held.push(() => {
        this.advance(ms);
        resolve();
      }),
    );
  }
  releaseHeld(): void {
    for (const wake of this.held.splice(0)) wake();
  }
}

async function setup() {
  const w = makeWorld();
  const clock = new HeldClock();
  const bridge = new BridgeService({ ...w.deps, clock });
  await w.stores.links.put(LINK);
  return { ...w, clock, bridge };
}

const about = (base: InboundMessage, id: string, timestamp: number, content: InboundContent): InboundMessage => ({
  ...base,
  id: WaMessageId(id),
  timestamp,
  content,
});
const settle = () => new Promise((r) => setImmediate(r));

describe("reactions, edits and identity changes (core)", () => {
  it("a reaction before its target is parked (pending), then posted right after the target", async () => {
    const w = await setup();
    const first = customerText("hello", { timestamp: 100, id: "wamid.first" });
    await w.bridge.ingest([first]);
    await w.bridge.idle();
    await w.bridge.ingest([about(first, "wamid.react", 300, { kind: "reaction", target: WaMessageId("wamid.late"), emoji: "🎉" })]);
    await w.bridge.idle();
    assert.equal(w.teams.posts.length, 1, "parked: nothing posted");
    assert.equal((await w.stores.inbox.get(BUSINESS, "msg:wamid.react"))?.state, "pending");
    await w.bridge.ingest([customerText("the late one", { timestamp: 200, id: "wamid.late" })]);
    await w.bridge.idle();
    await settle();
    await w.bridge.idle();
    assert.deepEqual(
      w.teams.posts.map((p) => textOf(p.post)),
      ["hello", "the late one", "Maria Souza reacted 🎉 to: “the late one”"],
    );
    assert.equal((await w.stores.inbox.get(BUSINESS, "msg:wamid.react"))?.state, "done");
  });

  it("a parked reaction whose target never comes is posted after the bounded wait, with a note", async () => {
    const w = await setup();
    const base = customerText("hi", { timestamp: 100, id: "wamid.hi" });
    await w.bridge.ingest([base]);
    await w.bridge.idle();
    await w.bridge.ingest([about(base, "wamid.orphan", 300, { kind: "reaction", target: WaMessageId("wamid.never"), emoji: "👍" })]);
    await w.bridge.idle();
    assert.equal(w.teams.posts.length, 1);
    w.clock.releaseHeld();
    await settle();
    await w.bridge.idle();
    assert.equal(w.teams.posts.length, 2);
    assert.match(textOf(w.teams.posts[1]!.post), /Maria Souza reacted 👍 to: a message that is not in this thread/);
    assert.match(textOf(w.teams.posts[1]!.post), /not in this thread: it was sent before the bridge was connected/);
  });

  it("a reaction to a business message quotes what the business sent; a removal says so", async () => {
    const w = await setup();
    const base = customerText("hi", { timestamp: 100, id: "wamid.hi2" });
    await w.bridge.ingest([base]);
    await w.bridge.idle();
    const conversation = await w.stores.conversations.get(base.contact.key);
    await w.stores.messages.put({
      business: BUSINESS,
      wamid: WaMessageId("wamid.biz"),
      thread: conversation!.thread!,
      teamsMessageId: "777" as never,
      contact: base.contact.key,
      direction: "outbound",
      at: 0,
      excerpt: "Your parcel ships today",
    });
    await w.bridge.ingest([
      about(base, "wamid.r1", 200, { kind: "reaction", target: WaMessageId("wamid.biz"), emoji: "❤️" }),
      about(base, "wamid.r2", 201, { kind: "reaction", target: WaMessageId("wamid.biz") }),
    ]);
    await w.bridge.idle();
    assert.deepEqual(
      w.teams.posts.slice(1).map((p) => textOf(p.post)),
      ["Maria Souza reacted ❤️ to: “Your parcel ships today”", "Maria Souza removed their reaction from: “Your parcel ships today”"],
    );
  });

  it("edits and deletions (Coexistence) show the new text or “deleted by the customer”, quoting the original", async () => {
    const w = await setup();
    const original = customerText("Monday please", { timestamp: 100, id: "wamid.orig" });
    await w.bridge.ingest([
      original,
      about(original, "wamid.edit", 101, { kind: "edit", target: WaMessageId("wamid.orig"), newText: "Tuesday please" }),
      about(original, "wamid.del", 102, { kind: "revoke", target: WaMessageId("wamid.orig") }),
    ]);
    await w.bridge.idle();
    const [, edit, del] = w.teams.posts.map((p) => textOf(p.post));
    assert.match(edit!, /edited a message in WhatsApp\. New text:\nTuesday please/);
    assert.match(edit!, /> “Monday please”/);
    assert.match(del!, /deleted by the customer\)\. The copy in this thread stays for the record: “Monday please”/);
  });

  it("a number change re-keys the contact to the same thread; the next message from the new number (with its new BSUID) lands there", async () => {
    const w = await setup();
    const first = customerText("hello", { timestamp: 100, id: "wamid.n1" });
    await w.bridge.ingest([first]);
    await w.bridge.idle();
    const thread = w.teams.threads[0]!.thread;
    // WhatsApp names only the old phone as sender of the system message (fixture 14).
    const oldPhone = WaPhone("5511987654321");
    const system: InboundMessage = {
      type: "message",
      business: BUSINESS,
      id: WaMessageId("wamid.sys"),
      timestamp: 200,
      contact: { key: contactKeyOf(BUSINESS, { phone: oldPhone }), phone: oldPhone },
      content: {
        kind: "system",
        systemType: "user_changed_number",
        body: "User Maria Souza changed from 5511987654321 to 5511955554444",
        newPhone: WaPhone("5511955554444"),
      },
    };
    await w.bridge.ingest([system]);
    await w.bridge.idle();
    assert.equal(w.teams.threads.length, 1);
    assert.match(textOf(w.teams.posts[1]!.post), /changed their WhatsApp number from \+5511987654321 to \+5511955554444/);
    const next = customerText("new phone", { phone: "5511955554444", userId: "BR.5550001", timestamp: 300, id: "wamid.n2" });
    await w.bridge.ingest([next]);
    await w.bridge.idle();
    assert.equal(w.teams.threads.length, 1, "no new thread");
    assert.equal(w.teams.posts[2]!.thread, thread);
    const current = await w.stores.conversations.findByThread(thread);
    assert.equal(current?.phone, "5511955554444");
    assert.equal((await w.stores.conversations.get(contactKeyOf(BUSINESS, { userId: WaUserId("BR.5550001") })))?.thread, thread);
  });

  it("a recycled phone number with another person's BSUID never joins the old thread", async () => {
    const w = await setup();
    await w.bridge.ingest([customerText("I am Maria", { timestamp: 100, id: "wamid.a" })]);
    await w.bridge.idle();
    await w.bridge.ingest([customerText("I am someone else", { userId: "BR.9999999", name: "Other", timestamp: 200, id: "wamid.b" })]);
    await w.bridge.idle();
    assert.equal(w.teams.threads.length, 2);
  });
});
