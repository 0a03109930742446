import { describeError } from "../../core/errors";
import type { Leadership } from "../../core/ports/leadership";
import type { Logger } from "../../core/ports/logger";

/** The lease operations leadership needs; `BlobLeaseOps` implements them on a blob. */
export interface LeaseOps {
  /** Makes sure the thing to lease exists (idempotent). */
  prepare(): Promise<void>;
  /** Takes the lease for `durationSeconds`: `true` if taken (or already ours), `false` if someone else holds it. */
  acquire(durationSeconds: number): Promise<boolean>;
  /** Extends our lease: `true` if renewed, `false` if it is no longer ours. Throws on no answer. */
  renew(): Promise<boolean>;
  /** Gives the lease up so a standby can take it at once (ignores a lease that is no longer ours). */
  release(): Promise<void>;
}

export interface LeaseLeadershipOptions {
  readonly ops: LeaseOps;
  readonly logger: Logger;
  /** Lease length, 15–60 s (Azure's bounds for a finite lease). */
  readonly leaseDurationSeconds: number;
  /** How often the holder renews; default a third of the lease. Must be well below the lease. */
  readonly renewIntervalMs?: number;
  /** How often a standby tries to take the lease; default the renew interval. */
  readonly retryIntervalMs?: number;
  /** Epoch ms; tests may replace it. */
  readonly now?: () => number;
}

/**
 * Leader election on a lease (the Azure Blob lease pattern, docs/reliability.md, "Several instances"). One instance holds the lease
 * and renews it every `renewIntervalMs`; the others try to take it every `retryIntervalMs`, so when the
 * holder dies the lease lapses after at most `leaseDurationSeconds` and a standby takes over within one
 * more retry interval.
 *
 * The holder fences itself: it counts the lease from the moment it *sent* the last successful acquire or
 * renew, and stops being the leader a safety margin before that runs out, unless a renewal got through.
 * So two instances never both believe they lead (a renewal that hangs, or storage down, ends leadership
 * on this side before the lease can be taken on the other). Losing the lease (someone else holds it) ends
 * leadership at once. Listeners hear every change; `stop()` releases the lease so a standby need not wait.
 */
export class LeaseLeadership implements Leadership {
  private leader = false;
  private stopped = true;
  private readonly listeners = new Set<(leader: boolean) => void>();
  private timer: NodeJS.Timeout | undefined;
  private fence: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private readonly durationMs: number;
  private readonly renewMs: number;
  private readonly retryMs: number;
  private readonly marginMs: number;
  private readonly now: () => number;

  constructor(private readonly options: LeaseLeadershipOptions) {
    const seconds = options.leaseDurationSeconds;
    if (!Number.isInteger(seconds) || seconds < 15 || seconds > 60) throw new RangeError(`lease duration must be 15–60 whole seconds, got ${seconds}`);
    this.durationMs = seconds * 1000;
    this.renewMs = options.renewIntervalMs ?? Math.floor(this.durationMs / 3);
    if (this.renewMs <= 0 || this.renewMs > this.durationMs / 2)
      throw new RangeError(`renew interval must be positive and at most half the lease (${this.durationMs / 2} ms), got ${this.renewMs}`);
    this.retryMs = options.retryIntervalMs ?? this.renewMs;
    // Stop leading this long before the lease could lapse: covers timer lateness and clock granularity.
    this.marginMs = Math.min(2_000, Math.floor(this.durationMs / 10));
    this.now = options.now ?? Date.now;
  }

  isLeader(): boolean {
    return this.leader;
  }

  onChange(listener: (leader: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Prepares the lease and makes a first attempt to take it, then keeps renewing or retrying in the
   * background. Resolves once the first attempt is over (leader or standby). Throws if the lease cannot
   * be prepared (storage unreachable or refusing): the process should not start half-blind.
   */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.options.ops.prepare();
    await this.tick();
  }

  /** Stops renewing and retrying; if leading, steps down (listeners hear it) and releases the lease. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    const wasLeader = this.leader;
    this.setLeader(false, "stopped");
    if (wasLeader) {
      try {
        await this.options.ops.release();
        this.options.logger.info("bridge.leadership.released");
      } catch (err) {
        // It will lapse on its own after the lease duration.
        this.options.logger.warn("bridge.leadership.release_failed", { error: describeError(err) });
      }
    }
  }

  private tick(): Promise<void> {
    this.ticking = this.attempt().finally(() => {
      if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.leader ? this.renewMs : this.retryMs).unref();
    });
    return this.ticking;
  }

  private async attempt(): Promise<void> {
    const sentAt = this.now();
    try {
      const held = this.leader ? await this.options.ops.renew() : await this.options.ops.acquire(this.durationMs / 1000);
      // Even while stopping: a lease just taken is then released by stop(), which awaits this attempt.
      if (held) {
        this.armFence(sentAt);
        this.setLeader(true, "acquired");
      } else {
        this.setLeader(false, "held elsewhere");
      }
    } catch (err) {
      // No answer: keep leading only while the lease surely still runs (the fence ends it otherwise).
      this.options.logger.warn(this.leader ? "bridge.leadership.renew_failed" : "bridge.leadership.acquire_failed", { error: describeError(err) });
    }
  }

  private armFence(sentAt: number): void {
    clearTimeout(this.fence);
    const left = sentAt + this.durationMs - this.marginMs - this.now();
    this.fence = setTimeout(() => this.setLeader(false, "lease not renewed in time"), Math.max(0, left)).unref();
  }

  private setLeader(leader: boolean, reason: string): void {
    if (!leader) clearTimeout(this.fence);
    if (this.leader === leader) return;
    this.leader = leader;
    this.options.logger.info(leader ? "bridge.leadership.acquired" : "bridge.leadership.lost", { reason });
    for (const listener of [...this.listeners]) listener(leader);
  }
}
