import assert from "node:assert/strict";
import { AadObjectId, TeamsGroupId } from "../../src/core/ids";
import type { ComplianceChannel, ComplianceStore, JobProgress, LinkGap } from "../../src/core/ports/compliance-store";
import { rejectsPermanent } from "./contract-assert";
import { BUSINESS, CHANNEL, link, OTHER_CHANNEL } from "./store-fixtures";

/** Makes a fresh, empty `ComplianceStore` for one test. */
export type MakeComplianceStore = () => Promise<ComplianceStore>;

function complianceChannel(overrides: Partial<ComplianceChannel> = {}): ComplianceChannel {
  return {
    channel: { ...link().channel, channelName: "Compliance 🇩🇪 Größe" },
    teamGroupId: TeamsGroupId("fbe2bf47-16c8-47cf-b4a5-4b9b187c508b"),
    setBy: AadObjectId("00000000-0000-0000-0000-0000000000aa"),
    setAt: 1_764_000_000_123,
    ...overrides,
  };
}

const GAP: LinkGap = {
  key: `${String(1_764_000_000_500).padStart(15, "0")}-${BUSINESS}-suspended`,
  kind: "suspended",
  business: BUSINESS,
  displayNumber: "+1 555-0100",
  channelId: CHANNEL,
  channelName: "Support",
  since: 1_764_000_000_500,
  at: 1_764_000_000_500,
  reason: "Teams does not let the bot post in this team (BotNotInConversationRoster)",
};

/**
 * The contract of `ComplianceStore` (src/core/ports/compliance-store.ts): run it from a `*.test.ts` with a
 * factory that returns a fresh, isolated store for each test.
 */
export function complianceStoreContract(name: string, make: MakeComplianceStore): void {
  describe(`ComplianceStore contract: ${name}`, () => {
    it("has no channel and no progress until they are set", async () => {
      const store = await make();
      assert.equal(await store.getChannel(), undefined);
      assert.equal(await store.getProgress("day-seal"), undefined);
    });

    it("round-trips the channel and returns the one it replaces", async () => {
      const store = await make();
      const first = complianceChannel();
      const { teamGroupId: _none, ...second } = complianceChannel({
        channel: { ...first.channel, channelId: OTHER_CHANNEL, channelName: "Records" },
        setAt: 1_764_000_099_000,
      });
      assert.equal(await store.setChannel(first), undefined);
      assert.deepEqual(await store.getChannel(), first);
      assert.deepEqual(await store.setChannel(second), first);
      assert.deepEqual(await store.getChannel(), second);
      assert.equal("teamGroupId" in (await store.getChannel())!, false);
    });

    it("creates a job's progress only when none exists, and round-trips claims and pending gaps", async () => {
      const store = await make();
      const progress: JobProgress = {
        done: "2026-01-04",
        claim: { period: "2026-01-05", by: "web-0.1a2b", at: 1_767_600_000_000 },
        uncertain: "2026-01-05",
        pending: [GAP],
      };
      const version = await store.saveProgress("link-gaps", progress, undefined);
      assert.ok(version);
      assert.deepEqual(await store.getProgress("link-gaps"), { progress, version });
      assert.equal(await store.saveProgress("link-gaps", { done: "x" }, undefined), undefined, "a second first write loses");
      assert.deepEqual((await store.getProgress("link-gaps"))?.progress, progress);
      assert.equal(await store.getProgress("audit"), undefined, "jobs are separate");
    });

    it("writes only over the version it read: a stale version is refused and changes nothing", async () => {
      const store = await make();
      const v1 = (await store.saveProgress("day-seal", { done: "2026-01-01" }, undefined))!;
      const v2 = await store.saveProgress("day-seal", { done: "2026-01-02" }, v1);
      assert.ok(v2);
      assert.notEqual(v2, v1);
      assert.equal(await store.saveProgress("day-seal", { done: "2026-01-09" }, v1), undefined);
      assert.deepEqual(await store.getProgress("day-seal"), { progress: { done: "2026-01-02" }, version: v2 });
    });

    it("lets exactly one of two writers holding the same version win", async () => {
      const store = await make();
      const v1 = (await store.saveProgress("audit", { done: "2026-01-01T00:00:00.000Z" }, undefined))!;
      const results = await Promise.all([
        store.saveProgress("audit", { claim: { period: "a", by: "one", at: 1 } }, v1),
        store.saveProgress("audit", { claim: { period: "a", by: "two", at: 2 } }, v1),
      ]);
      assert.equal(results.filter((v) => v !== undefined).length, 1);
      const winner = results[0] !== undefined ? "one" : "two";
      assert.equal((await store.getProgress("audit"))?.progress.claim?.by, winner);
    });

    it("refuses progress too large for one stored property", async () => {
      const store = await make();
      const huge: JobProgress = { pending: Array.from({ length: 200 }, (_, i) => ({ ...GAP, key: `${GAP.key}-${i}`, reason: "x".repeat(200) })) };
      await rejectsPermanent(store.saveProgress("link-gaps", huge, undefined), "storage.value_too_large");
      assert.equal(await store.getProgress("link-gaps"), undefined);
    });
  });
}
