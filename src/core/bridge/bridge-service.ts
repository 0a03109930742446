import { InboxScheduler } from "./scheduling/inbox-scheduler";
import type { LaneResult } from "./scheduling/contact-lanes";
import { describeError, PermanentError } from "../errors";
import { eventKeyOf, messageKindOf, type WhatsAppEvent } from "../messages";
import type { ChannelLink, InboxEntry } from "../model";
import { ALWAYS_LEADER, type Leadership } from "../ports/leadership";
import type { RawDelivery } from "../ports/webhook-journal";
import { DEFAULT_PACING, OutboundPacer } from "./outbox/pacer";
import { compilePolicy } from "../rules/outbound-policy";
import type { StaffCardAction, StaffMessage, StaffMessageChange, StaffMessageHandler, StaffReaction, StaffReply } from "../staff-message";
import { resumeOutbox, sweepOutbox } from "./outbox/outbox-recovery";
import type { BridgeContext, BridgeDeps } from "./context";
import { onCardAction } from "./from-teams/on-card-action";
import { TemplateCatalog } from "./from-teams/template-catalog";
import { onStaffMessage } from "./from-teams/on-staff-message";
import { onWhatsAppEvent } from "./from-whatsapp/on-whatsapp-event";
import { FollowUps, type FollowUpOptions } from "./scheduling/follow-ups";
import { runMediaRetry } from "./from-whatsapp/media-retry";
import { LinkRecovery, type AppInstalled, type LinkRecoveryOptions } from "./recovery/link-recovery";
import type { NumberBacklog } from "../model";
import { backlogReport } from "./recovery/backlog-report";
import { onStaffMessageChange, onStaffReaction } from "./from-teams/staff-events";
import { ComplianceSchedule, type ComplianceScheduleOptions } from "./compliance/compliance-schedule";
import { admitCardAction } from "./from-teams/staff-gate";
import { NO_METRICS } from "../ports/metrics";
import { CONTACT_LANE_RETRY } from "../retry-policy";
import { measured } from "./measured-gateways";

/** Options of the service beyond its ports. */
export interface BridgeServiceOptions {
  readonly followUps?: Pick<FollowUpOptions, "parkLimitMs" | "backoff" | "maxParked">;
  /**
   * While leading, look for pending inbox entries this often (entries other instances ingested, or left
   * behind). Off when unset (a single instance schedules what it ingests itself).
   */
  readonly pollIntervalMs?: number;
  /**
   * Most inbox entries held in memory (waiting in the lanes). Beyond it new events wait in the inbox and
   * are loaded, oldest first, as the backlog drains, so a backlog of any size runs in bounded memory.
   * Default `DEFAULT_MAX_IN_MEMORY`.
   */
  readonly maxInMemory?: number;
  /** How often suspended links are probed (link-recovery.ts), and on which clock; default every 60 s on the bridge's clock. */
  readonly linkProbe?: LinkRecoveryOptions;
  /** How often the leader looks for a compliance post that is due (compliance/compliance-schedule.ts); default every 60 s. */
  readonly compliance?: ComplianceScheduleOptions;
}

const BACKLOG_REPORT_MAX_AGE_MS = 30_000;

/** About 4 KB each while waiting: some 8 MB, and over a minute of work at Teams' 50 posts/s. */
export const DEFAULT_MAX_IN_MEMORY = 2_000;

/**
 * The facade the adapters call. WhatsApp events are recorded first (`ingest`, which the webhook awaits
 * before answering 200) and processed afterwards in per-contact lanes; staff messages are handled inline.
 * Any instance ingests; only the leader (`BridgeDeps.leadership`) processes the inbox (docs/reliability.md, "Several instances").
 */
export class BridgeService implements StaffMessageHandler {
  private readonly ctx: BridgeContext;
  private readonly backgroundWork = new Set<Promise<unknown>>();
  private readonly followUps: FollowUps;
  /** Staff messages whose edit/deletion the thread was already told about (said once). */
  private readonly changesTold = new Set<string>();
  private readonly leadership: Leadership;
  private stopped = false;
  private unsubscribe: () => void = () => {};
  private readonly links: LinkRecovery;
  /** Inbox entries in per-conversation lanes, in order, with a bound on memory (inbox-scheduler.ts). */
  private readonly inbox: InboxScheduler;
  private cachedBacklog: { readonly at: number; readonly report: Promise<NumberBacklog[]> } | undefined;
  /** The compliance channel's scheduled posts (with `BridgeDeps.compliance`). */
  private readonly compliance: ComplianceSchedule | undefined;

  /** Throws if a configured policy pattern is not a valid regular expression. */
  constructor(
    private readonly deps: BridgeDeps,
    options: BridgeServiceOptions = {},
  ) {
    this.leadership = deps.leadership ?? ALWAYS_LEADER;
    const metrics = deps.metrics ?? NO_METRICS;
    // Every use case reaches Teams and WhatsApp through these: each call is timed and its failures counted.
    const ports: BridgeDeps = {
      ...deps,
      metrics,
      teams: measured(deps.teams, "teams", metrics, deps.clock),
      whatsapp: measured(deps.whatsapp, "meta", metrics, deps.clock),
    };
    this.followUps = new FollowUps({
      ...options.followUps,
      mediaRetries: deps.stores.mediaRetries,
      clock: deps.clock,
      logger: deps.logger,
      schedule: (entry) => this.inbox.schedule(entry),
      // A standby ends the retry loop; the entry stays pending for the leader.
      runMediaRetry: (retry) => (this.mayWork() ? runMediaRetry(this.ctx, retry) : Promise.resolve("done")),
    });
    this.ctx = {
      ...ports,
      metrics,
      followUps: this.followUps,
      pacer: new OutboundPacer(deps.settings.pacing ?? DEFAULT_PACING, deps.clock, metrics),
      templates: new TemplateCatalog(ports.whatsapp, deps.clock),
      checkPolicy: compilePolicy(deps.settings.policy ?? { cardNumbers: true, ibans: true, blockedWords: [], blockedPatterns: [] }),
      background: (work) => {
        this.backgroundWork.add(work);
        void work.finally(() => this.backgroundWork.delete(work));
      },
      linkSuspended: () => this.links.noteSuspension(),
    };
    this.links = new LinkRecovery(
      ports,
      (entry) => this.inbox.schedule(entry),
      () => this.mayWork(),
      options.linkProbe ?? { probeEveryMs: 60_000 },
    );
    this.compliance = deps.compliance
      ? new ComplianceSchedule(this.ctx, deps.compliance, () => this.mayWork(), options.compliance ?? { everyMs: 60_000 })
      : undefined;
    // Leadership lost: what waits in the lanes is dropped unprocessed (it stays pending in the inbox).
    this.inbox = new InboxScheduler({
      inbox: deps.stores.inbox,
      clock: deps.clock,
      logger: deps.logger,
      process: (entry) => this.process(entry),
      mayWork: () => this.mayWork(),
      background: this.ctx.background,
      maxInMemory: Math.max(1, options.maxInMemory ?? DEFAULT_MAX_IN_MEMORY),
      ...(deps.settings.reorderHoldMs !== undefined ? { reorderHoldMs: deps.settings.reorderHoldMs } : {}),
      ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
      // Staff replies left queued by an instance that stopped (never throws).
      onPoll: async () => {
        await sweepOutbox(this.ctx);
      },
    });
  }

  /**
   * Journals the raw delivery, then durably records every event (atomic create keyed by wamid: a
   * redelivery is a no-op) with the journal ref, then schedules them if this instance leads. Resolves only
   * when all is stored; throws if storage fails (the webhook answers 5xx and Meta retries). Nothing is
   * recorded when the journal fails; a failure after the journal leaves at most some entries recorded,
   * which Meta's retry completes (records are idempotent and the journal accepts the same bytes again).
   * `delivery` is required in production (the webhook always passes it); unit tests may leave it out.
   */
  async ingest(events: readonly WhatsAppEvent[], delivery?: RawDelivery): Promise<{ recorded: number; duplicates: number; journalRef?: string }> {
    const receivedAt = this.deps.clock.now();
    let journalRef: string | undefined;
    if (delivery) {
      if (!this.deps.journal) throw new PermanentError("bridge.no_journal", "ingest: a raw delivery needs a webhook journal, and none is configured");
      journalRef = await this.deps.journal.append(delivery, receivedAt);
    }
    const entries = events.map((event): InboxEntry => ({
      business: event.business,
      key: eventKeyOf(event),
      event,
      state: "pending",
      receivedAt,
      ...(journalRef ? { journalRef } : {}),
    }));
    const results = await Promise.all(entries.map(async (entry) => ({ entry, result: await this.deps.stores.inbox.record(entry) })));
    let duplicates = 0;
    for (const { entry, result } of [...results].sort((a, b) => a.entry.event.timestamp - b.entry.event.timestamp)) {
      if (result === "duplicate") duplicates++;
      else if (entry.event.type === "message") this.ctx.metrics.count("bridge.messages.inbound", { "message.kind": messageKindOf(entry.event) });
      // A duplicate may be the redelivery of an event whose processing was cut short: schedule it too;
      // processing skips entries that are no longer pending.
      this.inbox.schedule(entry);
    }
    if (duplicates > 0) this.deps.logger.info("whatsapp.webhook.duplicates", { count: duplicates });
    return { recorded: entries.length - duplicates, duplicates, ...(journalRef ? { journalRef } : {}) };
  }

  onStaffMessage(message: StaffMessage): Promise<StaffReply | undefined> {
    return onStaffMessage(this.ctx, message, (link) => this.replayUnrouted(link));
  }

  onStaffReaction(reaction: StaffReaction): Promise<StaffReply | undefined> {
    return onStaffReaction(this.ctx, reaction);
  }

  onStaffMessageChange(change: StaffMessageChange): Promise<StaffReply | undefined> {
    return onStaffMessageChange(this.ctx, change, this.changesTold);
  }

  async onCardAction(action: StaffCardAction): Promise<StaffReply | undefined> {
    // A template send passes the staff gate before the card's own steps run (staff-gate.ts).
    return (await admitCardAction(this.ctx, action)) ?? onCardAction(this.ctx, action);
  }

  /** Teams says the app was added (back) to a team: suspended links there resume at once. Never throws. */
  onAppInstalled(event: AppInstalled): Promise<number> {
    return this.links.appInstalled(event);
  }

  /**
   * What waits or failed, per business number (backlog-report.ts), read at most every 30 s: the readiness
   * probe asks often and the report reads every unfinished entry.
   */
  backlogReport(): Promise<NumberBacklog[]> {
    const now = this.deps.clock.now();
    if (!this.cachedBacklog || now - this.cachedBacklog.at > BACKLOG_REPORT_MAX_AGE_MS) {
      const report = backlogReport(this.deps);
      this.cachedBacklog = { at: now, report };
      report.catch(() => {
        this.cachedBacklog = undefined;
      });
    }
    return this.cachedBacklog.report;
  }

  /** A template changed status at Meta: the cached list is stale. */
  templatesChanged(): void {
    this.ctx.templates.invalidate();
  }

  /**
   * Begins processing: resumes every unfinished entry if this instance leads, then follows leadership
   * (resumes again when it is gained; takes no new work while it is lost) and, with `pollIntervalMs`,
   * polls the inbox while leading. Call once, after the webhook route is up. Throws if storage fails.
   */
  async start(): Promise<void> {
    this.unsubscribe = this.leadership.onChange((leader) => {
      if (this.stopped) return;
      if (!leader) {
        this.deps.logger.warn("bridge.standing_by", { note: "not the leader: new work stays in the inbox for the instance that leads" });
        return;
      }
      this.deps.logger.info("bridge.leading");
      void this.resumeQuietly().then(() => {
        this.inbox.startPolling();
        this.links.start();
        this.compliance?.start();
      });
    });
    if (!this.mayWork()) {
      // A standby still sends the staff replies its own earlier process accepted.
      await resumeOutbox(this.ctx);
      return;
    }
    await this.resumePending();
    this.inbox.startPolling();
    this.links.start();
    this.compliance?.start();
  }

  /**
   * Schedules every unfinished entry (nothing while not the leader): those left `pending` (a crash, a
   * restart, another instance's ingest) or `posting`, and those kept `unrouted` although their number is
   * linked now (a crash between linking and the replay). Returns how many. Throws if storage fails.
   */
  async resumePending(): Promise<number> {
    if (!this.mayWork()) return 0;
    // Staff replies accepted but not sent when this instance (or the previous leader) stopped.
    await resumeOutbox(this.ctx);
    // Files still to download again: their own queue, on their own timers (follow-ups.ts).
    for (const retry of await this.deps.stores.mediaRetries.list()) this.followUps.resumeMediaRetry(retry);
    // `posting` entries were cut short while posting to Teams: resumed too, and flagged (on-whatsapp-event).
    // Oldest first and at most `maxInMemory` of them: the rest of a large backlog is loaded as it drains.
    const total = await this.inbox.loadOldest(["pending", "posting"]);
    const unrouted = await this.deps.stores.inbox.list("unrouted");
    let replayed = 0;
    for (const business of new Set(unrouted.map((e) => e.business))) {
      const link = await this.deps.stores.links.get(business);
      if (link) replayed += await this.replayUnrouted(link);
    }
    // Held for a link that is active again (a stop between lifting a suspension and replaying its events).
    for (const business of new Set((await this.deps.stores.inbox.list("held")).map((e) => e.business))) {
      const link = await this.deps.stores.links.get(business);
      if (link && !link.suspended) await this.links.resume(link);
    }
    const count = total + replayed;
    if (count > 0) this.deps.logger.info("bridge.resumed", { count, replayedUnrouted: replayed });
    return count;
  }

  /** Resolves when no event is waiting or being processed and no reply is still being sent. */
  async idle(): Promise<void> {
    do {
      await this.inbox.lanesIdle();
      await Promise.all([...this.backgroundWork]);
      if (this.mayWork() && this.backgroundWork.size === 0) this.inbox.continueBacklog();
    } while (this.inbox.size > 0 || this.backgroundWork.size > 0);
  }

  /** Resolves when no media retry is running and no parked event is waiting (tests). */
  followUpsSettled(): Promise<void> {
    return this.followUps.settled();
  }

  /** Stops taking new work and waits for the events and sends in hand. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    await this.followUps.stop();
    await this.inbox.stop();
    await Promise.all([...this.backgroundWork]);
    await this.compliance?.settled();
  }

  /** Processes one inbox entry (an escaped error means "retry", as in the lanes); each retry is counted. */
  private async process(entry: InboxEntry): Promise<LaneResult> {
    const result = await onWhatsAppEvent(this.ctx, entry).catch(() => "retry" as const);
    if (result === "retry") this.ctx.metrics.count("bridge.retries", { "retry.policy": CONTACT_LANE_RETRY.name });
    return result;
  }

  /** True while this instance may take work: leading and not stopping. */
  private mayWork(): boolean {
    return !this.stopped && this.leadership.isLeader();
  }

  private async resumeQuietly(): Promise<void> {
    try {
      await this.resumePending();
    } catch (err) {
      // The next poll (or restart) tries again; nothing is lost, entries stay in the inbox.
      this.deps.logger.warn("bridge.resume_failed", { error: describeError(err) });
    }
  }

  /** Messages that arrived before their number was linked are delivered once it is. */
  private async replayUnrouted(link: ChannelLink): Promise<number> {
    try {
      const waiting = await this.deps.stores.inbox.list("unrouted", link.business);
      for (const entry of waiting) {
        await this.deps.stores.inbox.setState(entry.business, entry.key, "pending");
        this.inbox.schedule({ ...entry, state: "pending" });
      }
      return waiting.length;
    } catch (err) {
      this.deps.logger.error("bridge.replay_failed", { business: link.business, error: describeError(err) });
      return 0;
    }
  }
}
