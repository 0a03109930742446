import type { Activity, TurnContext } from "botbuilder";
import { describeError } from "../core/errors";
import { parseThreadRef, TeamsMessageId, TenantId } from "../core/ids";
import type { Logger } from "../core/ports/logger";
import type { StaffMessageChange, StaffMessageHandler, StaffReaction, StaffReply } from "../core/staff-message";
import { authorOf, isChannelActivity, isFromBot, tenantOf } from "./activity-mapper";
import { sendStaffReply } from "./staff-reply-activity";

/**
 * Staff reactions (`messageReaction`) and edits/deletions (`messageUpdate` with `editMessage`,
 * `messageDelete` with `softDeleteMessage`) in customer threads (docs/protocols.md B12), mapped for the core.
 */

/** Teams' classic reaction names. */
const REACTION_EMOJI: Readonly<Record<string, string>> = { like: "👍", heart: "❤️", laugh: "😆", surprised: "😮", sad: "😢", angry: "😡" };

/**
 * The emoji of a Teams reaction type: a classic name (`like`), an emoji id of code points and a name
 * (`1f44d_thumbsup`, `2764_heart`), or an emoji as such. Undefined for anything else.
 */
export function reactionEmoji(type: string | undefined): string | undefined {
  if (!type) return undefined;
  const known = REACTION_EMOJI[type.trim().toLowerCase()];
  if (known) return known;
  const id = /^([0-9a-f]{2,6}(?:[-_][0-9a-f]{2,6})*)_[a-z]/i.exec(type.trim());
  if (id) {
    const points = id[1]!.split(/[-_]/).map((hex) => parseInt(hex, 16));
    if (points.every((p) => p >= 0x20 && p <= 0x10ffff)) return String.fromCodePoint(...points);
  }
  // A bare emoji (no letters or digits of ASCII), at most a few code points.
  // eslint-disable-next-line no-control-regex -- a reaction type outside ASCII is an emoji
  return /^[^\x00-\x7f]{1,8}$/u.test(type.trim()) ? type.trim() : undefined;
}

const emojisOf = (list: Activity["reactionsAdded"]) => (list ?? []).map((r) => reactionEmoji(r?.type)).filter((e): e is string => e !== undefined);

/** A channel `messageReaction` activity as a StaffReaction; undefined when it is not in a channel thread. */
export function mapStaffReaction(activity: Partial<Activity>): StaffReaction | undefined {
  const parsed = parseThreadRef(activity.conversation?.id ?? "");
  const tenant = tenantOf(activity);
  // The message reacted to is `replyToId`; a reaction on the thread's root names the root.
  const target = activity.replyToId ?? parsed?.root;
  if (!parsed || !tenant || !target) return undefined;
  return {
    tenantId: TenantId(tenant),
    channelId: parsed.channel,
    thread: parsed.thread,
    target: TeamsMessageId(target),
    author: authorOf(activity),
    added: emojisOf(activity.reactionsAdded),
    removed: emojisOf(activity.reactionsRemoved),
  };
}

/** A channel `messageUpdate` (edit) or `messageDelete` (soft delete) activity; undefined for anything else. */
export function mapStaffMessageChange(activity: Partial<Activity>): StaffMessageChange | undefined {
  const eventType = (activity.channelData as { eventType?: unknown } | undefined)?.eventType;
  const change =
    activity.type === "messageUpdate" && eventType === "editMessage"
      ? "edited"
      : activity.type === "messageDelete" && eventType === "softDeleteMessage"
        ? "deleted"
        : undefined;
  const parsed = parseThreadRef(activity.conversation?.id ?? "");
  const tenant = tenantOf(activity);
  if (!change || !parsed || !tenant || !activity.id) return undefined;
  return { tenantId: TenantId(tenant), channelId: parsed.channel, thread: parsed.thread, messageId: TeamsMessageId(activity.id), change };
}

async function answer(ctx: TurnContext, logger: Logger, what: string, work: () => Promise<StaffReply | undefined> | undefined): Promise<void> {
  let reply: StaffReply | undefined;
  try {
    reply = await work();
  } catch (err) {
    logger.error("teams.handler.failed", { activityType: what, error: describeError(err) });
    return;
  }
  if (reply) await sendStaffReply(ctx, reply);
}

/** `messageReaction` in a channel thread → the core's `onStaffReaction`; its notice, if any, in the thread. */
export async function handleReactionActivity(ctx: TurnContext, handler: StaffMessageHandler, logger: Logger): Promise<void> {
  const activity = ctx.activity;
  if (isFromBot(activity) || !isChannelActivity(activity) || !handler.onStaffReaction) return;
  const reaction = mapStaffReaction(activity);
  if (!reaction) return;
  await answer(ctx, logger, "messageReaction", () => handler.onStaffReaction!(reaction));
}

/** `messageUpdate`/`messageDelete` in a channel thread → the core's `onStaffMessageChange`. */
export async function handleMessageChangeActivity(ctx: TurnContext, handler: StaffMessageHandler, logger: Logger): Promise<void> {
  const activity = ctx.activity;
  if (isFromBot(activity) || !isChannelActivity(activity) || !handler.onStaffMessageChange) return;
  const change = mapStaffMessageChange(activity);
  if (!change) return;
  await answer(ctx, logger, activity.type ?? "messageUpdate", () => handler.onStaffMessageChange!(change));
}
