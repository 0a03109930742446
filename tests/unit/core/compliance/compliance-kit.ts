import type { BridgeDeps, ComplianceDeps } from "../../../../src/core/bridge/context";
import { ComplianceSchedule } from "../../../../src/core/bridge/compliance/compliance-schedule";
import { AadObjectId, TeamsChannelId } from "../../../../src/core/ids";
import type { ComplianceChannel } from "../../../../src/core/ports/compliance-store";
import { MemoryComplianceStore } from "../../../../src/storage/memory/memory-compliance-store";
import { MemoryWebhookJournal } from "../../../../src/storage/memory/memory-webhook-journal";
import { FakeComplianceGateway, FakeRecordChecks } from "../../../fakes/fake-compliance";
import { FakeLeadership } from "../../../fakes/fake-leadership";
import { ManualClock } from "../../../fakes/manual-clock";
import { ADMIN, TENANT, makeWorld } from "../../../fakes/world";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** Monday 2026-01-05, noon UTC. */
export const MONDAY_NOON = Date.UTC(2026, 0, 5, 12);
export const COMPLIANCE_CHANNEL: ComplianceChannel = {
  channel: {
    channelId: TeamsChannelId("19:compliance@thread.tacv2"),
    tenantId: TENANT,
    serviceUrl: "https://smba.trafficmanager.net/emea/",
    channelName: "Compliance",
  },
  setBy: AadObjectId(String(ADMIN)),
  setAt: MONDAY_NOON - DAY,
};

const SIGNATURE = `sha256=${"5e".repeat(32)}`;

/** What several processes share: storage (tables, journal, compliance store) and Teams. */
export interface Shared {
  readonly clock: ManualClock;
  readonly store: MemoryComplianceStore;
  readonly journal: MemoryWebhookJournal;
  readonly gateway: FakeComplianceGateway;
  readonly records: FakeRecordChecks;
  readonly world: ReturnType<typeof makeWorld>;
}

export function shared(start = MONDAY_NOON): Shared {
  const clock = new ManualClock(start);
  return {
    clock,
    store: new MemoryComplianceStore(),
    journal: new MemoryWebhookJournal({ writer: "web-0.a1", now: () => clock.now() }),
    gateway: new FakeComplianceGateway(),
    records: new FakeRecordChecks(),
    world: makeWorld(),
  };
}

/** One bridge process's compliance schedule over `s`: its own leadership and instance name. */
export function process(s: Shared, instance: string, options: { leader?: boolean; auditEveryHours?: number } = {}) {
  const leadership = new FakeLeadership(options.leader ?? true);
  const compliance: ComplianceDeps = { store: s.store, gateway: s.gateway, records: s.records, auditEveryHours: options.auditEveryHours ?? 24, instance };
  const deps: BridgeDeps = { ...s.world.deps, clock: s.clock, journal: s.journal, compliance };
  const schedule = new ComplianceSchedule(deps, compliance, () => leadership.isLeader(), { everyMs: 60_000 });
  return { leadership, compliance, deps, schedule };
}

/** Journals `count` deliveries at `at` (a day's record). */
export async function journalAt(s: Shared, at: number, count = 1): Promise<void> {
  for (let i = 0; i < count; i++) await s.journal.append({ body: Buffer.from(`{"n":${i},"at":${at}}`), signature: SIGNATURE }, at);
}

/** The days of the seal posts, in order. */
export const sealDays = (s: Shared) => s.gateway.of("day-seal").map((p) => p.post.seal.day);
