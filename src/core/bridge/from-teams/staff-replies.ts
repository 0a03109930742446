import { describeError } from "../../errors";
import type { ChannelLink, GroupInfo } from "../../model";
import type { GroupUnreachable } from "../../notices";
import type { StaffMessage, StaffReply } from "../../staff-message";
import type { BridgeContext } from "../context";

export { say } from "../../staff-message";

/** How long a Teams turn waits for a paced send before answering and reporting the outcome later. */
export const INLINE_WAIT_MS = 4_000;

/**
 * Answers in the turn if the outcome is ready within `INLINE_WAIT_MS` (Teams times out turns after
 * 10–15 s, docs/protocols.md B7); otherwise the turn ends and a failure notice is posted in the thread later.
 */
export async function answerWithin(
  ctx: BridgeContext,
  outcome: Promise<StaffReply | undefined>,
  link: ChannelLink,
  message: StaffMessage,
): Promise<StaffReply | undefined> {
  const late = Symbol("late");
  const first = await Promise.race([outcome, ctx.clock.sleep(INLINE_WAIT_MS).then(() => late)]);
  if (first !== late) return first as StaffReply | undefined;
  ctx.background(
    outcome
      .then(async (reply) => {
        if (reply?.kind === "notice") await ctx.teams.postInThread(link.channel, message.thread, reply);
      })
      .catch((err: unknown) => ctx.logger.error("teams.reply.late_notice_failed", { error: describeError(err) })),
  );
  return undefined;
}

/** Why nothing can be sent to a group now, or undefined when it can receive messages. */
export function groupCannotReceive(group: GroupInfo): GroupUnreachable | undefined {
  if (group.deleted) return "deleted";
  if (group.suspended) return "suspended";
  if (!group.id) return "not-created";
  return undefined;
}
