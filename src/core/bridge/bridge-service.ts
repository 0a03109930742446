import { ContactLanes, type LaneItem } from "../contact-lanes";
import { describeError } from "../errors";
import { eventKeyOf, type WhatsAppEvent } from "../messages";
import type { ChannelLink, InboxEntry } from "../model";
import type { StaffMessage, StaffMessageHandler, StaffReply } from "../staff-message";
import type { BridgeDeps } from "./deps";
import { onStaffMessage } from "./on-staff-message";
import { onWhatsAppEvent } from "./on-whatsapp-event";

type LaneEntry = InboxEntry & LaneItem;

/**
 * The facade the adapters call. WhatsApp events are recorded first (`ingest`, which the webhook awaits
 * before answering 200) and processed afterwards in per-contact lanes; staff messages are handled inline.
 */
export class BridgeService implements StaffMessageHandler {
  private readonly lanes: ContactLanes<LaneEntry>;

  constructor(private readonly deps: BridgeDeps) {
    this.lanes = new ContactLanes<LaneEntry>((entry) => onWhatsAppEvent(deps, entry), deps.clock);
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
    return onStaffMessage(this.deps, message, (link) => this.replayUnrouted(link));
  }

  /** Schedules every event left pending (e.g. by a restart). Returns how many. */
  async resumePending(): Promise<number> {
    const pending = await this.deps.stores.inbox.list("pending");
    for (const entry of pending) this.schedule(entry);
    if (pending.length > 0) this.deps.logger.info("bridge.resumed", { count: pending.length });
    return pending.length;
  }

  /** Resolves when no event is waiting or being processed. */
  idle(): Promise<void> {
    return this.lanes.idle();
  }

  /** Stops taking new work and waits for the events in hand. */
  stop(): Promise<void> {
    return this.lanes.stop();
  }

  private schedule(entry: InboxEntry): void {
    const event = entry.event;
    const lane = event.type === "message" ? event.contact.key : `${event.business}|${event.type}`;
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
