import assert from "node:assert/strict";
import { BridgeService } from "../../../../src/core/bridge/bridge-service";
import { TeamsRefusal, TransientError } from "../../../../src/core/errors";
import { TeamsChannelId, TeamsGroupId, TeamsTeamId } from "../../../../src/core/ids";
import type { StaffNotice } from "../../../../src/core/notices";
import type { StaffMessage, StaffReply } from "../../../../src/core/staff-message";
import { StepClock } from "../../../fakes/step-clock";
import { ADMIN, BUSINESS, CHANNEL, customerText, staffMessage, STAFF, TENANT } from "../../../fakes/world";
import { COMPLIANCE_CHANNEL, DAY, HOUR, MONDAY_NOON, process, shared, type Shared } from "./compliance-kit";

const RECORDS = TeamsChannelId("19:records@thread.tacv2");

/** The bridge over `s`, with the compliance channel's dependencies; its loops on clocks that only move by hand. */
function bridgeOver(s: Shared, options: { compliance?: boolean } = {}) {
  const p = process(s, "web-0.a1");
  const deps = options.compliance === false ? { ...s.world.deps, clock: s.clock } : p.deps;
  const bridge = new BridgeService(deps, {
    linkProbe: { probeEveryMs: 60_000, clock: new StepClock() },
    compliance: { everyMs: 60_000, clock: new StepClock() },
  });
  return { bridge, schedule: p.schedule };
}

const noticeOf = (reply: StaffReply | undefined): StaffNotice | undefined => (reply?.kind === "notice" ? reply.notice : undefined);

/** `@bot <text>` by `author` in `channel` (a team channel, as Teams sends commands). */
function command(text: string, author = ADMIN, channel = CHANNEL, channelName = "WhatsApp"): StaffMessage {
  return {
    ...staffMessage(text, { author, mentionsBot: true, channel }),
    channelName,
    teamId: TeamsTeamId("19:team@thread.tacv2"),
    teamGroupId: TeamsGroupId("fbe2bf47-16c8-47cf-b4a5-4b9b187c508b"),
  };
}

describe("`compliance here` (admins only)", () => {
  it("makes this channel the compliance channel; run elsewhere it moves, saying where it was", async () => {
    const s = shared();
    const { bridge } = bridgeOver(s);
    const refused = noticeOf(await bridge.onStaffMessage(command("compliance here", STAFF)));
    assert.deepEqual(refused, { kind: "admins-only", action: "compliance" });
    assert.equal(await s.store.getChannel(), undefined);

    assert.deepEqual(noticeOf(await bridge.onStaffMessage(command("compliance here"))), { kind: "compliance-channel-set", auditEveryHours: 24 });
    const set = await s.store.getChannel();
    assert.deepEqual(set, {
      channel: {
        channelId: CHANNEL,
        tenantId: TENANT,
        serviceUrl: "https://smba.trafficmanager.net/emea/",
        teamId: "19:team@thread.tacv2",
        channelName: "WhatsApp",
      },
      teamGroupId: "fbe2bf47-16c8-47cf-b4a5-4b9b187c508b",
      setBy: ADMIN,
      setAt: s.clock.now(),
    });
    assert.deepEqual(noticeOf(await bridge.onStaffMessage(command("Compliance HERE"))), {
      kind: "compliance-channel-set",
      auditEveryHours: 24,
      previous: { same: true, channelName: "WhatsApp" },
    });
    assert.deepEqual(noticeOf(await bridge.onStaffMessage(command("compliance here", ADMIN, RECORDS, "Records"))), {
      kind: "compliance-channel-set",
      auditEveryHours: 24,
      previous: { same: false, channelName: "WhatsApp" },
    });
    assert.equal((await s.store.getChannel())?.channel.channelId, RECORDS);
    assert.ok(s.world.logger.lines.some((l) => l.event === "teams.command.refused" && l.fields["action"] === "compliance"));
  });

  it("explains itself when written otherwise, and says when this bridge has no compliance channel", async () => {
    const s = shared();
    assert.deepEqual(noticeOf(await bridgeOver(s).bridge.onStaffMessage(command("compliance"))), { kind: "compliance-usage" });
    assert.deepEqual(noticeOf(await bridgeOver(s).bridge.onStaffMessage(command("compliance there"))), { kind: "compliance-usage" });
    assert.deepEqual(noticeOf(await bridgeOver(s, { compliance: false }).bridge.onStaffMessage(command("compliance here"))), {
      kind: "compliance-unavailable",
    });
    assert.deepEqual(noticeOf(await bridgeOver(s, { compliance: false }).bridge.onStaffMessage(command("audit"))), { kind: "compliance-unavailable" });
  });
});

describe("`audit [days]` (admins only)", () => {
  it("posts the completeness check of the last 24 hours in the command's thread", async () => {
    const s = shared();
    const { bridge } = bridgeOver(s);
    assert.deepEqual(noticeOf(await bridge.onStaffMessage(command("audit", STAFF))), { kind: "admins-only", action: "audit" });
    assert.equal(s.gateway.posts.length, 0);
    const asked = command("audit");
    const now = s.clock.now();
    assert.equal(await bridge.onStaffMessage(asked), undefined, "the check itself is the answer");
    const [posted] = s.gateway.of("audit");
    assert.equal(posted!.thread, asked.thread);
    assert.equal(posted!.channel.channelId, CHANNEL);
    assert.deepEqual([posted!.post.audit.from, posted!.post.audit.to], [now - DAY, now]);
  });

  it("`audit 7` checks seven days; anything but 1 to 31 days gets the usage", async () => {
    const s = shared();
    const { bridge } = bridgeOver(s);
    await bridge.onStaffMessage(command("audit 7"));
    const audit = s.gateway.of("audit")[0]!.post.audit;
    assert.equal(audit.to - audit.from, 7 * DAY);
    for (const bad of ["audit 0", "audit 32", "audit week", "audit 1 2"]) {
      assert.deepEqual(noticeOf(await bridge.onStaffMessage(command(bad))), { kind: "audit-usage", maxDays: 31 }, bad);
    }
    assert.equal(s.gateway.posts.length, 1);
  });

  it("a check that takes longer than a turn: the turn says it is running, and the check follows in the thread", async () => {
    const s = shared();
    const { bridge } = bridgeOver(s);
    const check = s.records.check;
    s.records.check = async (from, to) => {
      await new Promise((r) => setTimeout(r, 30));
      return check(from, to);
    };
    const asked = command("audit 2");
    assert.deepEqual(noticeOf(await bridge.onStaffMessage(asked)), { kind: "audit-running", hours: 48 });
    assert.equal(s.gateway.posts.length, 0);
    await bridge.idle();
    assert.equal(s.gateway.of("audit")[0]?.thread, asked.thread);
  });

  it("says so when the record cannot be read", async () => {
    const s = shared();
    const { bridge } = bridgeOver(s);
    s.records.check = () => {
      throw new TransientError("storage.unavailable", "journal.days: unreachable", { userMessage: "the bridge's storage did not answer." });
    };
    assert.deepEqual(noticeOf(await bridge.onStaffMessage(command("audit"))), { kind: "audit-failed", why: "the bridge's storage did not answer." });
    assert.ok(s.world.logger.lines.some((l) => l.level === "error" && l.event === "compliance.audit_failed"));
  });
});

describe("gaps in the Teams record: a suspended link, and its return, are posted in the compliance channel", () => {
  async function linkedBridge(s: Shared) {
    const b = bridgeOver(s);
    await b.bridge.onStaffMessage(command(`link ${BUSINESS}`));
    return b;
  }

  it("posts the suspension, then the resumption with how long the gap lasted and how many messages waited", async () => {
    const s = shared();
    await s.store.setChannel({ ...COMPLIANCE_CHANNEL });
    const { bridge, schedule } = await linkedBridge(s);
    s.world.teams.removedFrom.add(CHANNEL);
    await bridge.ingest([customerText("while removed 1"), customerText("while removed 2")]);
    await bridge.idle();
    const suspendedAt = (await s.world.stores.links.get(BUSINESS))!.suspended!.since;
    assert.equal((await schedule.runDue()).gaps, 1);
    const [suspended] = s.gateway.of("link-gap");
    assert.equal(suspended!.channel.channelId, COMPLIANCE_CHANNEL.channel.channelId);
    assert.deepEqual(
      { ...suspended!.post.gap, reason: "…" },
      {
        key: `${String(suspendedAt).padStart(15, "0")}-${BUSINESS}-suspended`,
        kind: "suspended",
        business: BUSINESS,
        channelId: CHANNEL,
        channelName: "WhatsApp",
        since: suspendedAt,
        at: suspendedAt,
        reason: "…",
      },
    );
    s.clock.advance(2 * HOUR);
    s.world.teams.removedFrom.delete(CHANNEL);
    assert.equal(await bridge.onAppInstalled({ tenantId: TENANT }), 1);
    await bridge.idle();
    assert.equal((await schedule.runDue()).gaps, 1);
    const resumed = s.gateway.of("link-gap")[1]!.post.gap;
    assert.equal(resumed.kind, "resumed");
    assert.equal(resumed.since, suspendedAt);
    assert.equal(resumed.at - resumed.since, 2 * HOUR);
    assert.equal(resumed.waiting, 2);
    assert.equal((await schedule.runDue()).gaps, 0, "each once");
    assert.deepEqual((await s.store.getProgress("link-gaps"))?.progress.pending, []);
  });

  it("keeps a gap until it can be posted: the compliance channel may be in the team that removed the app", async () => {
    const s = shared();
    await s.store.setChannel(COMPLIANCE_CHANNEL);
    const { bridge, schedule } = await linkedBridge(s);
    s.world.teams.removedFrom.add(CHANNEL);
    await bridge.ingest([customerText("while removed")]);
    await bridge.idle();
    s.gateway.failNext(new TeamsRefusal("app-removed", "teams.not_installed", "403 BotNotInConversationRoster"));
    assert.equal((await schedule.runDue()).gaps, 0);
    assert.equal((await s.store.getProgress("link-gaps"))?.progress.pending?.length, 1);
    assert.equal((await schedule.runDue()).gaps, 1);
    assert.equal(s.gateway.of("link-gap")[0]!.mayRepeat, false, "the refusal certainly posted nothing");
  });

  it("notes gaps before any compliance channel is set, and posts them once one is", async () => {
    const s = shared();
    const { bridge, schedule } = await linkedBridge(s);
    s.world.teams.removedFrom.add(CHANNEL);
    await bridge.ingest([customerText("while removed")]);
    await bridge.idle();
    assert.equal((await schedule.runDue()).gaps, 0);
    await s.store.setChannel(COMPLIANCE_CHANNEL);
    s.clock.advance(MONDAY_NOON - s.clock.now() + HOUR);
    assert.equal((await schedule.runDue()).gaps, 1);
  });
});
