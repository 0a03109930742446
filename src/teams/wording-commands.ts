import type { NumberBacklog } from "../core/model";
import type { AdminAction, CommandNotice, NumberName, ReplyRules } from "../core/notices";
import type { Wording } from "./wording";

/**
 * The words of the answers to the bot's commands (help, link, unlink, status, group create): part of the
 * catalogue of wording.ts, kept apart because `help` and `status` are long.
 */

const nameOf = (n: NumberName) => n.display ?? n.id;
const plain = (text: string): Wording => ({ text });
const warning = (text: string): Wording => ({ tone: "warning", text });

/** What `help` says: the commands, and how a reply in a customer thread is treated. */
export function helpText(rules: ReplyRules): string {
  const send = rules.sendPrefix;
  const replies =
    rules.replyMode === "all"
      ? "• a plain reply is sent to the customer (or the group) on WhatsApp"
      : "• a reply that @mentions me is sent to the customer (or the group) on WhatsApp";
  return [
    "I bring WhatsApp conversations into this channel: each customer (and each WhatsApp group) gets a thread, and replies in that thread go back on WhatsApp.",
    "Replying in a customer thread:",
    replies,
    `• a reply starting with ${rules.notePrefix} is a note for colleagues: never sent`,
    "• a reply that @mentions a colleague (or a tag, a channel, the team) stays in Teams, and so does one that links into our SharePoint, OneDrive or Teams",
    `• start a reply with ${send} to send it anyway (the ${send} is removed)`,
    "• @mention me with `template` to send an approved template",
    "Commands (mention me first):",
    "• link <phone number id or number>: this channel receives that WhatsApp number's conversations (admins only)",
    "• unlink: stop receiving WhatsApp conversations here (admins only)",
    "• status: what is linked here",
    "• group create <subject>: a new WhatsApp group on this channel's number, with its invite link in a new thread (admins only)",
    "• compliance here: this channel receives the compliance posts: each day's journal seal, the completeness check, the weekly review, and gaps in the record (admins only)",
    "• audit [days]: the completeness check of the last 24 hours (or of the last 1 to 31 days), posted here (admins only)",
    "• help: this message",
  ].join("\n");
}

function formatAge(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 6) / 10;
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

/** One line of `status` for a number: what waits, since when, what failed, and a suspension. */
export function backlogLine(b: NumberBacklog, now: number): string {
  const name = b.displayNumber ?? b.business;
  const where = b.channelName ? ` (channel “${b.channelName}”)` : "";
  const age = b.oldestWaitingAt === undefined ? "" : `, the oldest for ${formatAge(now - b.oldestWaitingAt)}`;
  const suspended =
    b.suspendedSince === undefined
      ? ""
      : ` SUSPENDED for ${formatAge(now - b.suspendedSince)}: Teams refuses the bot in that team (was the app removed?); messages wait and are posted, in order, once it is back.`;
  return `• ${name}${where}: ${b.waiting} waiting${age}; ${b.failed} failed.${suspended}`;
}

function statusText(n: Extract<CommandNotice, { kind: "status" }>): string {
  const { notePrefix, sendPrefix } = n.rules;
  const mode =
    n.rules.replyMode === "all"
      ? `every reply in a customer thread is sent to WhatsApp, except notes starting with ${notePrefix} and replies that @mention a colleague or link into the tenant (start with ${sendPrefix} to send those anyway)`
      : `only replies that mention me are sent to WhatsApp; notes starting with ${notePrefix} never are`;
  const other = n.elsewhere.length ? `\nElsewhere:\n${n.elsewhere.map((b) => backlogLine(b, n.now)).join("\n")}` : "";
  if (n.links.length === 0)
    return `No WhatsApp number is linked to this channel. An admin can link one with \`link <phone number id>\`.\nReplies: ${mode}.${other}`;
  const lines = n.links.map(
    (l) =>
      `• ${nameOf(l.number)} (id ${l.number.id}), linked ${new Date(l.linkedAt).toISOString().slice(0, 10)}${l.backlog ? `\n  ${backlogLine(l.backlog, n.now).slice(2)}` : ""}`,
  );
  return `Linked WhatsApp number${n.links.length === 1 ? "" : "s"}:\n${lines.join("\n")}\nReplies: ${mode}.${other}`;
}

/** Why a channel other than a standard one cannot be linked (docs/protocols.md B19, docs/admin-guide.md step 5). */
const CHANNEL_REFUSED = {
  private:
    "This is a private channel: it holds only part of the team, its messages are retained apart from the team's, and bots cannot post in it, so customer conversations cannot live here.",
  shared: "This is a shared channel: people from other teams or organisations can be in it, so customer conversations cannot live here.",
  "not-listed":
    "Teams does not list this channel among the team's standard channels (is it shared into the team from elsewhere?), so customer conversations cannot live here.",
} as const;

const ADMIN_ACTIONS: Readonly<Record<AdminAction, string>> = {
  link: "link a WhatsApp number",
  unlink: "unlink a WhatsApp number",
  "create-group": "create a WhatsApp group",
  compliance: "choose the compliance channel",
  audit: "run the completeness check",
};

/** How often the completeness check comes, in words. */
const everyHours = (hours: number) =>
  hours === 24 ? "every day" : hours % 24 === 0 ? `every ${hours / 24} days` : `every ${hours} hour${hours === 1 ? "" : "s"}`;

/** The answer to `compliance here`: what this channel will receive, and where it went before. */
function complianceSetText(n: Extract<CommandNotice, { kind: "compliance-channel-set" }>): string {
  if (n.previous?.same) return "This channel already is the compliance channel: nothing changed.";
  const before = n.previous
    ? ` It replaces ${n.previous.channelName ? `the channel “${n.previous.channelName}”` : "the channel set before"}, which receives nothing more.`
    : "";
  return [
    `✅ This is now the compliance channel.${before} The bridge posts here, as plain text (and a card for the reports):`,
    "• each UTC day's journal seal, shortly after midnight: the day's SHA-256, which `npm run verify` recomputes from the stored journal;",
    `• the completeness check ${everyHours(n.auditEveryHours)}: messages in and out, every customer message matched to its Teams post, possible duplicates, the journal's chain;`,
    "• the weekly review on Mondays (the figures of `npm run report` for the week before);",
    "• a notice whenever a linked channel stops taking its messages (a gap in the Teams record) and when it takes them again.",
  ].join("\n");
}

/** The words of a command's answer. */
export function sayCommand(n: CommandNotice): Wording {
  switch (n.kind) {
    case "help":
      return plain(helpText(n.rules));
    case "unknown-command":
      return plain(`I didn't understand “${n.word.slice(0, 40)}”.\n\n${helpText(n.rules)}`);
    case "admins-only":
      return warning(`Sorry, only bridge admins can ${ADMIN_ACTIONS[n.action]}. Ask an admin of the WhatsApp bridge to do it for you.`);
    case "link-which-number":
      return plain("Which number? Write `link <phone number id>`, e.g. `link 106540352242922`, or the number as customers dial it.");
    case "link-channel-refused":
      return warning(`${CHANNEL_REFUSED[n.channel]} Link a standard channel of the team instead.`);
    case "link-channel-unchecked":
      return { tone: "error", text: "Nothing was linked: I could not ask Teams what kind of channel this is. Try again in a minute." };
    case "number-not-found":
      return warning(
        `I can't find the number “${n.query.slice(0, 40)}” in the WhatsApp Business Account. Use its phone number id from Meta's WhatsApp Manager.`,
      );
    case "number-linked-elsewhere": {
      const where = n.channelName ? `the channel “${n.channelName}”` : "another channel";
      return warning(`WhatsApp number ${nameOf(n.number)} is already linked to ${where}. Unlink it there first.`);
    }
    case "number-linked": {
      const backlog = n.waiting > 0 ? ` ${n.waiting} message${n.waiting === 1 ? "" : "s"} received before the link will appear now.` : "";
      return plain(
        `✅ WhatsApp number ${nameOf(n.number)} is linked to this channel. Each customer who writes to it gets a thread here; reply in the thread to answer on WhatsApp.${backlog}`,
      );
    }
    case "nothing-linked":
      return plain("No WhatsApp number is linked to this channel.");
    case "numbers-unlinked":
      return plain(
        `WhatsApp number ${n.numbers.map(nameOf).join(", ")} is no longer linked to this channel. New customer messages are kept and will appear once it is linked again; existing threads stay as they are.`,
      );
    case "status":
      return plain(statusText(n));
    case "group-usage":
      return plain("Write `group create <subject>` to create a WhatsApp group on this channel's number; its invite link appears in a new thread.");
    case "group-subject-missing":
      return plain("What should the group be called? Write `group create <subject>`, e.g. `group create Smith family account`.");
    case "group-needs-link":
      return warning("No WhatsApp number is linked to this channel: link one first (`link <phone number id>`), then create the group.");
    case "group-not-created":
      return { tone: "error", text: `The group was not created: ${n.why ?? "an unexpected error occurred."}` };
    case "group-requested":
      return plain(
        `Asked WhatsApp to create the group “${n.subject}” on ${nameOf(n.number)}. Its thread is in this channel; the invite link appears there once WhatsApp confirms.`,
      );
    case "compliance-channel-set":
      return plain(complianceSetText(n));
    case "compliance-usage":
      return plain(
        "Write `compliance here` in the channel that should receive the compliance posts (the daily journal seal, the completeness check, the weekly review).",
      );
    case "compliance-unavailable":
      return warning("This bridge runs without the compliance channel: its storage for it is not configured.");
    case "audit-usage":
      return plain(`Write \`audit\` for the completeness check of the last 24 hours, or \`audit <days>\` (1 to ${n.maxDays}) for a longer period.`);
    case "audit-running":
      return {
        tone: "info",
        text: `Checking the last ${n.hours % 24 === 0 ? `${n.hours / 24} day${n.hours === 24 ? "" : "s"}` : `${n.hours} hours`}: the journal takes a moment to read. The completeness check will appear in this thread.`,
      };
    case "audit-failed":
      return {
        tone: "error",
        text: `The completeness check could not be made: ${n.why ?? "the journal or the tables did not answer."} Try again in a few minutes; \`npm run reconcile\` and \`npm run verify\` give the same facts.`,
      };
  }
}
