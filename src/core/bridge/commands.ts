import { describeError } from "../errors";
import { BusinessNumberId } from "../ids";
import type { ChannelLink } from "../model";
import type { StaffMessage, StaffReply } from "../staff-message";
import type { BusinessNumberInfo } from "../ports/whatsapp-gateway";
import type { BridgeDeps } from "./deps";

export const HELP_TEXT = [
  "I bring WhatsApp conversations into this channel: each customer gets a thread, and replies in that thread go back to the customer on WhatsApp.",
  "Commands (mention me first):",
  "• link <phone number id or number>: this channel receives that WhatsApp number's conversations (admins only)",
  "• unlink: stop receiving WhatsApp conversations here (admins only)",
  "• status: what is linked here",
  "• help: this message",
].join("\n");

/** Handles a command addressed to the bot outside customer threads: link, unlink, status, help. */
export async function onCommand(deps: BridgeDeps, message: StaffMessage, replayUnrouted: (link: ChannelLink) => Promise<number>): Promise<StaffReply> {
  const [word = "", ...args] = message.text.trim().split(/\s+/);
  switch (word.toLowerCase()) {
    case "link": return link(deps, message, args.join(" "), replayUnrouted);
    case "unlink": return unlink(deps, message);
    case "status": return status(deps, message);
    case "help":
    case "": return { kind: "text", text: HELP_TEXT };
    default: return { kind: "text", text: `I didn't understand “${word.slice(0, 40)}”.\n\n${HELP_TEXT}` };
  }
}

function isAdmin(deps: BridgeDeps, message: StaffMessage): boolean {
  return message.author.aadObjectId !== undefined && deps.settings.admins.has(message.author.aadObjectId);
}

function refusal(deps: BridgeDeps, message: StaffMessage, action: string): StaffReply {
  deps.logger.warn("teams.command.refused", { action, tenantId: message.tenantId, user: message.author.aadObjectId ?? "unknown" });
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

async function link(deps: BridgeDeps, message: StaffMessage, query: string, replayUnrouted: (link: ChannelLink) => Promise<number>): Promise<StaffReply> {
  if (!isAdmin(deps, message)) return refusal(deps, message, "link a WhatsApp number");
  if (!query.trim()) return { kind: "text", text: "Which number? Write `link <phone number id>`, e.g. `link 106540352242922`, or the number as customers dial it." };
  let known: BusinessNumberInfo[] = [];
  try {
    known = await deps.whatsapp.listBusinessNumbers();
  } catch (err) {
    deps.logger.warn("whatsapp.numbers.list_failed", { error: describeError(err) });
  }
  const number = resolveNumber(query, known);
  if (!number) return { kind: "notice", tone: "warning", text: `I can't find the number “${query.slice(0, 40)}” in the WhatsApp Business Account. Use its phone number id from Meta's WhatsApp Manager.` };
  const existing = await deps.stores.links.get(number.id);
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
    linkedAt: deps.clock.now(),
    ...(number.display ? { displayNumber: number.display } : {}),
    ...(message.teamGroupId ? { teamGroupId: message.teamGroupId } : {}),
  };
  await deps.stores.links.put(created);
  deps.logger.info("teams.channel.linked", { business: number.id, tenantId: message.tenantId, user: message.author.aadObjectId });
  const waiting = await replayUnrouted(created);
  const backlog = waiting > 0 ? ` ${waiting} message${waiting === 1 ? "" : "s"} received before the link will appear now.` : "";
  return { kind: "text", text: `✅ WhatsApp number ${number.display ?? number.id} is linked to this channel. Each customer who writes to it gets a thread here; reply in the thread to answer on WhatsApp.${backlog}` };
}

async function unlink(deps: BridgeDeps, message: StaffMessage): Promise<StaffReply> {
  if (!isAdmin(deps, message)) return refusal(deps, message, "unlink a WhatsApp number");
  const links = await deps.stores.links.listByChannel(message.channelId);
  if (links.length === 0) return { kind: "text", text: "No WhatsApp number is linked to this channel." };
  for (const l of links) await deps.stores.links.remove(l.business);
  deps.logger.info("teams.channel.unlinked", { count: links.length, tenantId: message.tenantId, user: message.author.aadObjectId });
  const names = links.map((l) => l.displayNumber ?? l.business).join(", ");
  return { kind: "text", text: `WhatsApp number ${names} is no longer linked to this channel. New customer messages are kept and will appear once it is linked again; existing threads stay as they are.` };
}

async function status(deps: BridgeDeps, message: StaffMessage): Promise<StaffReply> {
  const links = await deps.stores.links.listByChannel(message.channelId);
  const mode = deps.settings.replyMode === "all"
    ? `every reply in a customer thread is sent to WhatsApp, except notes starting with ${deps.settings.notePrefix}`
    : `only replies that mention me are sent to WhatsApp; notes starting with ${deps.settings.notePrefix} never are`;
  if (links.length === 0) return { kind: "text", text: `No WhatsApp number is linked to this channel. An admin can link one with \`link <phone number id>\`.\nReplies: ${mode}.` };
  const lines = links.map((l) => `• ${l.displayNumber ?? l.business} (id ${l.business}), linked ${new Date(l.linkedAt).toISOString().slice(0, 10)}`);
  return { kind: "text", text: `Linked WhatsApp number${links.length === 1 ? "" : "s"}:\n${lines.join("\n")}\nReplies: ${mode}.` };
}
