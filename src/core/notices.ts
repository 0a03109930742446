import type { NumberBacklog } from "./model";
import type { BusinessNumberId, WaMessageId } from "./ids";
import type { GroupChange } from "./messages";
import type { StaffRefusal } from "./rules/staff-authority";

/**
 * What the bridge tells staff in Teams, as data: each kind names a situation and carries what its words
 * need. The core decides what to say; the Teams adapter's catalogue (src/teams/wording.ts) says it, in
 * one place, with its tone. Text that comes from elsewhere rides along as data: `why` is an adapter's
 * `userMessage` (e.g. the WhatsApp adapter's words for a Meta error), names and subjects are the
 * customers' own.
 */
export type StaffNotice = CommandNotice | ReplyNotice | TemplateNotice | ThreadNotice;

/** How replies in customer threads are treated (for `help` and `status`). */
export interface ReplyRules {
  readonly replyMode: "all" | "mention";
  readonly notePrefix: string;
  readonly sendPrefix: string;
}

/** A business number as staff know it: its display number when known, else its id. */
export interface NumberName {
  readonly id: BusinessNumberId;
  readonly display?: string;
}

/** Answers to the commands addressed to the bot outside customer threads (from-teams/commands.ts). */
export type CommandNotice =
  | { readonly kind: "help"; readonly rules: ReplyRules }
  | { readonly kind: "unknown-command"; readonly word: string; readonly rules: ReplyRules }
  | { readonly kind: "admins-only"; readonly action: AdminAction }
  | { readonly kind: "link-which-number" }
  /** `link` in a channel that is not a standard one (private and shared channels hold other people and keep records elsewhere). */
  | { readonly kind: "link-channel-refused"; readonly channel: "private" | "shared" | "not-listed" }
  /** `link` could not ask Teams what the channel is: nothing was linked. */
  | { readonly kind: "link-channel-unchecked" }
  | { readonly kind: "number-not-found"; readonly query: string }
  | { readonly kind: "number-linked-elsewhere"; readonly number: NumberName; readonly channelName?: string }
  /** `waiting`: messages received before the link, posted now. */
  | { readonly kind: "number-linked"; readonly number: NumberName; readonly waiting: number }
  | { readonly kind: "nothing-linked" }
  | { readonly kind: "numbers-unlinked"; readonly numbers: readonly NumberName[] }
  | {
      readonly kind: "status";
      readonly rules: ReplyRules;
      readonly links: readonly { readonly number: NumberName; readonly linkedAt: number; readonly backlog?: NumberBacklog }[];
      /** Other channels' numbers with something waiting, failed or suspended. */
      readonly elsewhere: readonly NumberBacklog[];
      readonly now: number;
    }
  | { readonly kind: "group-usage" }
  | { readonly kind: "group-subject-missing" }
  | { readonly kind: "group-needs-link" }
  | { readonly kind: "group-not-created"; readonly why?: string }
  | { readonly kind: "group-requested"; readonly subject: string; readonly number: NumberName }
  | ComplianceCommandNotice;

/** What only bridge admins may do. */
export type AdminAction = "link" | "unlink" | "create-group" | "compliance" | "audit";

/** Answers to `compliance here` and `audit` (bridge/from-teams/compliance-commands.ts). */
export type ComplianceCommandNotice =
  /**
   * This channel is now the compliance channel; `previous`: the one it was before (`same`: it already
   * was this one). `auditEveryHours`: how often the completeness check comes.
   */
  | { readonly kind: "compliance-channel-set"; readonly auditEveryHours: number; readonly previous?: { readonly channelName?: string; readonly same: boolean } }
  | { readonly kind: "compliance-usage" }
  /** This bridge runs without the compliance channel (no storage for it was configured). */
  | { readonly kind: "compliance-unavailable" }
  | { readonly kind: "audit-usage"; readonly maxDays: number }
  /** The check of the last `hours` hours takes longer than a turn: it is posted in this thread when ready. */
  | { readonly kind: "audit-running"; readonly hours: number }
  | { readonly kind: "audit-failed"; readonly why?: string };

/** Why nothing can be sent to a group now. */
export type GroupUnreachable = "deleted" | "suspended" | "not-created";

/** Why a reply waiting in the outbox cannot be sent any more. */
export type Unsendable = "recipient-unknown" | "channel-unlinked";

/** What a staff member tried to send for the firm. */
export type StaffAction = "reply" | "template" | "reaction";

/** Something of a staff reply that did not reach WhatsApp (from-teams/staff-media.ts). */
export type ReplyPartProblem =
  /** A pasted image the Teams side could not fetch: its own words. */
  | { readonly kind: "not-fetched"; readonly said: string }
  | { readonly kind: "too-large"; readonly name: string; readonly maxBytes: number }
  /** An image (`name`), or the text (no name), that WhatsApp refused. */
  | { readonly kind: "refused"; readonly name?: string; readonly why?: string };

/** Answers about a reply in a customer thread and what became of it. */
export type ReplyNotice =
  | { readonly kind: "kept-in-teams"; readonly mentions: "colleague" | "organisation"; readonly sendPrefix: string }
  | { readonly kind: "tenant-link"; readonly hosts: readonly string[]; readonly sendPrefix: string }
  | { readonly kind: "attachments-not-sent"; readonly imageProblems: readonly string[]; readonly files: boolean }
  | { readonly kind: "channel-unlinked" }
  /** The author may not send to customers (rules/staff-authority.ts says why): nothing was sent or kept to send. */
  | { readonly kind: "staff-not-allowed"; readonly why: StaffRefusal; readonly action: StaffAction }
  | { readonly kind: "group-unreachable"; readonly why: GroupUnreachable }
  /** The conversation names no WhatsApp recipient (`on` what was being sent). */
  | { readonly kind: "recipient-unknown"; readonly on: "reply" | "template" }
  /** The outbound policy refused the text (rules/outbound-policy.ts words `hint` and `rule`). */
  | { readonly kind: "policy-blocked"; readonly on: "reply" | "template"; readonly hint: string; readonly rule: string }
  | { readonly kind: "storage-unavailable" }
  | { readonly kind: "reply-too-long"; readonly characters: number }
  | { readonly kind: "reply-not-recorded" }
  /** WhatsApp refused a reply or a template (`why`: its words); `reply`: the reply's text, to quote. */
  | { readonly kind: "not-sent"; readonly what: "reply" | "template"; readonly why?: string; readonly reply?: string }
  | { readonly kind: "partly-sent"; readonly problems: readonly ReplyPartProblem[] }
  | { readonly kind: "reaction-not-sent"; readonly why?: string }
  | { readonly kind: "edit-not-forwarded"; readonly change: "edited" | "deleted" }
  /** The bridge stopped while sending `reply`: WhatsApp may or may not have it. */
  | { readonly kind: "reply-uncertain"; readonly reply: string }
  /** A reply from the outbox that cannot go (`stage`: before its first send, or when re-sending). */
  | { readonly kind: "reply-unsendable"; readonly reply: string; readonly why: Unsendable; readonly stage: "send" | "resend" }
  /**
   * WhatsApp reported a sent message failed. `message`: the start of its text; `error`: Meta's error
   * (code and title quoted when the adapter had no words for it); `resends`: times it was sent again.
   */
  | {
      readonly kind: "not-delivered";
      readonly message?: string;
      readonly error?: { readonly code: number; readonly title: string; readonly userMessage?: string };
      readonly resends: number;
    };

/** Why the template card is shown, or is shown again (its `reason`). */
export type TemplateReason =
  /** The 24-hour window is closed (`closedAt` when known); `unsent`: the text of the reply that was not sent, to quote. */
  | { readonly kind: "window-closed"; readonly closedAt?: number; readonly group: boolean; readonly unsent?: string }
  | { readonly kind: "template-withdrawn" }
  | { readonly kind: "template-not-chosen" };

/** What stops a template from being sent (the card's `problem`). */
export type TemplateProblem =
  | { readonly kind: "template-incomplete"; readonly missing: readonly string[]; readonly attempt: "preview" | "send" }
  | Extract<ReplyNotice, { kind: "policy-blocked" | "not-sent" }>
  | { readonly kind: "template-auth-in-group" };

/** Answers of the template card and about templates. */
export type TemplateNotice =
  | TemplateReason
  | TemplateProblem
  | { readonly kind: "no-templates"; readonly reason?: TemplateReason }
  | { readonly kind: "templates-unavailable"; readonly reason?: TemplateReason }
  | { readonly kind: "card-outside-thread" }
  | { readonly kind: "template-cancelled" }
  | { readonly kind: "template-opted-out" };

/** Notes the bridge posts in a thread by itself, about what happened there. */
export type ThreadNotice =
  /** A group changed: the line is the record (thread-view/record-lines.ts), the tone the catalogue's. */
  | { readonly kind: "group-changed"; readonly change: GroupChange }
  /** A group was asked for from Teams (`by`: who, when known); WhatsApp is creating it. */
  | { readonly kind: "group-creating"; readonly subject: string; readonly by?: string }
  /** A participant wrote a consent keyword in a group, where it does not apply. */
  | { readonly kind: "group-consent-ignored"; readonly change: "stop" | "start"; readonly author: string; readonly word: string }
  /** The customer opted out of (or back into) business-initiated messages, by a keyword or WhatsApp's setting. */
  | {
      readonly kind: "consent-changed";
      readonly change: "stop" | "start";
      readonly source: { readonly by: "keyword"; readonly word: string } | { readonly by: "setting" };
    }
  /** A restart cut a thread start short: an empty thread may sit above this one. */
  | { readonly kind: "thread-start-duplicate" }
  /** A text the bridge sends by itself (its record `label`, its `text`) failed (`error`: what went wrong, for the log-minded). */
  | { readonly kind: "automatic-not-sent"; readonly label: string; readonly error: string; readonly text?: string }
  /** Teams refused a message even as plain text; `message` names it (sent at epoch ms) when it was a customer message. */
  | { readonly kind: "not-shown"; readonly message?: { readonly from: string; readonly sentAt: number; readonly wamid: WaMessageId } };
