import { ContactLanes, type LaneItem } from "../contact-lanes";
import { describeError } from "../errors";
import { contactKeyOf } from "../ids";
import { eventKeyOf, type WhatsAppEvent } from "../messages";
import type { ChannelLink, InboxEntry } from "../model";
import { DEFAULT_PACING, OutboundPacer } from "../pacer";
import { compilePolicy } from "../rules/outbound-policy";
import type { StaffCardAction, StaffMessage, StaffMessageChange, StaffMessageHandler, StaffReaction, StaffReply } from "../staff-message";
import type { BridgeContext, BridgeDeps } from "./deps";
import { onCardAction } from "./on-card-action";
import { statusLane } from "./on-status";
import { TemplateCatalog } from "./template-catalog";
import { onStaffMessage } from "./on-staff-message";
import { onWhatsAppEvent } from "./on-whatsapp-event";
import { FollowUps, isMediaRetryKey, type FollowUpOptions } from "./follow-ups";
import { runMediaRetry } from "./media-retry";
import { onStaffMessageChange, onStaffReaction } from "./staff-events";

type LaneEntry = InboxEntry & LaneItem;

/**
 * The facade the adapters call. WhatsApp events are recorded first (`ingest`, which the webhook awaits
 * before answering 200) and processed afterwards in per-contact lanes; staff messages are handled inline.
 */
export class BridgeService implements StaffMessageHandler {
  private readonly lanes: ContactLanes<LaneEntry>;
  private readonly ctx: BridgeContext;
  private readonly backgroundWork = new Set<Promise<unknown>>();
  private readonly followUps: FollowUps;
  /** Staff messages whose edit/deletion the thread was already told about (said once). */
  private readonly changesTold = new Set<string>();

  /** Throws if a configured policy pattern is not a valid regular expression. */
  constructor(private readonly deps: BridgeDeps, options: { followUps?: Pick<FollowUpOptions, "parkLimitMs" | "backoff"> } = {}) {
    this.followUps = new FollowUps({
      ...options.followUps,
      inbox: deps.stores.inbox,
      clock: deps.clock,
      logger: deps.logger,
      schedule: (entry) => this.schedule(entry),
      runMediaRetry: (entry) => runMediaRetry(this.ctx, entry),
    });
    this.ctx = {
      ...deps,
      followUps: this.followUps,
      pacer: new OutboundPacer(deps.settings.pacing ?? DEFAULT_PACING, deps.clock),
      templates: new TemplateCatalog(deps.whatsapp, deps.clock),
      checkPolicy: compilePolicy(deps.settings.policy ?? { cardNumbers: true, ibans: true, blockedWords: [], blockedPatterns: [] }),
      background: (work) => {
        this.backgroundWork.add(work);
        void work.finally(() => this.backgroundWork.delete(work));
      },
    };
    this.lanes = new ContactLanes<LaneEntry>((entry) => onWhatsAppEvent(this.ctx, entry), deps.clock);
  }

  /**
   * Durably records every event (atomic create keyed by wamid: a redelivery is a no-op) and schedules
   * the new ones. Resolves only when all are recorded; throws if storage fails (the webhook answers 5xx).
   */
  async ingest(events: readonly WhatsAppEvent[]): Promise<{ recorded: number; duplicates: number }> {
    const receivedAt = this.deps.clock.now();
    const entries = events.map((event): InboxEntry => ({ business: event.business, key: eventKeyOf(event), event, state: "pending", receivedAt }));
    const results = await Promise.all(entries.map(async (entry) => ({ entry, result: await this.deps.stores.inbox.record(entry) })));
    let duplicates = 0;
    for (const { entry, result } of [...results].sort((a, b) => a.entry.event.timestamp - b.entry.event.timestamp)) {
      if (result === "duplicate") duplicates++;
      // A duplicate may be the redelivery of an event whose processing was cut short: schedule it too;
      // processing skips entries that are no longer pending.
      this.schedule(entry);
    }
    if (duplicates > 0) this.deps.logger.info("whatsapp.webhook.duplicates", { count: duplicates });
    return { recorded: entries.length - duplicates, duplicates };
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

  onCardAction(action: StaffCardAction): Promise<StaffReply | undefined> {
    return onCardAction(this.ctx, action);
  }

  /** A template changed status at Meta: the cached list is stale. */
  templatesChanged(): void {
    this.ctx.templates.invalidate();
  }

  /** Schedules every event left pending (e.g. by a restart). Returns how many. */
  async resumePending(): Promise<number> {
    const pending = await this.deps.stores.inbox.list("pending");
    for (const entry of pending) this.schedule(entry);
    if (pending.length > 0) this.deps.logger.info("bridge.resumed", { count: pending.length });
    return pending.length;
  }

  /** Resolves when no event is waiting or being processed and no reply is still being sent. */
  async idle(): Promise<void> {
    do {
      await this.lanes.idle();
      await Promise.all([...this.backgroundWork]);
    } while (this.lanes.size > 0 || this.backgroundWork.size > 0);
  }

  /** Resolves when no media retry is running and no parked event is waiting (tests). */
  followUpsSettled(): Promise<void> {
    return this.followUps.settled();
  }

  /** Stops taking new work and waits for the events and sends in hand. */
  async stop(): Promise<void> {
    await this.followUps.stop();
    await this.lanes.stop();
    await Promise.all([...this.backgroundWork]);
  }

  private schedule(entry: InboxEntry): void {
    // Media retries run on their own timers, outside the contact's lane (see follow-ups.ts).
    if (isMediaRetryKey(entry.key)) return this.followUps.resumeMediaRetry(entry);
    const event = entry.event;
    const lane = event.type === "message" ? event.contact.key
      : event.type === "status" ? statusLane(event)
      : event.type === "preference" ? contactKeyOf(event.business, event.contact)
      : `${event.business}|${event.type}`;
    this.lanes.enqueue(lane, { ...entry, id: entry.key, timestamp: event.timestamp });
  }

  /** Messages that arrived before their number was linked are delivered once it is. */
  private async replayUnrouted(link: ChannelLink): Promise<number> {
    try {
      const waiting = await this.deps.stores.inbox.list("unrouted", link.business);
      for (const entry of waiting) {
        await this.deps.stores.inbox.setState(entry.business, entry.key, "pending");
        this.schedule({ ...entry, state: "pending" });
      }
      return waiting.length;
    } catch (err) {
      this.deps.logger.error("bridge.replay_failed", { business: link.business, error: describeError(err) });
      return 0;
    }
  }
}
