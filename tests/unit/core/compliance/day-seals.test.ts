import assert from "node:assert/strict";
import { PermanentError, TeamsRefusal, TransientError } from "../../../../src/core/errors";
import { CLAIM_TTL_MS } from "../../../../src/core/bridge/compliance/post-once";
import { UNSEALED_WAIT_MS } from "../../../../src/core/bridge/compliance/day-seals";
import { COMPLIANCE_CHANNEL, DAY, HOUR, MONDAY_NOON, journalAt, process, sealDays, shared } from "./compliance-kit";

const MINUTE = 60_000;
/** Tuesday 2026-01-06, 00:06 UTC: Monday is over and settled. */
const TUESDAY_0006 = Date.UTC(2026, 0, 6, 0, 6);

describe("compliance schedule: each day's journal seal, posted once", () => {
  it("posts nothing until an admin sets the compliance channel", async () => {
    const s = shared();
    await journalAt(s, MONDAY_NOON - DAY);
    const p = process(s, "web-0.a1");
    assert.deepEqual(await p.schedule.runDue(), { gaps: 0, seals: 0, audit: false, review: false });
    assert.equal(s.gateway.posts.length, 0);
    assert.equal(await s.store.getProgress("day-seal"), undefined);
  });

  it("posts a day once it is over and settled, as a new thread in the compliance channel, with the journal's own seal", async () => {
    const s = shared();
    await s.store.setChannel(COMPLIANCE_CHANNEL);
    const p = process(s, "web-0.a1");
    await p.schedule.runDue();
    await journalAt(s, MONDAY_NOON, 3);
    s.clock.advance(Date.UTC(2026, 0, 6, 0, 4) - s.clock.now());
    await p.schedule.runDue();
    assert.deepEqual(sealDays(s), [], "not before the day has settled (5 minutes)");
    s.clock.advance(2 * MINUTE);
    const round = await p.schedule.runDue();
    assert.equal(round.seals, 1);
    const [posted] = s.gateway.of("day-seal");
    assert.equal(posted!.thread, undefined, "a thread of its own");
    assert.equal(posted!.channel.channelId, COMPLIANCE_CHANNEL.channel.channelId);
    assert.equal(posted!.post.seal.day, "2026-01-05");
    assert.deepEqual(posted!.post.seal.seal, await s.journal.dayManifest(MONDAY_NOON), "the seal the journal gives");
    assert.equal(posted!.post.seal.seal!.manifests[0]!.entries, 3);
    assert.equal(posted!.mayRepeat, false);
    await p.schedule.runDue();
    s.clock.advance(HOUR);
    await p.schedule.runDue();
    assert.deepEqual(sealDays(s), ["2026-01-05"], "once");
  });

  it("only the leader posts; a standby does nothing, and takes over at the next day without repeating", async () => {
    const s = shared(Date.UTC(2026, 0, 5, 0, 30));
    await s.store.setChannel(COMPLIANCE_CHANNEL);
    const a = process(s, "web-0.a1");
    const b = process(s, "web-1.b2", { leader: false });
    await a.schedule.runDue();
    await journalAt(s, MONDAY_NOON);
    s.clock.advance(TUESDAY_0006 - s.clock.now());
    assert.equal((await b.schedule.runDue()).seals, 0, "the standby posts nothing");
    assert.equal((await a.schedule.runDue()).seals, 1);
    // Failover: a loses the lease, b gains it.
    a.leadership.set(false);
    b.leadership.set(true);
    await journalAt(s, MONDAY_NOON + DAY);
    assert.equal((await b.schedule.runDue()).seals, 0, "Monday is not posted again by the new leader");
    s.clock.advance(DAY);
    assert.equal((await b.schedule.runDue()).seals, 1);
    assert.equal((await a.schedule.runDue()).seals, 0);
    assert.deepEqual(sealDays(s), ["2026-01-05", "2026-01-06"]);
  });

  it("two processes that both believe they lead (a lease taken over) post each day once", async () => {
    const s = shared(Date.UTC(2026, 0, 5, 0, 30));
    await s.store.setChannel(COMPLIANCE_CHANNEL);
    const a = process(s, "web-0.a1");
    const b = process(s, "web-1.b2");
    await a.schedule.runDue();
    for (let day = 0; day < 3; day++) await journalAt(s, MONDAY_NOON + day * DAY, 2);
    s.clock.advance(Date.UTC(2026, 0, 8, 0, 10) - s.clock.now());
    const rounds = await Promise.all([a.schedule.runDue(), b.schedule.runDue(), a.schedule.runDue(), b.schedule.runDue()]);
    await Promise.all([a.schedule.runDue(), b.schedule.runDue()]);
    assert.deepEqual(sealDays(s), ["2026-01-05", "2026-01-06", "2026-01-07"]);
    assert.equal(
      rounds.reduce((n, r) => n + r.seals, 0),
      3,
    );
    assert.ok(s.gateway.posts.every((p) => !p.mayRepeat));
  });

  it("across a restart: the new process posts what is left, never what was posted", async () => {
    const s = shared(Date.UTC(2026, 0, 5, 0, 30));
    await s.store.setChannel(COMPLIANCE_CHANNEL);
    const before = process(s, "web-0.a1");
    await before.schedule.runDue();
    await journalAt(s, MONDAY_NOON);
    await journalAt(s, MONDAY_NOON + DAY);
    s.clock.advance(TUESDAY_0006 - s.clock.now());
    await before.schedule.runDue();
    before.leadership.set(false);
    const after = process(s, "web-0.c3");
    await after.schedule.runDue();
    s.clock.advance(DAY);
    await after.schedule.runDue();
    await after.schedule.runDue();
    assert.deepEqual(sealDays(s), ["2026-01-05", "2026-01-06"]);
  });

  it("a process stopped between claiming a day and recording it: the claim holds for a while, then the day is posted again, saying it may repeat", async () => {
    const s = shared(Date.UTC(2026, 0, 5, 0, 30));
    await s.store.setChannel(COMPLIANCE_CHANNEL);
    await process(s, "web-0.a1").schedule.runDue();
    await journalAt(s, MONDAY_NOON);
    s.clock.advance(TUESDAY_0006 - s.clock.now());
    // The crashed process's claim, as it left it.
    const stored = await s.store.getProgress("day-seal");
    await s.store.saveProgress("day-seal", { ...stored!.progress, claim: { period: "2026-01-05", by: "web-0.a1", at: s.clock.now() } }, stored!.version);
    const restarted = process(s, "web-0.d4");
    await restarted.schedule.runDue();
    assert.deepEqual(sealDays(s), [], "another process may be posting it right now");
    s.clock.advance(CLAIM_TTL_MS);
    await restarted.schedule.runDue();
    assert.deepEqual(sealDays(s), ["2026-01-05"]);
    assert.equal(s.gateway.of("day-seal")[0]!.mayRepeat, true);
    assert.deepEqual((await s.store.getProgress("day-seal"))?.progress, { done: "2026-01-05" });
  });

  it("a post whose answer was lost is posted again saying it may repeat; one Teams certainly refused is posted again plainly", async () => {
    const s = shared(Date.UTC(2026, 0, 5, 0, 30));
    await s.store.setChannel(COMPLIANCE_CHANNEL);
    const p = process(s, "web-0.a1");
    await p.schedule.runDue();
    await journalAt(s, MONDAY_NOON);
    await journalAt(s, MONDAY_NOON + DAY);
    s.clock.advance(TUESDAY_0006 - s.clock.now());
    s.gateway.postThenFailNext(new TransientError("teams.timeout", "postInThread: no answer"));
    await p.schedule.runDue();
    await p.schedule.runDue();
    assert.deepEqual(
      s.gateway.of("day-seal").map((x) => [x.post.seal.day, x.mayRepeat]),
      [
        ["2026-01-05", false],
        ["2026-01-05", true],
      ],
    );
    s.clock.advance(DAY);
    s.gateway.failNext(new TeamsRefusal("app-removed", "teams.not_installed", "403 BotNotInConversationRoster"));
    assert.equal((await p.schedule.runDue()).seals, 0);
    assert.ok(s.world.logger.lines.some((l) => l.event === "compliance.post_failed"));
    assert.equal((await p.schedule.runDue()).seals, 1);
    assert.deepEqual(
      s.gateway.of("day-seal").map((x) => x.mayRepeat),
      [false, true, false],
    );
  });

  it("after downtime: the last 14 days are posted in order, the first naming the days it cannot reach; quiet days say so", async () => {
    const s = shared(Date.UTC(2026, 0, 1, 0, 30));
    await s.store.setChannel(COMPLIANCE_CHANNEL);
    await s.store.saveProgress("day-seal", { done: "2025-12-01" }, undefined);
    for (let day = 0; day < 20; day++) if (day !== 10) await journalAt(s, Date.UTC(2026, 0, 1, 12) + day * DAY);
    s.clock.advance(Date.UTC(2026, 0, 21, 8) - s.clock.now());
    const round = await process(s, "web-0.a1").schedule.runDue();
    assert.equal(round.seals, 14);
    const days = sealDays(s);
    assert.equal(days[0], "2026-01-07");
    assert.equal(days.at(-1), "2026-01-20");
    const posts = s.gateway.of("day-seal").map((p) => p.post.seal);
    assert.deepEqual(posts[0]!.missed, { from: "2025-12-02", to: "2026-01-06" });
    assert.ok(posts.slice(1).every((p) => p.missed === undefined));
    assert.equal(posts.find((p) => p.day === "2026-01-11")!.seal, undefined, "the quiet day: nothing journaled");
    assert.ok(posts.filter((p) => p.day !== "2026-01-11").every((p) => p.seal?.sha256.match(/^[0-9a-f]{64}$/)));
  });

  it("a new deployment: quiet days before the first seal are not posted; the cursor starts so that later quiet days are", async () => {
    const s = shared(Date.UTC(2026, 0, 10, 12));
    await s.store.setChannel(COMPLIANCE_CHANNEL);
    const p = process(s, "web-0.a1");
    await p.schedule.runDue();
    assert.deepEqual(sealDays(s), []);
    assert.equal((await s.store.getProgress("day-seal"))?.progress.done, "2026-01-09");
    s.clock.advance(DAY);
    await p.schedule.runDue();
    assert.deepEqual(sealDays(s), ["2026-01-10"]);
    assert.equal(s.gateway.of("day-seal")[0]!.post.seal.seal, undefined);
  });

  it("waits for a writer that has not sealed its part yet, then posts naming it", async () => {
    const s = shared(Date.UTC(2026, 0, 5, 0, 30));
    await s.store.setChannel(COMPLIANCE_CHANNEL);
    const p = process(s, "web-0.a1");
    await p.schedule.runDue();
    await journalAt(s, MONDAY_NOON);
    s.clock.advance(TUESDAY_0006 - s.clock.now());
    const unsealed = { writer: "web-1.b2", segments: 2 };
    const dayManifest = s.journal.dayManifest.bind(s.journal);
    s.journal.dayManifest = async (day) => {
      const seal = await dayManifest(day);
      return seal && { ...seal, unsealed: [unsealed] };
    };
    await p.schedule.runDue();
    assert.deepEqual(sealDays(s), []);
    s.clock.advance(UNSEALED_WAIT_MS);
    await p.schedule.runDue();
    assert.deepEqual(s.gateway.of("day-seal")[0]!.post.seal.seal!.unsealed, [unsealed]);
  });

  it("runs a round at once and then on its clock while leading, and stops when leadership is lost", async () => {
    const { StepClock } = await import("../../../fakes/step-clock");
    const s = shared(Date.UTC(2026, 0, 5, 0, 30));
    await s.store.setChannel(COMPLIANCE_CHANNEL);
    const stepClock = new StepClock();
    const p = process(s, "web-0.a1");
    const { ComplianceSchedule } = await import("../../../../src/core/bridge/compliance/compliance-schedule");
    const schedule = new ComplianceSchedule(p.deps, p.compliance, () => p.leadership.isLeader(), { everyMs: 60_000, clock: stepClock });
    await journalAt(s, MONDAY_NOON);
    schedule.start();
    await schedule.settled();
    s.clock.advance(TUESDAY_0006 - s.clock.now());
    assert.deepEqual(sealDays(s), []);
    await stepClock.advance(60_000);
    await schedule.settled();
    await new Promise((r) => setImmediate(r));
    await schedule.settled();
    assert.deepEqual(sealDays(s), ["2026-01-05"]);
    p.leadership.set(false);
    await journalAt(s, MONDAY_NOON + DAY);
    s.clock.advance(DAY);
    await stepClock.advance(60_000);
    await stepClock.advance(60_000);
    await schedule.settled();
    assert.deepEqual(sealDays(s), ["2026-01-05"], "not while standing by");
  });

  it("a store that refuses (a permanent failure) is logged and leaves the other jobs running", async () => {
    const s = shared(Date.UTC(2026, 0, 5, 0, 30));
    await s.store.setChannel(COMPLIANCE_CHANNEL);
    const p = process(s, "web-0.a1");
    s.journal.dayManifest = async () => {
      throw new PermanentError("storage.rejected", "journal.seal: HTTP 403");
    };
    const round = await p.schedule.runDue();
    assert.equal(round.seals, 0);
    assert.ok(s.world.logger.lines.some((l) => l.event === "compliance.post_failed" && l.fields["job"] === "day-seal"));
    assert.ok(await s.store.getProgress("audit"), "the check's cursor was still started");
  });
});
