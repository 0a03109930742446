import type { ComplianceChannel } from "../../ports/compliance-store";
import type { BridgeDeps, ComplianceDeps } from "../context";
import { postOnce } from "./post-once";

/** Posts the gaps noted by recovery/gap-notes.ts, oldest first, each once, as new threads of the compliance channel. Returns how many. */
export async function postLinkGaps(ctx: BridgeDeps, deps: ComplianceDeps, channel: ComplianceChannel, mayWork: () => boolean): Promise<number> {
  const pending = (await deps.store.getProgress("link-gaps"))?.progress.pending ?? [];
  let posted = 0;
  for (const gap of pending) {
    if (!mayWork()) break;
    const outcome = await postOnce(
      deps,
      {
        job: "link-gaps",
        period: gap.key,
        isDone: (p) => !(p.pending ?? []).some((g) => g.key === gap.key),
        markDone: (p) => ({ ...p, pending: (p.pending ?? []).filter((g) => g.key !== gap.key) }),
      },
      ctx.clock.now(),
      async () => gap,
      (value, mayRepeat) => deps.gateway.startThread(channel.channel, { kind: "link-gap", gap: value }, { mayRepeat }),
    );
    if (outcome === "busy") break;
    if (outcome === "posted") posted++;
  }
  return posted;
}
