import { BridgeError, describeError } from "../../errors";
import { BusinessNumberId, groupRequestKeyOf, type GroupRequestId, type TeamsGroupId } from "../../ids";
import { withRetry } from "../../retry";
import { BACKGROUND_RETRY } from "../../retry-policy";
import type { ChannelAddress, ChannelLink } from "../../model";
import type { ChannelFacts } from "../../ports/staff-directory";
import type { StaffMessage, StaffReply } from "../../staff-message";
import type { NumberName, ReplyRules, StaffNotice } from "../../notices";
import type { BusinessNumberInfo } from "../../ports/whatsapp-gateway";
import type { BridgeContext, BridgeDeps } from "../context";
import type { BridgeSettings } from "../../settings";
import { DEFAULT_SEND_PREFIX } from "../../rules/reply-routing";
import { ensureThread } from "../from-whatsapp/thread-start";
import { backlogReport } from "../recovery/backlog-report";
import { groupRequestedLine } from "../thread-view/record-lines";
import { groupThreadSubject } from "../from-whatsapp/thread-subjects";
import { say } from "./staff-replies";
import { isAdmin, refusal } from "./admins";
import { auditCommand, complianceCommand } from "./compliance-commands";

/** How replies in customer threads are treated, for `help` and `status`. */
function replyRules(settings: BridgeSettings): ReplyRules {
  return { replyMode: settings.replyMode, notePrefix: settings.notePrefix, sendPrefix: settings.sendPrefix ?? DEFAULT_SEND_PREFIX };
}

/**
 * Handles a command addressed to the bot outside customer threads: link, unlink, status, group create,
 * compliance here, audit, help. Resolves to the answer in the thread (`audit` may post there itself).
 */
export async function onCommand(
  ctx: BridgeContext,
  message: StaffMessage,
  replayUnrouted: (link: ChannelLink) => Promise<number>,
): Promise<StaffReply | undefined> {
  const [word = "", ...args] = message.text.trim().split(/\s+/);
  switch (word.toLowerCase()) {
    case "link":
      return link(ctx, message, args.join(" "), replayUnrouted);
    case "unlink":
      return unlink(ctx, message);
    case "status":
      return status(ctx, message);
    case "group":
      return group(ctx, message, args);
    case "compliance":
      return complianceCommand(ctx, message, args);
    case "audit":
      return auditCommand(ctx, message, args);
    case "help":
    case "":
      return say({ kind: "help", rules: replyRules(ctx.settings) });
    default:
      return say({ kind: "unknown-command", word, rules: replyRules(ctx.settings) });
  }
}

const digitsOf = (s: string) => s.replace(/\D/g, "");

/** Finds the business number meant by `query`: a phone_number_id or a display number (any formatting). */
function resolveNumber(query: string, known: readonly BusinessNumberInfo[]): NumberName | undefined {
  const digits = digitsOf(query);
  if (!digits) return undefined;
  const match = known.find((n) => n.id === digits || digitsOf(n.displayNumber) === digits);
  if (match) return { id: match.id, display: match.displayNumber };
  // Without the account's list (no WABA id configured) a plain id is taken as given.
  return /^\d+$/.test(query.trim()) && known.length === 0 ? { id: BusinessNumberId(digits) } : undefined;
}

async function link(ctx: BridgeDeps, message: StaffMessage, query: string, replayUnrouted: (link: ChannelLink) => Promise<number>): Promise<StaffReply> {
  if (!isAdmin(ctx, message)) return refusal(ctx, message, "link");
  if (!query.trim()) return say({ kind: "link-which-number" });
  const channel: ChannelAddress = {
    channelId: message.channelId,
    tenantId: message.tenantId,
    serviceUrl: message.serviceUrl,
    ...(message.teamId ? { teamId: message.teamId } : {}),
    ...(message.channelName ? { channelName: message.channelName } : {}),
  };
  // The channel first: whatever the number, customers' conversations never go to a private or shared one.
  const facts = await standardChannel(ctx, message, channel);
  if ("kind" in facts) return facts;
  let known: BusinessNumberInfo[] = [];
  try {
    known = await ctx.whatsapp.listBusinessNumbers();
  } catch (err) {
    ctx.logger.warn("whatsapp.numbers.list_failed", { error: describeError(err) });
  }
  const number = resolveNumber(query, known);
  if (!number) return say({ kind: "number-not-found", query });
  const existing = await ctx.stores.links.get(number.id);
  if (existing && existing.channel.channelId !== message.channelId) {
    return say({ kind: "number-linked-elsewhere", number, ...(existing.channel.channelName ? { channelName: existing.channel.channelName } : {}) });
  }
  const teamGroupId = facts.teamGroupId ?? message.teamGroupId;
  const created: ChannelLink = {
    business: number.id,
    channel,
    linkedBy: message.author.aadObjectId!,
    linkedAt: ctx.clock.now(),
    ...(number.display ? { displayNumber: number.display } : {}),
    ...(teamGroupId ? { teamGroupId } : {}),
  };
  await ctx.stores.links.put(created);
  ctx.logger.info("teams.channel.linked", {
    business: number.id,
    tenantId: message.tenantId,
    user: message.author.aadObjectId,
    teamGroupId: teamGroupId ?? "unknown",
  });
  const waiting = await replayUnrouted(created);
  return say({ kind: "number-linked", number, waiting });
}

/**
 * Only a standard channel can be linked: private and shared channels have members outside the team (or
 * only part of it) and keep their messages and files apart from the team's (docs/protocols.md B19). The
 * activity may say the channel's type; Teams is asked in any case (the team's channels and its group,
 * whose SharePoint site keeps the channel's files). A refusal or an unanswered question is the answer.
 */
async function standardChannel(ctx: BridgeDeps, message: StaffMessage, channel: ChannelAddress): Promise<{ teamGroupId?: TeamsGroupId } | StaffReply> {
  if (message.channelType && message.channelType !== "standard") return say({ kind: "link-channel-refused", channel: message.channelType });
  let facts: ChannelFacts;
  try {
    facts = await ctx.staff.describeChannel(channel);
  } catch (err) {
    ctx.logger.warn("teams.channel.describe_failed", { tenantId: message.tenantId, error: describeError(err) });
    return say({ kind: "link-channel-unchecked" });
  }
  if (facts.kind !== "standard") {
    ctx.logger.warn("teams.channel.link_refused", { tenantId: message.tenantId, channelKind: facts.kind, user: message.author.aadObjectId ?? "unknown" });
    return say({ kind: "link-channel-refused", channel: facts.kind });
  }
  return facts.teamGroupId ? { teamGroupId: facts.teamGroupId } : {};
}

/** `group create <subject>`: asks WhatsApp for a group; its thread starts now and gets the invite link when WhatsApp confirms. */
async function group(ctx: BridgeDeps, message: StaffMessage, args: readonly string[]): Promise<StaffReply> {
  const [sub = "", ...words] = args;
  if (sub.toLowerCase() !== "create") return say({ kind: "group-usage" });
  if (!isAdmin(ctx, message)) return refusal(ctx, message, "create-group");
  const subject = words.join(" ").trim();
  if (!subject) return say({ kind: "group-subject-missing" });
  const [link] = await ctx.stores.links.listByChannel(message.channelId);
  if (!link) return say({ kind: "group-needs-link" });
  let requestId: GroupRequestId;
  try {
    ({ requestId } = await ctx.whatsapp.createGroup({ business: link.business, subject }));
  } catch (err) {
    ctx.logger.warn("whatsapp.group.create_failed", { business: link.business, error: describeError(err) });
    return say({ kind: "group-not-created", ...(err instanceof BridgeError ? { why: err.userMessage } : {}) });
  }
  ctx.logger.info("whatsapp.group.create_requested", { business: link.business, user: message.author.aadObjectId ?? "unknown" });
  const by = message.author.name || undefined;
  const key = groupRequestKeyOf(link.business, requestId);
  const ensured = await ensureThread(
    ctx,
    link,
    groupThreadSubject(ctx, link, key, { requestId, subject, participantCount: 0 }, groupRequestedLine(subject, by)),
  );
  if (ensured) {
    const notice: StaffNotice = { kind: "group-creating", subject, ...(by ? { by } : {}) };
    await withRetry(() => ctx.teams.postInThread(link.channel, ensured.conversation.thread!, { kind: "notice", notice }), BACKGROUND_RETRY, ctx);
  }
  return say({ kind: "group-requested", subject, number: numberOf(link) });
}

async function unlink(ctx: BridgeDeps, message: StaffMessage): Promise<StaffReply> {
  if (!isAdmin(ctx, message)) return refusal(ctx, message, "unlink");
  const links = await ctx.stores.links.listByChannel(message.channelId);
  if (links.length === 0) return say({ kind: "nothing-linked" });
  for (const l of links) await ctx.stores.links.remove(l.business);
  ctx.logger.info("teams.channel.unlinked", { count: links.length, tenantId: message.tenantId, user: message.author.aadObjectId });
  return say({ kind: "numbers-unlinked", numbers: links.map(numberOf) });
}

async function status(ctx: BridgeDeps, message: StaffMessage): Promise<StaffReply> {
  const links = await ctx.stores.links.listByChannel(message.channelId);
  const report = await backlogReport(ctx);
  const here = new Set(links.map((l) => l.business));
  // Other channels' problems are said here too: this may be the only channel the bot can still reach.
  const elsewhere = report.filter((b) => !here.has(b.business) && (b.suspendedSince !== undefined || b.failed > 0 || b.waiting > 0));
  return say({
    kind: "status",
    rules: replyRules(ctx.settings),
    links: links.map((l) => {
      const backlog = report.find((b) => b.business === l.business);
      return { number: numberOf(l), linkedAt: l.linkedAt, ...(backlog ? { backlog } : {}) };
    }),
    elsewhere,
    now: ctx.clock.now(),
  });
}

const numberOf = (link: ChannelLink): NumberName => ({ id: link.business, ...(link.displayNumber ? { display: link.displayNumber } : {}) });
