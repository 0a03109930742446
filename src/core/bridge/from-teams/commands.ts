import { BridgeError, describeError } from "../../errors";
import { BusinessNumberId, groupRequestKeyOf, type GroupRequestId } from "../../ids";
import { BACKGROUND_RETRY, withRetry } from "../../retry";
import type { ChannelLink } from "../../model";
import type { StaffMessage, StaffReply } from "../../staff-message";
import type { BusinessNumberInfo } from "../../ports/whatsapp-gateway";
import type { BridgeDeps } from "../context";
import type { BridgeSettings } from "../../settings";
import { DEFAULT_SEND_PREFIX } from "../../rules/reply-routing";
import { ensureThread } from "../from-whatsapp/thread-start";
import { backlogLine, backlogReport } from "../recovery/backlog-report";
import { groupThreadSubject } from "../from-whatsapp/thread-subjects";

/** What `help` says: the commands, and how a reply in a customer thread is treated. */
export function helpText(settings: BridgeSettings): string {
  const send = settings.sendPrefix ?? DEFAULT_SEND_PREFIX;
  const replies = settings.replyMode === "all"
    ? "• a plain reply is sent to the customer (or the group) on WhatsApp"
    : "• a reply that @mentions me is sent to the customer (or the group) on WhatsApp";
  return [
    "I bring WhatsApp conversations into this channel: each customer (and each WhatsApp group) gets a thread, and replies in that thread go back on WhatsApp.",
    "Replying in a customer thread:",
    replies,
    `• a reply starting with ${settings.notePrefix} is a note for colleagues: never sent`,
    "• a reply that @mentions a colleague (or a tag, a channel, the team) stays in Teams, and so does one that links into our SharePoint, OneDrive or Teams",
    `• start a reply with ${send} to send it anyway (the ${send} is removed)`,
    "• @mention me with `template` to send an approved template",
    "Commands (mention me first):",
    "• link <phone number id or number>: this channel receives that WhatsApp number's conversations (admins only)",
    "• unlink: stop receiving WhatsApp conversations here (admins only)",
    "• status: what is linked here",
    "• group create <subject>: a new WhatsApp group on this channel's number, with its invite link in a new thread (admins only)",
    "• help: this message",
  ].join("\n");
}

/** Handles a command addressed to the bot outside customer threads: link, unlink, status, help. */
export async function onCommand(ctx: BridgeDeps, message: StaffMessage, replayUnrouted: (link: ChannelLink) => Promise<number>): Promise<StaffReply> {
  const [word = "", ...args] = message.text.trim().split(/\s+/);
  switch (word.toLowerCase()) {
    case "link": return link(ctx, message, args.join(" "), replayUnrouted);
    case "unlink": return unlink(ctx, message);
    case "status": return status(ctx, message);
    case "group": return group(ctx, message, args);
    case "help":
    case "": return { kind: "text", text: helpText(ctx.settings) };
    default: return { kind: "text", text: `I didn't understand “${word.slice(0, 40)}”.\n\n${helpText(ctx.settings)}` };
  }
}

function isAdmin(ctx: BridgeDeps, message: StaffMessage): boolean {
  return message.author.aadObjectId !== undefined && ctx.settings.admins.has(message.author.aadObjectId);
}

function refusal(ctx: BridgeDeps, message: StaffMessage, action: string): StaffReply {
  ctx.logger.warn("teams.command.refused", { action, tenantId: message.tenantId, user: message.author.aadObjectId ?? "unknown" });
  return { kind: "notice", tone: "warning", text: `Sorry, only bridge admins can ${action}. Ask an admin of the WhatsApp bridge to do it for you.` };
}

const digitsOf = (s: string) => s.replace(/\D/g, "");

/** Finds the business number meant by `query`: a phone_number_id or a display number (any formatting). */
function resolveNumber(query: string, known: readonly BusinessNumberInfo[]): { id: BusinessNumberId; display?: string } | undefined {
  const digits = digitsOf(query);
  if (!digits) return undefined;
  const match = known.find((n) => n.id === digits || digitsOf(n.displayNumber) === digits);
  if (match) return { id: match.id, display: match.displayNumber };
  // Without the account's list (no WABA id configured) a plain id is taken as given.
  return /^\d+$/.test(query.trim()) && known.length === 0 ? { id: BusinessNumberId(digits) } : undefined;
}

async function link(ctx: BridgeDeps, message: StaffMessage, query: string, replayUnrouted: (link: ChannelLink) => Promise<number>): Promise<StaffReply> {
  if (!isAdmin(ctx, message)) return refusal(ctx, message, "link a WhatsApp number");
  if (!query.trim()) return { kind: "text", text: "Which number? Write `link <phone number id>`, e.g. `link 106540352242922`, or the number as customers dial it." };
  let known: BusinessNumberInfo[] = [];
  try {
    known = await ctx.whatsapp.listBusinessNumbers();
  } catch (err) {
    ctx.logger.warn("whatsapp.numbers.list_failed", { error: describeError(err) });
  }
  const number = resolveNumber(query, known);
  if (!number) return { kind: "notice", tone: "warning", text: `I can't find the number “${query.slice(0, 40)}” in the WhatsApp Business Account. Use its phone number id from Meta's WhatsApp Manager.` };
  const existing = await ctx.stores.links.get(number.id);
  if (existing && existing.channel.channelId !== message.channelId) {
    const where = existing.channel.channelName ? `the channel “${existing.channel.channelName}”` : "another channel";
    return { kind: "notice", tone: "warning", text: `WhatsApp number ${number.display ?? number.id} is already linked to ${where}. Unlink it there first.` };
  }
  const created: ChannelLink = {
    business: number.id,
    channel: {
      channelId: message.channelId,
      tenantId: message.tenantId,
      serviceUrl: message.serviceUrl,
      ...(message.teamId ? { teamId: message.teamId } : {}),
      ...(message.channelName ? { channelName: message.channelName } : {}),
    },
    linkedBy: message.author.aadObjectId!,
    linkedAt: ctx.clock.now(),
    ...(number.display ? { displayNumber: number.display } : {}),
    ...(message.teamGroupId ? { teamGroupId: message.teamGroupId } : {}),
  };
  await ctx.stores.links.put(created);
  ctx.logger.info("teams.channel.linked", { business: number.id, tenantId: message.tenantId, user: message.author.aadObjectId });
  const waiting = await replayUnrouted(created);
  const backlog = waiting > 0 ? ` ${waiting} message${waiting === 1 ? "" : "s"} received before the link will appear now.` : "";
  return { kind: "text", text: `✅ WhatsApp number ${number.display ?? number.id} is linked to this channel. Each customer who writes to it gets a thread here; reply in the thread to answer on WhatsApp.${backlog}` };
}

/** `group create <subject>`: asks WhatsApp for a group; its thread starts now and gets the invite link when WhatsApp confirms. */
async function group(ctx: BridgeDeps, message: StaffMessage, args: readonly string[]): Promise<StaffReply> {
  const [sub = "", ...words] = args;
  if (sub.toLowerCase() !== "create") return { kind: "text", text: "Write `group create <subject>` to create a WhatsApp group on this channel's number; its invite link appears in a new thread." };
  if (!isAdmin(ctx, message)) return refusal(ctx, message, "create a WhatsApp group");
  const subject = words.join(" ").trim();
  if (!subject) return { kind: "text", text: "What should the group be called? Write `group create <subject>`, e.g. `group create Smith family account`." };
  const [link] = await ctx.stores.links.listByChannel(message.channelId);
  if (!link) return { kind: "notice", tone: "warning", text: "No WhatsApp number is linked to this channel: link one first (`link <phone number id>`), then create the group." };
  let requestId: GroupRequestId;
  try {
    ({ requestId } = await ctx.whatsapp.createGroup({ business: link.business, subject }));
  } catch (err) {
    ctx.logger.warn("whatsapp.group.create_failed", { business: link.business, error: describeError(err) });
    return { kind: "notice", tone: "error", text: `The group was not created: ${err instanceof BridgeError ? err.userMessage : "an unexpected error occurred."}` };
  }
  ctx.logger.info("whatsapp.group.create_requested", { business: link.business, user: message.author.aadObjectId ?? "unknown" });
  const by = message.author.name || "a bridge admin";
  const first = `Group “${subject}” asked for by ${by} from Teams.`;
  const key = groupRequestKeyOf(link.business, requestId);
  const ensured = await ensureThread(ctx, link, groupThreadSubject(ctx, link, key, { requestId, subject, participantCount: 0 }, first));
  if (ensured) {
    const text = `${first} WhatsApp is creating it; its invite link will appear in this thread. Replies here go to the whole group once it exists.`;
    await withRetry(() => ctx.teams.postInThread(link.channel, ensured.conversation.thread!, { kind: "notice", tone: "info", text }), BACKGROUND_RETRY, ctx.clock);
  }
  return { kind: "text", text: `Asked WhatsApp to create the group “${subject}” on ${link.displayNumber ?? link.business}. Its thread is in this channel; the invite link appears there once WhatsApp confirms.` };
}

async function unlink(ctx: BridgeDeps, message: StaffMessage): Promise<StaffReply> {
  if (!isAdmin(ctx, message)) return refusal(ctx, message, "unlink a WhatsApp number");
  const links = await ctx.stores.links.listByChannel(message.channelId);
  if (links.length === 0) return { kind: "text", text: "No WhatsApp number is linked to this channel." };
  for (const l of links) await ctx.stores.links.remove(l.business);
  ctx.logger.info("teams.channel.unlinked", { count: links.length, tenantId: message.tenantId, user: message.author.aadObjectId });
  const names = links.map((l) => l.displayNumber ?? l.business).join(", ");
  return { kind: "text", text: `WhatsApp number ${names} is no longer linked to this channel. New customer messages are kept and will appear once it is linked again; existing threads stay as they are.` };
}

async function status(ctx: BridgeDeps, message: StaffMessage): Promise<StaffReply> {
  const links = await ctx.stores.links.listByChannel(message.channelId);
  const send = ctx.settings.sendPrefix ?? DEFAULT_SEND_PREFIX;
  const mode = ctx.settings.replyMode === "all"
    ? `every reply in a customer thread is sent to WhatsApp, except notes starting with ${ctx.settings.notePrefix} and replies that @mention a colleague or link into the tenant (start with ${send} to send those anyway)`
    : `only replies that mention me are sent to WhatsApp; notes starting with ${ctx.settings.notePrefix} never are`;
  const now = ctx.clock.now();
  const report = await backlogReport(ctx);
  const here = new Set(links.map((l) => l.business));
  // Other channels' problems are said here too: this may be the only channel the bot can still reach.
  const elsewhere = report.filter((b) => !here.has(b.business) && (b.suspendedSince !== undefined || b.failed > 0 || b.waiting > 0));
  const other = elsewhere.length ? `\nElsewhere:\n${elsewhere.map((b) => backlogLine(b, now)).join("\n")}` : "";
  if (links.length === 0) return { kind: "text", text: `No WhatsApp number is linked to this channel. An admin can link one with \`link <phone number id>\`.\nReplies: ${mode}.${other}` };
  const lines = links.map((l) => {
    const backlog = report.find((b) => b.business === l.business);
    return `• ${l.displayNumber ?? l.business} (id ${l.business}), linked ${new Date(l.linkedAt).toISOString().slice(0, 10)}${backlog ? `\n  ${backlogLine(backlog, now).slice(2)}` : ""}`;
  });
  return { kind: "text", text: `Linked WhatsApp number${links.length === 1 ? "" : "s"}:\n${lines.join("\n")}\nReplies: ${mode}.${other}` };
}
