import { describeError } from "../../errors";
import { contactKeyOf, groupKeyOf } from "../../ids";
import { conversationKeyOf, type StatusEvent, type WhatsAppEvent } from "../../messages";
import type { InboxEntry, IndexedInboxState } from "../../model";
import type { Clock } from "../../ports/clock";
import type { Logger } from "../../ports/logger";
import type { InboxStore } from "../../ports/stores";
import { ContactLanes, type LaneItem, type LaneResult } from "./contact-lanes";
import { compareInboxEntries } from "./inbox-order";

type LaneEntry = InboxEntry & LaneItem;

export interface InboxSchedulerOptions {
  readonly inbox: InboxStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Handles one entry (the use case); `retry` keeps it at the head of its lane. */
  readonly process: (entry: InboxEntry) => Promise<LaneResult>;
  /** Whether this instance may take work now (leading, not stopping). */
  readonly mayWork: () => boolean;
  /** Keeps track of work that outlives a call (refills), so that shutdown and `idle` can wait for it. */
  readonly background: (work: Promise<unknown>) => void;
  /** Most entries held in memory, waiting in the lanes; the rest wait in the inbox. */
  readonly maxInMemory: number;
  /** How long an idle lane holds its first entry so that entries arriving together are sorted first. */
  readonly reorderHoldMs?: number;
  /** While leading, look for pending entries this often (other instances' ingests); off when unset. */
  readonly pollIntervalMs?: number;
  /** Also done each poll round (the outbox sweep); must not throw. */
  readonly onPoll?: () => Promise<void>;
}

/** The lane of a status: its conversation's lane when the recipient is known, so it follows its messages. */
function statusLane(event: StatusEvent): string {
  if (event.group) return groupKeyOf(event.business, event.group);
  const r = event.recipient;
  return r && (r.userId || r.phone) ? contactKeyOf(event.business, r) : `${event.business}|status`;
}

/** The lane of an event: its conversation's (a group's messages, events and statuses share the group's). */
export function laneOf(event: WhatsAppEvent): string {
  switch (event.type) {
    case "message":
      return conversationKeyOf(event);
    case "status":
      return statusLane(event);
    case "preference":
      return contactKeyOf(event.business, event.contact);
    case "group":
      return event.group ? groupKeyOf(event.business, event.group) : `${event.business}|group`;
    case "account_error":
      return `${event.business}|account_error`;
  }
}

/**
 * Puts inbox entries into per-conversation lanes, in order, with a bound on memory. New events join their
 * lane at once while the lanes have room; beyond `maxInMemory` they stay in the inbox (a backlog), and the
 * oldest waiting entries are loaded as the lanes drain. While a backlog is being loaded, a new event may
 * still join its lane only if it is older than everything left in the inbox (the watermark): it can then
 * overtake nothing of its conversation, and a newer event of its conversation may already be in memory.
 */
export class InboxScheduler {
  private readonly lanes: ContactLanes<LaneEntry>;
  /** The inbox holds pending entries that are not in the lanes (the lanes were full). */
  private backlog = false;
  /** Entries left in the inbox because of the backlog since the last refill began. */
  private leftInInbox = 0;
  /** The newest entry (inbox order) ever put in a lane. */
  private newestScheduled: InboxEntry | undefined;
  /** During a backlog, every entry left in the inbox comes after this one (inbox order). */
  private watermark: InboxEntry | undefined;
  private refilling = false;
  private polling = false;

  constructor(private readonly options: InboxSchedulerOptions) {
    this.lanes = new ContactLanes<LaneEntry>(
      (entry) => (options.mayWork() ? options.process(entry).finally(() => this.refillIfDrained()) : Promise.resolve("done")),
      options.clock,
      undefined,
      options.reorderHoldMs ?? 0,
    );
  }

  /** Entries waiting or running in the lanes. */
  get size(): number {
    return this.lanes.size;
  }

  /** Conversations with a lane in memory (at most `size`, itself bounded by `maxInMemory`). */
  get laneCount(): number {
    return this.lanes.laneCount;
  }

  /**
   * Puts an entry in its lane. `fromInbox`: it was just loaded, oldest first, from the inbox (resume, poll,
   * refill), which bounds how many come. Otherwise (a new event) it is left in the inbox while the lanes
   * are full or a backlog is being loaded, so that it cannot overtake an older event that waits there.
   */
  schedule(entry: InboxEntry, fromInbox = false): void {
    // Not leading: the entry stays pending in the inbox, where the leader finds it.
    if (!this.options.mayWork()) return;
    if (!fromInbox && (this.backlog || this.lanes.size >= this.options.maxInMemory)) {
      if (!this.backlog) this.enterBacklog(this.lanes.size + 1, this.newestScheduled);
      const olderThanTheBacklog = this.watermark !== undefined && compareInboxEntries(entry, this.watermark) < 0;
      if (!olderThanTheBacklog) {
        this.leftInInbox++;
        return;
      }
    }
    if (!this.newestScheduled || compareInboxEntries(entry, this.newestScheduled) > 0) this.newestScheduled = entry;
    this.lanes.enqueue(laneOf(entry.event), { ...entry, id: entry.key, timestamp: entry.event.timestamp });
  }

  /** Loads the oldest entries in `states` (at most `maxInMemory`; the rest as the lanes drain). Returns how many wait in all. */
  async loadOldest(states: readonly IndexedInboxState[]): Promise<number> {
    const { entries, total } = await this.options.inbox.oldest(states, this.options.maxInMemory);
    for (const entry of entries) this.schedule(entry, true);
    if (total > entries.length) this.enterBacklog(total, entries.at(-1));
    return total;
  }

  /** While leading, loads pending entries every `pollIntervalMs` (others' ingests, strays). Call after each gain of leadership. */
  startPolling(): void {
    const every = this.options.pollIntervalMs;
    if (every === undefined || this.polling) return;
    this.polling = true;
    void (async () => {
      try {
        while (this.options.mayWork()) {
          await this.options.clock.sleep(every);
          if (!this.options.mayWork()) break;
          try {
            await this.loadOldest(["pending"]);
            await this.options.onPoll?.();
          } catch (err) {
            this.options.logger.warn("bridge.poll_failed", { error: describeError(err) });
          }
        }
      } finally {
        this.polling = false;
      }
    })();
  }

  /** Resolves when the lanes are empty (new entries may join them meanwhile). */
  lanesIdle(): Promise<void> {
    return this.lanes.idle();
  }

  /** With the lanes empty and nothing else running, goes on loading a backlog still in the inbox (it is work too). */
  continueBacklog(): void {
    if (this.backlog && this.lanes.size === 0) this.refillIfDrained();
  }

  /** Stops: what waits in the lanes stays pending in the inbox. */
  stop(): Promise<void> {
    return this.lanes.stop();
  }

  /** `loadedUpTo`: every entry left in the inbox comes after it (the newest in memory, or a load's cut). */
  private enterBacklog(waiting: number, loadedUpTo: InboxEntry | undefined): void {
    if (this.backlog) return; // the watermark only moves in `refill`, which knows nothing was left meanwhile
    this.options.logger.warn("bridge.backlog", {
      waiting,
      inMemory: this.lanes.size,
      note: "events beyond the in-memory bound wait in the inbox and are loaded, oldest first, as the lanes drain",
    });
    this.backlog = true;
    this.watermark = loadedUpTo;
  }

  /** During a backlog, loads the next oldest entries once the lanes are half empty. */
  private refillIfDrained(): void {
    if (!this.backlog || this.refilling || !this.options.mayWork() || this.lanes.size > this.options.maxInMemory / 2) return;
    this.refilling = true;
    this.options.background(
      this.refill().finally(() => {
        this.refilling = false;
        // Nothing is running that would call again (what was loaded is done already): go on at once.
        if (this.backlog && this.lanes.size === 0) this.refillIfDrained();
      }),
    );
  }

  private async refill(): Promise<void> {
    try {
      this.leftInInbox = 0;
      const { entries, total } = await this.options.inbox.oldest(["pending"], this.options.maxInMemory);
      for (const entry of entries) this.schedule(entry, true);
      // All of it is in the lanes now, and no new event was left out meanwhile: the backlog is over.
      if (total <= entries.length && this.leftInInbox === 0) {
        this.backlog = false;
        this.watermark = undefined;
        this.options.logger.info("bridge.backlog_cleared", { inMemory: this.lanes.size });
      } else if (this.leftInInbox === 0 && entries.length > 0 && (!this.watermark || compareInboxEntries(entries.at(-1)!, this.watermark) > 0)) {
        // Loaded up to here, and nothing was left out while loading: what waits in the inbox comes after it.
        this.watermark = entries.at(-1);
      }
    } catch (err) {
      // The entries wait in the inbox; look again after a pause (the poll, if any, also finds them).
      this.options.logger.warn("bridge.refill_failed", { error: describeError(err) });
      await this.options.clock.sleep(1_000);
    }
  }
}
