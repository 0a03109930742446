import { describeError } from "../../errors";
import type { Clock } from "../../ports/clock";
import type { ComplianceChannel } from "../../ports/compliance-store";
import type { BridgeDeps, ComplianceDeps } from "../context";
import { postDueAudit } from "./audit";
import { postDaySeals } from "./day-seals";
import { postLinkGaps } from "./link-gaps";
import { postDueReview } from "./weekly-review";

export interface ComplianceScheduleOptions {
  /** How often the leader looks for a post that is due (default every 60 s). */
  readonly everyMs: number;
  /** The schedule's clock; the bridge's by default. */
  readonly clock?: Clock;
}

/** What one round posted. */
export interface ComplianceRound {
  readonly gaps: number;
  readonly seals: number;
  readonly audit: boolean;
  readonly review: boolean;
}

const NOTHING: ComplianceRound = { gaps: 0, seals: 0, audit: false, review: false };

/**
 * The compliance channel's scheduled posts, run by the leader only: link gaps as they happen, each UTC
 * day's journal seal, the completeness check every `auditEveryHours`, and the weekly review on Mondays.
 * Each post goes out once across restarts and instances (post-once.ts): the schedule only
 * decides when to look. Nothing is posted until an admin sets the compliance channel.
 */
export class ComplianceSchedule {
  private looping = false;
  private round: Promise<unknown> = Promise.resolve();
  private readonly clock: Clock;

  constructor(
    private readonly ctx: BridgeDeps,
    private readonly deps: ComplianceDeps,
    private readonly mayWork: () => boolean,
    private readonly options: ComplianceScheduleOptions,
  ) {
    this.clock = options.clock ?? ctx.clock;
  }

  /** Runs a round now and then every `everyMs` while `mayWork()`. Call when leadership is gained. */
  start(): void {
    if (this.looping) return;
    this.looping = true;
    void (async () => {
      try {
        while (this.mayWork()) {
          await this.runDue();
          if (!this.mayWork()) break;
          await this.clock.sleep(this.options.everyMs);
        }
      } finally {
        this.looping = false;
      }
    })();
  }

  /** Resolves when the round in progress (if any) is over. */
  settled(): Promise<void> {
    return this.round.then(() => undefined);
  }

  /**
   * One round: every post that is due, in order (gaps, seals, check, review). Never throws: a job that
   * fails is logged and tried again next round; the others still run.
   */
  runDue(): Promise<ComplianceRound> {
    const round = this.round.then(() => this.runRound());
    this.round = round.catch(() => undefined);
    return round;
  }

  private async runRound(): Promise<ComplianceRound> {
    if (!this.mayWork()) return NOTHING;
    let channel: ComplianceChannel | undefined;
    try {
      channel = await this.deps.store.getChannel();
    } catch (err) {
      this.ctx.logger.warn("compliance.round_failed", { error: describeError(err) });
      return NOTHING;
    }
    if (!channel) return NOTHING;
    const c = channel;
    return {
      gaps: await this.job("link-gaps", 0, () => postLinkGaps(this.ctx, this.deps, c, () => this.mayWork())),
      seals: await this.job("day-seal", 0, () => postDaySeals(this.ctx, this.deps, c, () => this.mayWork())),
      audit: await this.job("audit", false, () => postDueAudit(this.ctx, this.deps, c)),
      review: await this.job("weekly-review", false, () => postDueReview(this.ctx, this.deps, c)),
    };
  }

  private async job<T>(name: string, none: T, run: () => Promise<T>): Promise<T> {
    if (!this.mayWork()) return none;
    try {
      return await run();
    } catch (err) {
      this.ctx.logger.warn("compliance.post_failed", { job: name, error: describeError(err), note: "tried again at the next round" });
      return none;
    }
  }
}
