import { excerpt } from "../core/formatted-text";
import type { GroupChange } from "../core/messages";
import { formatBytes } from "../core/media-types";
import type { GroupUnreachable, ReplyPartProblem, StaffAction, StaffNotice, TemplateReason, Unsendable } from "../core/notices";
import type { StaffRefusal } from "../core/rules/staff-authority";
import { groupChangeLine, groupRequestedLine } from "../core/bridge/thread-view/record-lines";
import { sayCommand } from "./wording-commands";

/**
 * The catalogue of what the bridge says to staff: every notice of the core (core/notices.ts) in the words
 * and tone Teams shows. Wording changes here, and only here; the core decides what to say and with which
 * data. The answers to commands are in wording-commands.ts; the lines that record WhatsApp-side facts
 * (group changes, what a customer received) come from the core's thread-view/record-lines.ts.
 */

export type Tone = "info" | "warning" | "error";

/** A notice in words: its sentence, and its tone (an emoji and italics); none for a plain answer. */
export interface Wording {
  readonly tone?: Tone;
  readonly text: string;
}

/** What the bot answers when the core's handler fails unexpectedly (the failure is logged). */
export const HANDLER_FAILED: Wording = { tone: "error", text: "Something went wrong while handling this message. Check the thread before trying again." };

/** What the bot answers outside channels: it only works in channel threads. */
export const CHANNELS_ONLY: Wording = { text: "I work in channels: mention me in a channel with `help`." };

const info = (text: string): Wording => ({ tone: "info", text });
const warning = (text: string): Wording => ({ tone: "warning", text });
const error = (text: string): Wording => ({ tone: "error", text });

/** A UTC minute as `2025-06-01 14:05`. */
const utcMinute = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

/** Short quote of a staff reply (never the whole text). */
function quoteReply(reply: string): string {
  const text = excerpt(reply, 80);
  return text ? `“${text}”` : "a reply";
}

/** Said when files were attached: channel files never reach the bot (docs/protocols.md B9). */
const FILES_NOT_DELIVERED =
  "Files attached in a channel are not given to bots by Teams, so the file was not sent. To send a file: paste an image straight into your reply, or share a link to the file (one the customer can open).";

const GROUP_UNREACHABLE: Readonly<Record<GroupUnreachable, string>> = {
  deleted: "this WhatsApp group was deleted.",
  suspended: "WhatsApp has suspended this group; nothing can be sent to it until WhatsApp lifts the suspension.",
  "not-created": "WhatsApp has not created this group yet. Wait for the line with its invite link in this thread.",
};

const UNSENDABLE: Readonly<Record<Unsendable, string>> = {
  "recipient-unknown": "The bridge no longer knows which WhatsApp user this thread belongs to.",
  "channel-unlinked": "This channel is no longer linked to the customer's WhatsApp number.",
};

const ACTION_SENT: Readonly<Record<StaffAction, string>> = {
  reply: "Your reply was not sent",
  template: "The template was not sent",
  reaction: "Your reaction was not sent",
};

/** Why, in words, and what the person can do about it (docs/staff-guide.md shows these). */
const STAFF_REFUSAL: Readonly<Record<StaffRefusal, string>> = {
  "no-identity":
    "Teams did not say who you are, so the bridge cannot check that you may write to customers. Send it again; tell your bridge admin if it keeps happening.",
  "not-member": "only members of this team can write to customers from here, and Teams does not list you as one. Ask a team owner to add you.",
  guest: "guest accounts cannot write to customers for the firm. Ask a colleague with a member account to send it.",
  external: "people from another organisation in a shared channel cannot write to the firm's customers. Ask a colleague of the firm to send it.",
  "not-listed": "only the staff named by your bridge admin can write to customers. Ask your bridge admin to add you.",
  unchecked:
    "the bridge could not check your membership of this team with Teams just now. Try again in a minute; tell your bridge admin if it keeps happening.",
};

/** A staff action refused by the staff gate: nothing went to WhatsApp, nothing waits to go. */
function sayStaffRefusal(why: StaffRefusal, action: StaffAction): Wording {
  const text = `${ACTION_SENT[action]} to WhatsApp: ${STAFF_REFUSAL[why]}`;
  return why === "unchecked" || why === "no-identity" ? error(text) : warning(text);
}

function partOf(problem: ReplyPartProblem): string {
  switch (problem.kind) {
    case "not-fetched":
      return problem.said;
    case "too-large":
      return `${problem.name} is larger than WhatsApp allows (${formatBytes(problem.maxBytes)})`;
    case "refused":
      return `${problem.name ?? "the text"}: ${problem.why ?? "an unexpected error occurred"}`;
  }
}

/** Why the template card is shown; `pickBelow` when the card follows (not when no template can be offered). */
function reasonText(reason: TemplateReason, pickBelow: boolean): string {
  switch (reason.kind) {
    case "window-closed": {
      const when = reason.closedAt === undefined ? "" : ` (it closed ${utcMinute(reason.closedAt)} UTC)`;
      const who = reason.group ? "no one in the group has written in the last 24 hours" : "the customer last wrote more than 24 hours ago";
      const message = reason.unsent?.trim() ? `Your message ${quoteReply(reason.unsent)}` : "Your message";
      return `${message} was not sent: ${who}${when}, and WhatsApp then only allows an approved template.${pickBelow ? " Pick one below." : ""}`;
    }
    case "template-withdrawn":
      return "That template is no longer approved; pick another.";
    case "template-not-chosen":
      return "Pick a template first.";
  }
}

/** The reason, before what follows it, when there is one. */
const reasonBefore = (reason?: TemplateReason) => (reason ? `${reasonText(reason, false)} ` : "");

const CONSENT = {
  stop: "🚫 The customer opted out of business-initiated messages. Templates to them are refused; replies while a conversation they started is open are still allowed.",
  start: "✅ The customer opted back in to business-initiated messages.",
} as const;

/** Group changes that stop or refuse something are warnings; the others are news. */
const groupTone = (change: GroupChange): Tone =>
  change.kind === "request-failed" || change.kind === "suspended" || change.kind === "deleted" ? "warning" : "info";

/** The words and tone of `notice` (for a thread post or an answer in the turn). */
export function sayNotice(n: StaffNotice): Wording {
  switch (n.kind) {
    case "help":
    case "unknown-command":
    case "admins-only":
    case "link-which-number":
    case "link-channel-refused":
    case "link-channel-unchecked":
    case "number-not-found":
    case "number-linked-elsewhere":
    case "number-linked":
    case "nothing-linked":
    case "numbers-unlinked":
    case "status":
    case "group-usage":
    case "group-subject-missing":
    case "group-needs-link":
    case "group-not-created":
    case "group-requested":
    case "compliance-channel-set":
    case "compliance-usage":
    case "compliance-unavailable":
    case "audit-usage":
    case "audit-running":
    case "audit-failed":
      return sayCommand(n);
    case "kept-in-teams":
      return info(
        `Kept in Teams: it mentions ${n.mentions === "colleague" ? "a colleague" : "people in your organisation"}. Start with \`${n.sendPrefix}\` to send it to the customer anyway.`,
      );
    case "tenant-link":
      return warning(
        `Not sent: it links into your organisation (${n.hosts.slice(0, 3).join(", ")}). Share documents with customers through the channel's files on purpose; start with \`${n.sendPrefix}\` to send the link anyway.`,
      );
    case "attachments-not-sent":
      return warning(
        [n.imageProblems.length ? `Not sent: ${n.imageProblems.join("; ")}.` : undefined, n.files ? FILES_NOT_DELIVERED : undefined].filter(Boolean).join(" "),
      );
    case "channel-unlinked":
      return warning("Not sent: this channel is no longer linked to the customer's WhatsApp number. An admin can link it again with `link`.");
    case "staff-not-allowed":
      return sayStaffRefusal(n.why, n.action);
    case "group-unreachable":
      return warning(`Not sent: ${GROUP_UNREACHABLE[n.why]}`);
    case "recipient-unknown":
      return error(`Not sent: I can't tell which WhatsApp user this thread belongs to.${n.on === "reply" ? " Please report this to your bridge admin." : ""}`);
    case "policy-blocked":
      return warning(
        n.on === "reply"
          ? `Not sent: the message contains ${n.hint}, which matches the rule against ${n.rule}. Remove it and send again.`
          : `Not sent: the text contains ${n.hint}, which matches the rule against ${n.rule}.`,
      );
    case "storage-unavailable":
      return error("Not sent: the bridge's storage did not answer. Send your reply again in a minute; tell your bridge admin if it keeps happening.");
    case "reply-too-long":
      return warning(
        `Not sent: this reply is too long for the bridge to keep safely before sending it (${n.characters} characters). Split it into shorter messages and send them again.`,
      );
    case "reply-not-recorded":
      return error(
        "Not sent: the bridge could not record your reply before sending it (its storage did not answer). Send it again in a minute; tell your bridge admin if it keeps happening.",
      );
    case "not-sent": {
      const why =
        n.why ??
        (n.what === "reply" ? "an unexpected error occurred; try again, and tell your bridge admin if it keeps happening." : "an unexpected error occurred.");
      return error(`Not sent to WhatsApp: ${why}${n.reply !== undefined ? ` (${quoteReply(n.reply)})` : ""}`);
    }
    case "partly-sent":
      return warning(`Not everything reached WhatsApp: ${n.problems.map(partOf).join("; ")}.`);
    case "reaction-not-sent":
      return warning(`Your reaction was not sent to WhatsApp: ${n.why ?? "an unexpected error occurred."}`);
    case "edit-not-forwarded":
      return info(
        n.change === "edited"
          ? "This reply was already delivered on WhatsApp: editing it in Teams does not change what the customer received. Send a new message to correct it."
          : "This reply was already delivered on WhatsApp: deleting it in Teams does not remove it from the customer's phone.",
      );
    case "reply-uncertain":
      return warning(
        `This reply may not have reached the customer: ${quoteReply(n.reply)}. The bridge stopped while sending it to WhatsApp. Check the ticks on the thread's card (or ask the customer) and send it again if it did not arrive.`,
      );
    case "reply-unsendable":
      return error(`${n.stage === "send" ? "Not sent" : "Not delivered"} to WhatsApp: ${quoteReply(n.reply)}. ${UNSENDABLE[n.why]}`);
    case "not-delivered": {
      const quoted = n.message ? `“${excerpt(n.message, 80)}”` : "a message";
      const why = n.error?.userMessage ?? (n.error ? `WhatsApp reported error ${n.error.code}: ${n.error.title}.` : "WhatsApp gave no reason.");
      const tried = n.resends > 0 ? ` (It was sent again ${n.resends} time${n.resends === 1 ? "" : "s"}.)` : "";
      return error(`Not delivered to WhatsApp: ${quoted}. ${why}${tried}`);
    }
    case "window-closed":
    case "template-withdrawn":
    case "template-not-chosen":
      return warning(reasonText(n, true));
    case "template-incomplete":
      return warning(n.attempt === "preview" ? `Still to fill in: ${n.missing.join(", ")}.` : `Not sent: fill in ${n.missing.join(", ")} first.`);
    case "template-auth-in-group":
      return warning("Not sent: WhatsApp does not deliver authentication templates to groups. Pick another template.");
    case "no-templates":
      return warning(
        `${reasonBefore(n.reason)}No approved WhatsApp template is available: create one in WhatsApp Manager (and set WHATSAPP_BUSINESS_ACCOUNT_ID).`,
      );
    case "templates-unavailable":
      return error(`${reasonBefore(n.reason)}The list of WhatsApp templates could not be loaded; try again in a minute.`);
    case "card-outside-thread":
      return warning("This card only works in a customer thread of a linked channel.");
    case "template-cancelled":
      return { text: "Template not sent." };
    case "template-opted-out":
      return warning(
        "Not sent: the customer opted out of business-initiated messages, so templates are refused. You can still reply while a conversation they start is open.",
      );
    case "group-changed":
      return { tone: groupTone(n.change), text: groupChangeLine(n.change) };
    case "group-creating":
      return info(
        `${groupRequestedLine(n.subject, n.by)} WhatsApp is creating it; its invite link will appear in this thread. Replies here go to the whole group once it exists.`,
      );
    case "group-consent-ignored":
      return info(
        n.change === "stop"
          ? `${n.author} wrote “${n.word}” in the group. Opting out does not apply to a WhatsApp group: a participant who wants no more messages leaves the group (or is removed from it). Nothing was changed.`
          : `${n.author} wrote “${n.word}” in the group. Opting in does not apply to a WhatsApp group: nothing was changed.`,
      );
    case "consent-changed": {
      const source = n.source.by === "keyword" ? `the customer wrote “${n.source.word}”` : "WhatsApp marketing-messages setting";
      return { tone: n.change === "stop" ? "warning" : "info", text: `${CONSENT[n.change]} (${source})` };
    }
    case "thread-start-duplicate":
      return warning("The bridge restarted while starting this thread, so this customer may also have an empty thread just above it in the channel.");
    case "automatic-not-sent":
      return warning(`${n.label}: not sent (${n.error}).${n.text?.trim() ? ` The text was ${quoteReply(n.text)}.` : ""}`);
    case "not-shown": {
      const what = n.message
        ? `The WhatsApp message from ${n.message.from} sent ${utcMinute(n.message.sentAt)} UTC (WhatsApp id ending …${n.message.wamid.slice(-8)})`
        : "A WhatsApp event";
      return error(
        `${what} could not be shown here: Teams refused it, even as plain text. It is kept in the bridge's journal with its original content; \`npm run reconcile\` lists it and \`npm run export\` includes it.`,
      );
    }
  }
}
