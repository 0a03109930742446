import { TransientError } from "../../errors";
import type { ComplianceJob, ComplianceStore, JobProgress } from "../../ports/compliance-store";

/*
 * The progress of the compliance channel's scheduled posts (and the link gaps waiting for it), changed
 * only over the version read: recovery notes gaps with it, compliance/post-once.ts claims periods.
 */

/** Conflicting writes in a row before `updateProgress` gives up. */
const WRITE_ATTEMPTS = 8;

/**
 * Reads a job's progress, applies `change` and writes it back only if nobody changed it meanwhile,
 * reading again on a conflict. `change` returning `undefined` stops without writing (the result is then
 * `undefined`). Throws `TransientError("compliance.contended")` after repeated conflicts, and what the
 * store throws.
 */
export async function updateProgress(
  store: ComplianceStore,
  job: ComplianceJob,
  change: (progress: JobProgress) => JobProgress | undefined,
): Promise<JobProgress | undefined> {
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const stored = await store.getProgress(job);
    const next = change(stored?.progress ?? {});
    if (next === undefined) return undefined;
    if ((await store.saveProgress(job, next, stored?.version)) !== undefined) return next;
  }
  throw new TransientError("compliance.contended", `compliance: the progress of ${job} kept changing while it was written`);
}
