import type { FormattedText } from "./formatted-text";
import type { StaffNotice, TemplateProblem, TemplateReason } from "./notices";
import type { OtherMention } from "./rules/reply-routing";
import type { MessageTemplate, TemplateValues } from "./templates";
import type { TemplateKey, AadObjectId, TeamsGroupId, TeamsTeamId, TeamsChannelId, TeamsMessageId, TeamsThreadRef, TenantId, TeamsUserId } from "./ids";

/**
 * Who did something in Teams, as the activity says: the Entra object id (what admins and `BRIDGE_STAFF`
 * name) and the Teams user id (what the team's roster is asked with). Either may be missing on odd
 * activities; the staff gate then refuses to relay anything from them.
 */
export interface StaffAuthor {
  readonly aadObjectId?: AadObjectId;
  readonly id?: TeamsUserId;
  readonly name: string;
}

/** What a Teams channel is, when the activity says (`channelData.channel.type`): only standard channels can be linked. */
export type ChannelKind = "standard" | "private" | "shared";

/** A message a person wrote in a Teams channel the bot can see, already stripped of Teams specifics. */
export interface StaffMessage {
  readonly tenantId: TenantId;
  readonly channelId: TeamsChannelId;
  readonly teamId?: TeamsTeamId;
  /** The team's Microsoft 365 group id (`channelData.team.aadGroupId`), when Teams sends it. */
  readonly teamGroupId?: TeamsGroupId;
  readonly channelName?: string;
  /** The channel's type when the activity names it; `link` also asks Teams (ports/staff-directory.ts). */
  readonly channelType?: ChannelKind;
  readonly serviceUrl: string;
  /** The thread the message is in (every channel post is a thread root or a reply in one). */
  readonly thread: TeamsThreadRef;
  /** True when the message is itself the root of its thread (a new post, not a reply). */
  readonly isThreadRoot: boolean;
  readonly messageId: TeamsMessageId;
  readonly author: StaffAuthor;
  /** The message with mentions of the bot removed and quoted replies stripped. */
  readonly body: FormattedText;
  /** Plain text of `body`, for command parsing and the note prefix. */
  readonly text: string;
  readonly mentionsBot: boolean;
  /** Who else the message @mentions (people, tags, channels, the team), from Teams' mention entities. */
  readonly mentions?: readonly OtherMention[];
  /** Files attached that the bot cannot fetch (channel files are not delivered to bots): the sender is told. */
  readonly attachmentCount: number;
  /** The Teams message quoted with "reply with quote", if any: sent as a WhatsApp contextual reply. */
  readonly quotedMessageId?: TeamsMessageId;
  /** Images pasted into the message, already fetched by the Teams side: sent to WhatsApp with the text as caption. */
  readonly images?: readonly StaffImage[];
  /** Pasted images the Teams side could not fetch, one plain sentence each. */
  readonly imageProblems?: readonly string[];
}

/** An image a staff member pasted into a reply. */
export interface StaffImage {
  readonly name: string;
  readonly mimeType: string;
  readonly bytes: Uint8Array;
}

/** A staff member added or removed reactions on a message in a customer thread (Teams `messageReaction`). */
export interface StaffReaction {
  readonly tenantId: TenantId;
  readonly channelId: TeamsChannelId;
  readonly thread: TeamsThreadRef;
  /** The message reacted to (the activity's `replyToId`). */
  readonly target: TeamsMessageId;
  readonly author: StaffAuthor;
  /** Emoji added (`👍`, …), in order. */
  readonly added: readonly string[];
  /** Emoji removed. */
  readonly removed: readonly string[];
}

/** A staff member edited or deleted one of their messages in a customer thread (Teams `messageUpdate`/`messageDelete`). */
export interface StaffMessageChange {
  readonly tenantId: TenantId;
  readonly channelId: TeamsChannelId;
  readonly thread: TeamsThreadRef;
  readonly messageId: TeamsMessageId;
  readonly change: "edited" | "deleted";
}

/** What the bot answers in the same thread, if anything: a notice (the Teams adapter words it), or the template card. */
export type StaffReply =
  | { readonly kind: "notice"; readonly notice: StaffNotice }
  /** The template card; `replace` updates the card the action came from instead of posting a new one. */
  | { readonly kind: "template-card"; readonly card: TemplateCardModel; readonly replace?: boolean };

/** A reply that is a notice. */
export const say = (notice: StaffNotice): StaffReply => ({ kind: "notice", notice });

/** The steps of the template card: pick a template, fill and preview it, then the sent confirmation. */
export type TemplateCardModel =
  | { readonly step: "pick"; readonly reason?: TemplateReason; readonly templates: readonly { readonly id: TemplateKey; readonly label: string }[] }
  | {
      readonly step: "fill";
      readonly template: MessageTemplate;
      readonly values: TemplateValues;
      readonly preview?: string;
      readonly problem?: TemplateProblem;
    }
  | { readonly step: "sent"; readonly template: MessageTemplate; readonly text: string; readonly by: string };

/**
 * A button pressed on a card the bot posted (Adaptive Card Action.Submit). `data` is what the client
 * sent: untrusted. The destination is always derived from the thread, never from `data` (docs/security.md, adversarial case 27).
 */
export interface StaffCardAction {
  readonly tenantId: TenantId;
  readonly channelId: TeamsChannelId;
  readonly serviceUrl: string;
  readonly thread: TeamsThreadRef;
  readonly messageId: TeamsMessageId;
  readonly author: StaffAuthor;
  readonly data: Readonly<Record<string, unknown>>;
}

/** The Teams side calls the core through this. */
export interface StaffMessageHandler {
  /** Handles one staff message; resolves to what to answer in the thread. Never throws for expected failures. */
  onStaffMessage(message: StaffMessage): Promise<StaffReply | undefined>;
  /** Handles a card button; resolves to what to answer (usually the card's next step, replacing it). */
  onCardAction(action: StaffCardAction): Promise<StaffReply | undefined>;
  /** Handles reactions on a message in a customer thread; resolves to a notice only when something failed. */
  onStaffReaction?(reaction: StaffReaction): Promise<StaffReply | undefined>;
  /** Handles an edit or deletion of a staff message; resolves to what to say in the thread, if anything. */
  onStaffMessageChange?(change: StaffMessageChange): Promise<StaffReply | undefined>;
  /** Teams says the app was added to a team of `tenantId` (installationUpdate, or the bot among members added). */
  onAppInstalled?(event: { readonly tenantId: TenantId }): Promise<unknown>;
}
