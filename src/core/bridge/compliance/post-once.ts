import { BridgeError } from "../../errors";
import type { ComplianceJob, JobProgress } from "../../ports/compliance-store";
import type { ComplianceDeps } from "../context";
import { updateProgress } from "../scheduling/job-progress";

/**
 * Each scheduled compliance post goes out once, across restarts and instances: a conditional write
 * claims its period before posting, and marks it done after. Only the leader posts, but two processes
 * may both believe they lead for a moment (a lease taken over): the claim decides between them. A
 * process that stops between claim and done leaves the claim behind; once it is older than
 * `CLAIM_TTL_MS` the period is posted again and the post says it may repeat one (as a customer post
 * does after a crash: a duplicate never exists without its flag).
 */

/** A claim this old was cut short (its process stopped or lost the lease mid-post). */
export const CLAIM_TTL_MS = 10 * 60_000;

/** One period of one job, and how its progress says it is done. */
export interface PeriodSpec {
  readonly job: ComplianceJob;
  readonly period: string;
  readonly isDone: (progress: JobProgress) => boolean;
  readonly markDone: (progress: JobProgress) => JobProgress;
}

/** A job whose progress is a cursor: the last period posted (periods sort in time order). */
export function cursorPeriod(job: ComplianceJob, period: string): PeriodSpec {
  return {
    job,
    period,
    isDone: (p) => p.done !== undefined && p.done >= period,
    markDone: (p) => ({ ...p, done: p.done !== undefined && p.done > period ? p.done : period }),
  };
}

/** `posted`: by this call; `done-before`: already posted; `busy`: another process is posting it now. */
export type OnceOutcome = "posted" | "done-before" | "busy";

/** `progress` without the claim and the uncertainty about `period`. */
function settled(progress: JobProgress, period: string): JobProgress {
  const { claim, uncertain, ...rest } = progress;
  return {
    ...rest,
    ...(claim && claim.period !== period ? { claim } : {}),
    ...(uncertain !== undefined && uncertain !== period ? { uncertain } : {}),
  };
}

/**
 * Claims `spec.period`, computes the post (`prepare`: a failure there posted nothing, so the claim is
 * released) and posts it (`post`, told whether it may repeat an earlier post). A post that certainly
 * did not happen (`notApplied`) releases the claim; one that may have happened leaves the period
 * `uncertain`, so the next attempt says it may repeat. Throws what `prepare` and `post` throw.
 * A fresh claim of another period of the same job counts as busy: one post of a job at a time.
 */
export async function postOnce<T>(
  deps: ComplianceDeps,
  spec: PeriodSpec,
  now: number,
  prepare: () => Promise<T>,
  post: (value: T, mayRepeat: boolean) => Promise<unknown>,
): Promise<OnceOutcome> {
  let outcome: OnceOutcome = "busy";
  let mayRepeat = false;
  const claimed = await updateProgress(deps.store, spec.job, (p) => {
    if (spec.isDone(p)) {
      outcome = "done-before";
      return undefined;
    }
    if (p.claim && now - p.claim.at < CLAIM_TTL_MS) {
      outcome = "busy";
      return undefined;
    }
    mayRepeat = p.claim?.period === spec.period || p.uncertain === spec.period;
    return { ...settled(p, spec.period), claim: { period: spec.period, by: deps.instance, at: now } };
  });
  if (!claimed) return outcome;
  let value: T;
  try {
    value = await prepare();
  } catch (err) {
    await release(deps, spec, false);
    throw err;
  }
  try {
    await post(value, mayRepeat);
  } catch (err) {
    await release(deps, spec, !(err instanceof BridgeError && err.notApplied));
    throw err;
  }
  await updateProgress(deps.store, spec.job, (p) => spec.markDone(settled(p, spec.period)));
  return "posted";
}

/** Drops this process's claim; `uncertain`: the post may exist. Best effort: a claim left behind expires. */
async function release(deps: ComplianceDeps, spec: PeriodSpec, uncertain: boolean): Promise<void> {
  await updateProgress(deps.store, spec.job, (p) => {
    if (p.claim?.period !== spec.period || p.claim.by !== deps.instance) return undefined;
    return { ...settled(p, spec.period), ...(uncertain ? { uncertain: spec.period } : {}) };
  }).catch(() => undefined);
}
