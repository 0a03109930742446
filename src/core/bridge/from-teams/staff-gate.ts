import { describeError } from "../../errors";
import type { ChannelLink } from "../../model";
import type { StaffAction } from "../../notices";
import { judgeMember, listedByName, type StaffRefusal, type StaffVerdict } from "../../rules/staff-authority";
import type { StaffAuthor, StaffCardAction, StaffReply } from "../../staff-message";
import type { BridgeDeps } from "../context";
import { say } from "./staff-replies";

/**
 * The staff gate: the one decision on whether a staff action may reach a customer (docs/admin-guide.md
 * "Who can send to customers"). Every relay of a staff action passes here first, where it turns into a
 * send: a reply (on-staff-message.ts, before the outbox), a template send (bridge-service.ts, before
 * on-card-action.ts) and a reaction (staff-events.ts, before the send). Edits and deletions are never
 * relayed (WhatsApp keeps what it delivered), so they have nothing to pass. Notes and everything else
 * that stays in Teams never ask. It fails closed: when the roster or the group cannot be read, no.
 */

/** The verdict for `author` acting in `link`'s channel. Never throws. */
export async function staffVerdict(ctx: BridgeDeps, link: ChannelLink, author: StaffAuthor): Promise<StaffVerdict> {
  const person = author.aadObjectId;
  if (!person) return { allowed: false, why: "no-identity" };
  let verdict: StaffVerdict;
  try {
    verdict = judgeMember(await ctx.staff.member(link.channel, author), person, link.channel.tenantId);
  } catch (err) {
    ctx.logger.warn("teams.staff.roster_unavailable", { error: describeError(err) });
    return { allowed: false, why: "unchecked" };
  }
  const list = ctx.settings.staff;
  if (!verdict.allowed || !list || listedByName(list, person)) return verdict;
  if (!list.group) return { allowed: false, why: "not-listed" };
  try {
    return (await ctx.staff.inGroup(list.group, person)) ? verdict : { allowed: false, why: "not-listed" };
  } catch (err) {
    ctx.logger.warn("teams.staff.group_unavailable", { error: describeError(err) });
    return { allowed: false, why: "unchecked" };
  }
}

/** A refusal of the gate: why, and the notice for the thread. */
export interface StaffRefused {
  readonly why: StaffRefusal;
  readonly reply: StaffReply;
}

/**
 * Undefined when `author` may do `action` in `link`'s channel; otherwise why and the notice for the
 * thread (nothing is sent, nothing is kept to send), after a security log line.
 */
export async function admitStaff(ctx: BridgeDeps, link: ChannelLink, author: StaffAuthor, action: StaffAction): Promise<StaffRefused | undefined> {
  const verdict = await staffVerdict(ctx, link, author);
  if (verdict.allowed) return undefined;
  ctx.logger.warn("teams.staff.refused", {
    action,
    why: verdict.why,
    business: link.business,
    tenantId: link.channel.tenantId,
    user: author.aadObjectId ?? "unknown",
  });
  return { why: verdict.why, reply: say({ kind: "staff-not-allowed", why: verdict.why, action }) };
}

/**
 * The gate for card buttons, before on-card-action.ts runs: a template send in a customer thread of a
 * linked channel must be admitted. Other steps of the card (pick, fill, preview, cancel) send nothing
 * and pass; so does a press outside a customer thread, which on-card-action.ts answers itself.
 */
export async function admitCardAction(ctx: BridgeDeps, action: StaffCardAction): Promise<StaffReply | undefined> {
  if (action.data.bridgeAction !== "template.send") return undefined;
  const conversation = await ctx.stores.conversations.findByThread(action.thread);
  const link = conversation && (await ctx.stores.links.get(conversation.business));
  if (!link || link.channel.channelId !== action.channelId) return undefined;
  return (await admitStaff(ctx, link, action.author, "template"))?.reply;
}
