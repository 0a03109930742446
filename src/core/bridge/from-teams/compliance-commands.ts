import { BridgeError, describeError } from "../../errors";
import type { ChannelAddress } from "../../model";
import type { ComplianceChannel } from "../../ports/compliance-store";
import type { StaffMessage, StaffReply } from "../../staff-message";
import type { BridgeContext } from "../context";
import { isAdmin, refusal } from "./admins";
import { INLINE_WAIT_MS, say } from "./staff-replies";
import { runAudit } from "../compliance/audit";
import { HOUR_MS } from "../compliance/periods";

/** `audit <days>` looks back at most this far (it reads the journal of every day in the period). */
export const AUDIT_MAX_DAYS = 31;
/** `audit` without a number: the last 24 hours. */
export const AUDIT_DEFAULT_HOURS = 24;

const addressOf = (message: StaffMessage): ChannelAddress => ({
  channelId: message.channelId,
  tenantId: message.tenantId,
  serviceUrl: message.serviceUrl,
  ...(message.teamId ? { teamId: message.teamId } : {}),
  ...(message.channelName ? { channelName: message.channelName } : {}),
});

/**
 * `compliance here` (admins): this channel receives the compliance posts from now on (the scheduled
 * ones, and link gaps). A channel set before stops receiving them; the answer names it. Commands only
 * reach the bot in channels of teams where the app is installed, which is what the posts need.
 */
export async function complianceCommand(ctx: BridgeContext, message: StaffMessage, args: readonly string[]): Promise<StaffReply> {
  if (args.length !== 1 || args[0]!.toLowerCase() !== "here") return say({ kind: "compliance-usage" });
  if (!isAdmin(ctx, message)) return refusal(ctx, message, "compliance");
  const deps = ctx.compliance;
  if (!deps) return say({ kind: "compliance-unavailable" });
  const channel: ComplianceChannel = {
    channel: addressOf(message),
    ...(message.teamGroupId ? { teamGroupId: message.teamGroupId } : {}),
    setBy: message.author.aadObjectId!,
    setAt: ctx.clock.now(),
  };
  const previous = await deps.store.setChannel(channel);
  ctx.logger.info("compliance.channel_set", {
    tenantId: message.tenantId,
    user: message.author.aadObjectId,
    moved: previous !== undefined && previous.channel.channelId !== message.channelId,
  });
  return say({
    kind: "compliance-channel-set",
    auditEveryHours: deps.auditEveryHours,
    ...(previous
      ? {
          previous: {
            same: previous.channel.channelId === message.channelId,
            ...(previous.channel.channelName ? { channelName: previous.channel.channelName } : {}),
          },
        }
      : {}),
  });
}

/** `audit` → 24 hours, `audit <days>` → that many days; undefined when the argument is not 1..AUDIT_MAX_DAYS. */
function periodHours(args: readonly string[]): number | undefined {
  if (args.length === 0) return AUDIT_DEFAULT_HOURS;
  if (args.length > 1 || !/^\d{1,3}$/.test(args[0]!)) return undefined;
  const days = Number(args[0]);
  return days >= 1 && days <= AUDIT_MAX_DAYS ? days * 24 : undefined;
}

/**
 * `audit [days]` (admins): the completeness check of the last 24 hours (or days) up to now, posted in
 * this thread as text and a card (compliance/audit.ts). When it takes longer than a turn may, the turn
 * answers that it is running and the check follows in the thread (or a failure notice does).
 */
export async function auditCommand(ctx: BridgeContext, message: StaffMessage, args: readonly string[]): Promise<StaffReply | undefined> {
  if (!isAdmin(ctx, message)) return refusal(ctx, message, "audit");
  const deps = ctx.compliance;
  if (!deps) return say({ kind: "compliance-unavailable" });
  const hours = periodHours(args);
  if (hours === undefined) return say({ kind: "audit-usage", maxDays: AUDIT_MAX_DAYS });
  const to = ctx.clock.now();
  const from = to - hours * HOUR_MS;
  const where = addressOf(message);
  // Resolves to nothing once the check is posted, or to the notice of its failure.
  const outcome = runAudit(ctx, deps, from, to)
    .then((audit) => deps.gateway.postInThread(where, message.thread, { kind: "audit", audit }))
    .then(
      () => undefined,
      (err: unknown): StaffReply => {
        ctx.logger.error("compliance.audit_failed", { error: describeError(err) });
        return say({ kind: "audit-failed", ...(err instanceof BridgeError && err.userMessage ? { why: err.userMessage } : {}) });
      },
    );
  const late = Symbol("late");
  const first = await Promise.race([outcome, ctx.clock.sleep(INLINE_WAIT_MS).then(() => late)]);
  if (first !== late) return first as StaffReply | undefined;
  ctx.background(
    outcome
      .then(async (notice) => {
        if (notice?.kind === "notice") await ctx.teams.postInThread(where, message.thread, notice);
      })
      .catch((err: unknown) => ctx.logger.error("compliance.audit_notice_failed", { error: describeError(err) })),
  );
  return say({ kind: "audit-running", hours });
}
