import assert from "node:assert/strict";
import { runAudit } from "../../../../src/core/bridge/compliance/audit";
import { paragraph } from "../../../../src/core/formatted-text";
import { BusinessNumberId, contactKeyOf, TeamsGroupId, TeamsMessageId, threadRefOf, WaMessageId, WaPhone } from "../../../../src/core/ids";
import { eventKeyOf, type InboundMessage } from "../../../../src/core/messages";
import type { PeriodEntry } from "../../../../src/core/ports/record-checks";
import { BUSINESS, CHANNEL, TENANT, ADMIN } from "../../../fakes/world";
import { COMPLIANCE_CHANNEL, DAY, HOUR, MONDAY_NOON, process, shared, type Shared } from "./compliance-kit";

const customer = (n: number) => contactKeyOf(BUSINESS, { phone: WaPhone(`4477009000${n}`) });
const message = (n: number, at: number): InboundMessage => ({
  type: "message",
  business: BUSINESS,
  id: WaMessageId(`wamid.HBgMNDQ3NzAwOTAwMDAx${n}AAA`),
  timestamp: Math.floor(at / 1000),
  contact: { key: customer(n), phone: WaPhone(`4477009000${n}`) },
  content: { kind: "text", body: paragraph(`hello ${n}`), raw: `hello ${n}` },
});
const received = (m: InboundMessage, at: number, ref = `journal/2026/01/05/120000000-00000000000000${m.id.slice(-4, -3)}a.jsonl#1`): PeriodEntry => ({
  kind: "received",
  message: { business: m.business, wamid: m.id, key: eventKeyOf(m), conversation: m.contact.key, receivedAt: at, ref },
});
const THREAD = threadRefOf(CHANNEL, TeamsMessageId("1767614400000"));

/** A linked number with a thread for customers 1-3, messages 1 (posted), 2 (failed), 3 (posted, flagged). */
async function record(s: Shared) {
  const { stores } = s.world;
  await stores.links.put({
    business: BUSINESS,
    channel: { channelId: CHANNEL, tenantId: TENANT, serviceUrl: "https://smba.trafficmanager.net/emea/", channelName: "WhatsApp" },
    linkedBy: ADMIN,
    linkedAt: 0,
    teamGroupId: TeamsGroupId("fbe2bf47-16c8-47cf-b4a5-4b9b187c508b"),
  });
  const at = MONDAY_NOON - 2 * HOUR;
  const messages = [1, 2, 3].map((n) => message(n, at + n * 1000));
  for (const [i, m] of messages.entries()) {
    await stores.conversations.reserve({ contact: m.contact.key, business: BUSINESS, state: "creating", createdAt: at });
    await stores.conversations.activate(m.contact.key, { channelId: CHANNEL, thread: THREAD, rootMessageId: TeamsMessageId(String(1767614400000 + i)) });
    await stores.inbox.record({ business: BUSINESS, key: eventKeyOf(m), event: m, state: "pending", receivedAt: at + i * 1000 });
  }
  await stores.messages.put({
    business: BUSINESS,
    wamid: messages[0]!.id,
    thread: THREAD,
    teamsMessageId: TeamsMessageId("1767614400101"),
    contact: customer(1),
    direction: "inbound",
    at,
  });
  await stores.inbox.setState(BUSINESS, eventKeyOf(messages[0]!), "done");
  await stores.inbox.setState(BUSINESS, eventKeyOf(messages[1]!), "failed", "teams.bad_request: 400 refused, even as plain text");
  await stores.messages.put({
    business: BUSINESS,
    wamid: messages[2]!.id,
    thread: THREAD,
    teamsMessageId: TeamsMessageId("1767614400103"),
    contact: customer(3),
    direction: "inbound",
    at,
  });
  await stores.inbox.setState(BUSINESS, eventKeyOf(messages[2]!), "done", undefined, { duplicateSuspected: true });
  s.records.entries = [
    received(messages[0]!, at),
    received(messages[0]!, at + 60_000),
    received(messages[1]!, at + 1000),
    received(messages[2]!, at + 2000),
    { kind: "sent", at: at + 5000, business: BUSINESS, wamids: 1, automatic: true },
    { kind: "sent", at: at + 6000, business: BUSINESS, wamids: 3, automatic: false },
    received(message(4, at - 2 * DAY), at - 2 * DAY),
    { kind: "sent", at: at - 2 * DAY, business: BUSINESS, wamids: 1, automatic: false },
  ];
  return { messages, at };
}

describe("the completeness check (audit)", () => {
  it("counts in and out, matches every received message to its Teams post, lists what is not, the duplicates and the chain", async () => {
    const s = shared();
    const { messages, at } = await record(s);
    const broken = {
      from: "2026-01-05",
      to: "2026-01-05",
      segments: 4,
      manifests: 0,
      entries: 9,
      intact: false,
      breaks: [{ kind: "missing" as const, what: "journal/2026/01/05/100000000-aaaaaaaaaaaaaaaa.jsonl", detail: "named by … as segment 1 of writer web-0.a1" }],
      unsignedDeliveries: 0,
      unsealed: [{ writer: "web-0.a1", segments: 3 }],
    };
    const asked: string[] = [];
    s.records.check = (from, to) => {
      asked.push(`${from}..${to}`);
      return broken;
    };
    const p = process(s, "web-0.a1");
    const audit = await runAudit(p.deps, p.compliance, MONDAY_NOON - DAY, MONDAY_NOON);
    assert.equal(audit.inbound, 3, "each wamid once, only the period's");
    assert.equal(audit.outbound, 2);
    assert.equal(audit.outboundMessages, 4);
    assert.equal(audit.reconciled, 2);
    assert.equal(audit.unreconciledTotal, 1);
    const [missing] = audit.unreconciled;
    assert.equal(missing!.state, "failed");
    assert.match(missing!.detail!, /400 refused/);
    assert.equal(missing!.receivedAt, at + 1000);
    assert.ok(!missing!.key.includes("NDQ3NzAwOTAwMDAx"), "the wamid is masked");
    assert.equal(missing!.journalRef, (s.records.entries[2] as Extract<PeriodEntry, { kind: "received" }>).message.ref);
    assert.deepEqual(missing!.place, {
      tenantId: TENANT,
      channelId: CHANNEL,
      channelName: "WhatsApp",
      teamGroupId: "fbe2bf47-16c8-47cf-b4a5-4b9b187c508b",
      thread: THREAD,
    });
    assert.equal(audit.duplicatesTotal, 1);
    assert.equal(audit.duplicates[0]!.place?.messageId, "1767614400103", "the flagged post itself");
    assert.deepEqual(audit.journal, broken);
    assert.deepEqual(asked, ["2026-01-04..2026-01-05"], "the chain of every day the period touches");
    assert.ok(messages.length === 3);
  });

  it("counts per channel, replies kept in Teams apart from those the send rules refused, failed deliveries, and names the suspended links", async () => {
    const s = shared();
    const { at } = await record(s);
    const other = BusinessNumberId("109999999999999");
    const stranger: InboundMessage = {
      ...message(5, at),
      business: other,
      contact: { key: contactKeyOf(other, { phone: WaPhone("447700900055") }), phone: WaPhone("447700900055") },
    };
    const link = (await s.world.stores.links.get(BUSINESS))!;
    await s.world.stores.links.put({ ...link, displayNumber: "+44 20 7946 0000", suspended: { since: at + 9000, reason: "teams.forbidden" } });
    s.records.entries.push(
      received(stranger, at + 7000),
      { kind: "kept", at: at + 8000, conversation: customer(1), why: "note" },
      { kind: "kept", at: at + 8100, conversation: customer(1), why: "note" },
      { kind: "kept", at: at + 8200, conversation: customer(2), why: "internal-mention" },
      { kind: "kept", at: at + 8300, conversation: customer(2), why: "policy-block" },
      { kind: "kept", at: at + 8400, conversation: customer(3), why: "window-closed" },
      { kind: "kept", at: at + 8450, conversation: customer(3), why: "not-allowed" },
      { kind: "failed", at: at + 8500, errorCode: 131047 },
      { kind: "failed", at: at + 8600 },
      { kind: "kept", at: at - 2 * DAY, conversation: customer(1), why: "opted-out" },
    );
    const p = process(s, "web-0.a1");
    const audit = await runAudit(p.deps, p.compliance, MONDAY_NOON - DAY, MONDAY_NOON);
    assert.equal(audit.inbound, 4);
    assert.equal(audit.outbound, 2);
    assert.equal(audit.automatic, 1, "the automatic message is counted apart from staff replies");
    assert.deepEqual(audit.byChannel, [
      { channel: "WhatsApp", inbound: 3, outbound: 2, kept: 6 },
      { channel: "(not linked)", inbound: 1, outbound: 0, kept: 0 },
    ]);
    assert.deepEqual(audit.keptInTeams, [
      ["note", 2],
      ["internal-mention", 1],
    ]);
    assert.deepEqual(
      audit.refused,
      [
        ["not-allowed", 1],
        ["policy-block", 1],
        ["window-closed", 1],
      ],
      "refusals (the staff gate's too) apart, and only the period's",
    );
    assert.deepEqual(audit.failures, [
      ["131047", 1],
      ["unknown", 1],
    ]);
    assert.deepEqual(audit.suspended, [{ business: BUSINESS, since: at + 9000, displayNumber: "+44 20 7946 0000", channelName: "WhatsApp" }]);
  });

  it("a message the inbox does not know is listed as missing, without a thread", async () => {
    const s = shared();
    const stray = message(7, MONDAY_NOON - HOUR);
    s.records.entries = [received(stray, MONDAY_NOON - HOUR)];
    const p = process(s, "web-0.a1");
    const audit = await runAudit(p.deps, p.compliance, MONDAY_NOON - DAY, MONDAY_NOON);
    assert.equal(audit.unreconciled[0]!.state, "missing");
    assert.equal(audit.unreconciled[0]!.place, undefined);
  });

  it("is posted on schedule in the compliance channel: every COMPLIANCE_AUDIT_HOURS from midnight UTC, once per period, the first one after a full period", async () => {
    const s = shared(Date.UTC(2026, 0, 5, 1, 0));
    await record(s);
    await s.store.setChannel(COMPLIANCE_CHANNEL);
    const a = process(s, "web-0.a1", { auditEveryHours: 6 });
    const b = process(s, "web-1.b2", { auditEveryHours: 6 });
    assert.equal((await a.schedule.runDue()).audit, false, "the first round only notes where it starts");
    s.clock.advance(Date.UTC(2026, 0, 5, 6, 5) - s.clock.now());
    const rounds = await Promise.all([a.schedule.runDue(), b.schedule.runDue()]);
    assert.equal(rounds.filter((r) => r.audit).length, 1, "once, whoever leads");
    for (let hour = 6; hour < 30; hour++) {
      s.clock.advance(HOUR);
      await a.schedule.runDue();
      await b.schedule.runDue();
    }
    const audits = s.gateway.of("audit").map((x) => x.post.audit);
    assert.deepEqual(
      audits.map((x) => new Date(x.from).toISOString().slice(5, 13)),
      ["01-05T00", "01-05T06", "01-05T12", "01-05T18", "01-06T00"],
    );
    assert.ok(audits.every((x) => x.to - x.from === 6 * HOUR));
    const morning = audits[1]!;
    assert.equal(morning.inbound, 3, "the messages of 10:00 are in the 06:00–12:00 check");
    assert.equal(morning.unreconciledTotal, 1);
    assert.ok(s.gateway.of("audit").every((x) => x.thread === undefined && x.channel.channelId === COMPLIANCE_CHANNEL.channel.channelId));
  });
});

describe("the weekly review", () => {
  it("is posted on Monday after midnight UTC with `npm run report`'s figures for Monday to Sunday, once", async () => {
    const s = shared(Date.UTC(2026, 0, 7, 9));
    await s.store.setChannel(COMPLIANCE_CHANNEL);
    const a = process(s, "web-0.a1");
    const b = process(s, "web-1.b2");
    assert.equal((await a.schedule.runDue()).review, false);
    s.clock.advance(Date.UTC(2026, 0, 12, 0, 2) - s.clock.now());
    assert.equal((await a.schedule.runDue()).review, false, "not before the week has settled");
    s.clock.advance(5 * 60_000);
    const rounds = await Promise.all([a.schedule.runDue(), b.schedule.runDue()]);
    assert.equal(rounds.filter((r) => r.review).length, 1);
    s.clock.advance(3 * DAY);
    await a.schedule.runDue();
    const reviews = s.gateway.of("weekly-review");
    assert.equal(reviews.length, 1);
    assert.deepEqual(
      s.records.reports.map((r) => [r.from, r.to]),
      [["2026-01-05", "2026-01-11"]],
    );
    assert.equal(reviews[0]!.post.report.from, "2026-01-05");
  });
});
