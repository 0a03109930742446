import assert from "node:assert/strict";
import { RATE_LIMIT_FAILURES, resendBackoffMs } from "../../../../src/core/bridge/outbox/outbox-resend";
import { toPlainText } from "../../../../src/core/formatted-text";
import { DEFAULT_PACING } from "../../../../src/core/bridge/outbox/pacer";
import { staffMessage } from "../../../fakes/world";
import { outboxWorld, status } from "./outbox-kit";
import { postText } from "../../../support/wording";

const PAIR_RATE = [{ code: 131056, kind: "pair-rate" as const, title: "Pair rate limit hit", retryable: true }];
const notices = (w: Awaited<ReturnType<typeof outboxWorld>>) =>
  w.teams.posts.flatMap((p) => (p.post.kind === "notice" ? [postText(p.post)] : [])).filter((t) => /Not delivered/.test(t));

describe("outbox: replies Meta rate-limits after accepting them are sent again", () => {
  it("the wait before each re-send follows Meta's advice: 4^X s for the pair rate, growing for throughput", () => {
    assert.deepEqual(
      [0, 1, 2].map((x) => resendBackoffMs("pair-rate", x)),
      [1_000, 4_000, 16_000],
    );
    assert.deepEqual(
      [0, 1, 2, 9].map((x) => resendBackoffMs("throughput", x)),
      [1_000, 2_000, 4_000, 60_000],
    );
    assert.equal(resendBackoffMs("capacity-upgrade", 0), 60_000);
    assert.deepEqual([...RATE_LIMIT_FAILURES].sort(), ["capacity-upgrade", "pair-rate", "throughput"]);
  });

  it("a failed status with the pair-rate code re-sends the same content once, after 1 s, with no notice", async () => {
    const w = await outboxWorld();
    const msg = staffMessage("Your parcel left the warehouse", { thread: w.thread });
    await w.bridge.onStaffMessage(msg);
    await w.bridge.idle();
    const first = w.whatsapp.sent[0]!;
    const sleeps = w.clock.sleeps.length;
    await w.bridge.ingest([status(first.id, "failed", 100, PAIR_RATE)]);
    await w.bridge.idle();
    assert.equal(w.whatsapp.sent.length, 2);
    assert.deepEqual(w.whatsapp.sent[1]!.body, first.body);
    assert.ok(w.clock.sleeps.slice(sleeps).includes(1_000), `waits: ${w.clock.sleeps.slice(sleeps).join(",")}`);
    assert.deepEqual(notices(w), []);
    const stored = await w.stores.outbox.get(w.thread, msg.messageId);
    assert.equal(stored?.state, "sent");
    assert.equal(stored?.resends, 1);
    assert.deepEqual(stored?.wamids, [w.whatsapp.sent[1]!.id]);
    assert.equal(
      (await w.stores.messages.byTeamsMessage(w.thread, msg.messageId))?.wamid,
      w.whatsapp.sent[1]!.id,
      "the new wamid is mapped to the staff message",
    );
    // The same failure delivered again changes nothing.
    await w.bridge.ingest([status(first.id, "failed", 100, PAIR_RATE)]);
    await w.bridge.idle();
    assert.equal(w.whatsapp.sent.length, 2);
  });

  it("re-sends a bounded number of times, then posts the notice saying so", async () => {
    const w = await outboxWorld({ pacing: { ...DEFAULT_PACING, rateLimitResends: 2 } });
    await w.bridge.onStaffMessage(staffMessage("Are you there?", { thread: w.thread }));
    await w.bridge.idle();
    for (let n = 0; n < 3; n++) {
      await w.bridge.ingest([
        status(w.whatsapp.sent.at(-1)!.id, "failed", 100 + n, [{ code: 130429, kind: "throughput", title: "Rate limit hit", retryable: true }]),
      ]);
      await w.bridge.idle();
    }
    assert.equal(w.whatsapp.sent.length, 3, "the first send and two re-sends");
    assert.deepEqual(
      w.whatsapp.sent.map((s) => toPlainText(s.body)),
      ["Are you there?", "Are you there?", "Are you there?"],
    );
    const said = notices(w);
    assert.equal(said.length, 1);
    assert.match(said[0]!, /“Are you there\?”.*sent again 2 times/);
  });

  it("other failure codes keep today's notice and are not re-sent", async () => {
    const w = await outboxWorld();
    await w.bridge.onStaffMessage(staffMessage("Invoice attached", { thread: w.thread }));
    await w.bridge.idle();
    await w.bridge.ingest([
      status(w.whatsapp.sent[0]!.id, "failed", 100, [
        { code: 131026, kind: "recipient", title: "Message undeliverable", userMessage: "WhatsApp could not deliver it." },
      ]),
    ]);
    await w.bridge.idle();
    assert.equal(w.whatsapp.sent.length, 1);
    assert.match(notices(w)[0] ?? "", /Not delivered to WhatsApp: “Invoice attached”\. WhatsApp could not deliver it\.$/);
  });

  it("a rate-limited message the outbox does not hold (a template, an automatic notice) keeps today's notice", async () => {
    const w = await outboxWorld();
    const reply = staffMessage("Hello", { thread: w.thread });
    await w.bridge.onStaffMessage(reply);
    await w.bridge.idle();
    const sent = w.whatsapp.sent[0]!;
    const stored = (await w.stores.outbox.get(w.thread, reply.messageId))!;
    assert.equal(stored.state, "sent");
    await w.stores.outbox.update(stored, { wamids: [] });
    await w.bridge.ingest([status(sent.id, "failed", 100, PAIR_RATE)]);
    await w.bridge.idle();
    assert.equal(w.whatsapp.sent.length, 1);
    assert.equal(notices(w).length, 1);
  });
});
