import type { Clock } from "../../ports/clock";
import { CONTACT_LANE_RETRY, delayFor, type RetryPolicy } from "../../retry-policy";

/** An item waiting in a lane: ordered by WhatsApp timestamp, then by arrival. */
export interface LaneItem {
  readonly id: string;
  readonly timestamp: number;
  readonly receivedAt: number;
}

export type LaneResult = "done" | "retry";

/**
 * One lane per contact: a contact's events are handled one at a time in WhatsApp timestamp order, while
 * different contacts run in parallel (the per-portal event loop of mautrix bridges). An item whose handler
 * answers `retry` stays at the head of its lane and is tried again after a backoff (`CONTACT_LANE_RETRY`),
 * so a later message can never overtake an earlier one that is still failing.
 */
export class ContactLanes<T extends LaneItem> {
  private readonly lanes = new Map<string, Lane<T>>();
  private readonly idleWaiters: Array<() => void> = [];
  private stopped = false;
  private running = 0;
  /** Items waiting or running in all lanes (kept, not counted on demand: read on every ingest). */
  private count = 0;
  private readonly stopWaiters: Array<() => void> = [];
  private readonly backoff: RetryPolicy;

  constructor(
    private readonly handle: (item: T) => Promise<LaneResult>,
    private readonly clock: Clock,
    /** Changes to `CONTACT_LANE_RETRY` (tests shorten it). */
    backoff: Partial<RetryPolicy> = {},
    /**
     * How long an idle lane waits before taking its first item. WhatsApp gives no ordering guarantee and
     * a contact's messages sent together may arrive in separate, concurrent webhooks (docs/protocols.md A4):
     * a short hold lets them all be sorted by WhatsApp's timestamp before the first is posted.
     */
    private readonly reorderHoldMs = 0,
  ) {
    this.backoff = { ...CONTACT_LANE_RETRY, ...backoff };
  }

  /** Adds an item to its lane unless an item with the same id is already waiting there. */
  enqueue(laneKey: string, item: T): void {
    if (this.stopped) return;
    let lane = this.lanes.get(laneKey);
    if (!lane) {
      lane = { items: [], running: false, starting: false };
      this.lanes.set(laneKey, lane);
    }
    if (lane.items.some((i) => i.id === item.id)) return;
    // Insert in order; the head is never displaced while it runs (it is already being handled).
    let at = lane.items.length;
    while (at > (lane.running ? 1 : 0) && compare(lane.items[at - 1]!, item) > 0) at--;
    lane.items.splice(at, 0, item);
    this.count++;
    if (!lane.running && !lane.starting) {
      // Start on the next microtask, not now: items enqueued together (a restart resuming a contact's
      // backlog, a batch) are all sorted in before the head is taken, so an early one cannot be overtaken.
      lane.starting = true;
      const started = lane;
      const begin = () => {
        started.starting = false;
        void this.run(laneKey, started);
      };
      if (this.reorderHoldMs > 0) void this.clock.sleep(this.reorderHoldMs).then(begin);
      else queueMicrotask(begin);
    }
  }

  /** Number of items waiting or running, in all lanes. */
  get size(): number {
    return this.count;
  }

  /** Number of lanes (an empty lane is removed, so never more than `size`). */
  get laneCount(): number {
    return this.lanes.size;
  }

  /** Resolves when every lane is empty. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking new work; resolves once every lane has finished the item in hand. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.stopWaiters.push(resolve));
  }

  private async run(key: string, lane: Lane<T>): Promise<void> {
    lane.running = true;
    this.running++;
    let failures = 0;
    while (lane.items.length > 0 && !this.stopped) {
      const head = lane.items[0]!;
      let result: LaneResult;
      try {
        result = await this.handle(head);
      } catch {
        // The handler reports its own failures; an escaped error is treated as "try again later".
        result = "retry";
      }
      if (result === "done") {
        lane.items.shift();
        this.count--;
        failures = 0;
      } else {
        failures++;
        await this.clock.sleep(delayFor(this.backoff, failures));
      }
    }
    lane.running = false;
    this.running--;
    if (this.running === 0) for (const wake of this.stopWaiters.splice(0)) wake();
    if (lane.items.length === 0) this.lanes.delete(key);
    if (this.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }
}

interface Lane<T> {
  readonly items: T[];
  /** The head is being handled (it cannot be displaced). */
  running: boolean;
  /** A run is scheduled for the next microtask. */
  starting: boolean;
}

function compare(a: LaneItem, b: LaneItem): number {
  return a.timestamp - b.timestamp || a.receivedAt - b.receivedAt;
}
