import type { AadObjectId, BusinessNumberId, TeamsChannelId, TeamsGroupId } from "../ids";
import type { ChannelAddress } from "../model";

/**
 * Where the compliance posts go and how far each scheduled post got (docs/data-and-compliance.md,
 * "The compliance channel"). Holds no customer data: a channel address, who set it, and progress
 * markers (days, periods, link gaps of business numbers), so `npm run erase` never needs it.
 */

/** The channel set by `compliance here`. */
export interface ComplianceChannel {
  readonly channel: ChannelAddress;
  /** The team's Microsoft 365 group id, when Teams sent it (deep links into the channel use it). */
  readonly teamGroupId?: TeamsGroupId;
  readonly setBy: AadObjectId;
  /** Epoch milliseconds. */
  readonly setAt: number;
}

/** The scheduled posts, each with its own progress. */
export type ComplianceJob = "day-seal" | "audit" | "weekly-review" | "link-gaps";

/** A channel link suspended (the record of its number has a gap from `since`) or resumed (the gap closed at `at`). */
export interface LinkGap {
  /** `<since, 15 digits>-<business>-<kind>`: one per suspension and per resumption. */
  readonly key: string;
  readonly kind: "suspended" | "resumed";
  readonly business: BusinessNumberId;
  readonly displayNumber?: string;
  readonly channelId: TeamsChannelId;
  readonly channelName?: string;
  /** Epoch ms the suspension began. */
  readonly since: number;
  /** Epoch ms of this change (for `suspended`, the same as `since`). */
  readonly at: number;
  /** Why Teams refused the bot (suspensions), in the adapter's words. */
  readonly reason?: string;
  /** Messages that waited and are posted now (resumptions). */
  readonly waiting?: number;
}

/**
 * How far a job got. A period is a string that sorts in time order (`YYYY-MM-DD`, an ISO instant, a gap
 * key). `claim` is written before posting and cleared with `done`: found later, it means a post may exist.
 */
export interface JobProgress {
  /** The last period posted (day-seal, audit, weekly-review). */
  readonly done?: string;
  /** A period being posted, by whom (a process name) and since when (epoch ms). */
  readonly claim?: { readonly period: string; readonly by: string; readonly at: number };
  /** A period whose post failed without certainty: the next attempt says it may repeat one. */
  readonly uncertain?: string;
  /** Link gaps still to announce, oldest first (link-gaps only). */
  readonly pending?: readonly LinkGap[];
}

/** A job's progress as stored, with the version a conditional write must name. */
export interface StoredProgress {
  readonly progress: JobProgress;
  readonly version: string;
}

/**
 * Every method does I/O and may throw a `TransientError` (storage unreachable) or a `PermanentError`.
 * One contract suite (tests/contract) runs against every implementation.
 */
export interface ComplianceStore {
  /** The compliance channel; `undefined` until an admin sets one. */
  getChannel(): Promise<ComplianceChannel | undefined>;
  /** Makes `channel` the compliance channel; returns the one it replaces (undefined: none). */
  setChannel(channel: ComplianceChannel): Promise<ComplianceChannel | undefined>;
  /** A job's progress and version; `undefined` when the job never stored any. */
  getProgress(job: ComplianceJob): Promise<StoredProgress | undefined>;
  /**
   * Stores `progress` only if the job's stored version is still `expected` (`undefined`: only if the job
   * has none yet), atomically. Returns the new version, or `undefined` when another writer changed it
   * first (nothing is written): read again and decide again, never check-then-set.
   */
  saveProgress(job: ComplianceJob, progress: JobProgress, expected: string | undefined): Promise<string | undefined>;
}
