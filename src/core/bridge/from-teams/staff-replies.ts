import { describeError } from "../../errors";
import type { ChannelLink, GroupInfo } from "../../model";
import type { StaffMessage, StaffReply } from "../../staff-message";
import { templateId } from "../../templates";
import type { BridgeContext } from "../context";

/** How long a Teams turn waits for a paced send before answering and reporting the outcome later. */
export const INLINE_WAIT_MS = 4_000;

/**
 * Answers in the turn if the outcome is ready within `INLINE_WAIT_MS` (Teams times out turns after
 * 10–15 s, protocols.md B7); otherwise the turn ends and a failure notice is posted in the thread later.
 */
export async function answerWithin(ctx: BridgeContext, outcome: Promise<StaffReply | undefined>, link: ChannelLink, message: StaffMessage): Promise<StaffReply | undefined> {
  const late = Symbol("late");
  const first = await Promise.race([outcome, ctx.clock.sleep(INLINE_WAIT_MS).then(() => late)]);
  if (first !== late) return first as StaffReply | undefined;
  ctx.background(
    outcome.then(async (reply) => {
      if (reply && (reply.kind === "notice" || reply.kind === "text")) {
        const post = reply.kind === "notice" ? { kind: "notice" as const, tone: reply.tone, text: reply.text } : { kind: "notice" as const, tone: "info" as const, text: reply.text };
        await ctx.teams.postInThread(link.channel, message.thread, post);
      }
    }).catch((err: unknown) => ctx.logger.error("teams.reply.late_notice_failed", { error: describeError(err) })),
  );
  return undefined;
}

/** Why a free-form reply was not sent, for the template card. */
export function windowClosedReason(closedAt: number | undefined, group = false): string {
  const when = closedAt === undefined ? "" : ` (it closed ${new Date(closedAt).toISOString().slice(0, 16).replace("T", " ")} UTC)`;
  const who = group ? "no one in the group has written in the last 24 hours" : "the customer last wrote more than 24 hours ago";
  return `Your message was not sent: ${who}${when}, and WhatsApp then only allows an approved template. Pick one below.`;
}

/** Why nothing can be sent to a group now, or undefined when it can receive messages. */
export function groupCannotReceive(group: GroupInfo): string | undefined {
  if (group.deleted) return "this WhatsApp group was deleted.";
  if (group.suspended) return "WhatsApp has suspended this group; nothing can be sent to it until WhatsApp lifts the suspension.";
  if (!group.id) return "WhatsApp has not created this group yet. Wait for the line with its invite link in this thread.";
  return undefined;
}

/**
 * The first step of the template card, or a notice if no template can be offered. In a group (`group`),
 * authentication templates are left out: WhatsApp does not deliver them to groups.
 */
export async function templatePicker(ctx: BridgeContext, reason?: string, group = false): Promise<StaffReply> {
  try {
    const templates = (await ctx.templates.list()).filter((t) => !group || t.category !== "AUTHENTICATION");
    if (templates.length === 0) {
      return { kind: "notice", tone: "warning", text: `${reason ? `${reason.replace(/ Pick one below\.$/, "")} ` : ""}No approved WhatsApp template is available: create one in WhatsApp Manager (and set WHATSAPP_BUSINESS_ACCOUNT_ID).` };
    }
    return {
      kind: "template-card",
      card: { step: "pick", ...(reason ? { reason } : {}), templates: templates.map((t) => ({ id: templateId(t), label: `${t.name} (${t.language}, ${t.category.toLowerCase()})` })) },
    };
  } catch (err) {
    ctx.logger.warn("whatsapp.templates.list_failed", { error: describeError(err) });
    return { kind: "notice", tone: "error", text: `${reason ? `${reason.replace(/ Pick one below\.$/, "")} ` : ""}The list of WhatsApp templates could not be loaded; try again in a minute.` };
  }
}
