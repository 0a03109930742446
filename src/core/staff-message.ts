import type { FormattedText } from "./formatted-text";
import type { AadObjectId, TeamsTeamId, TeamsChannelId, TeamsMessageId, TeamsThreadRef, TenantId } from "./ids";

/** A message a person wrote in a Teams channel the bot can see, already stripped of Teams specifics. */
export interface StaffMessage {
  readonly tenantId: TenantId;
  readonly channelId: TeamsChannelId;
  readonly teamId?: TeamsTeamId;
  readonly channelName?: string;
  readonly serviceUrl: string;
  /** The thread the message is in (every channel post is a thread root or a reply in one). */
  readonly thread: TeamsThreadRef;
  /** True when the message is itself the root of its thread (a new post, not a reply). */
  readonly isThreadRoot: boolean;
  readonly messageId: TeamsMessageId;
  readonly author: { readonly aadObjectId?: AadObjectId; readonly name: string };
  /** The message with mentions of the bot removed and quoted replies stripped. */
  readonly body: FormattedText;
  /** Plain text of `body`, for command parsing and the note prefix. */
  readonly text: string;
  readonly mentionsBot: boolean;
  /** Files or images attached (not sent yet: the sender is told). */
  readonly attachmentCount: number;
}

/** What the bot answers in the same thread, if anything. */
export type StaffReply =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "notice"; readonly tone: "info" | "warning" | "error"; readonly text: string };

/** The Teams side calls the core through this. */
export interface StaffMessageHandler {
  /** Handles one staff message; resolves to what to answer in the thread. Never throws for expected failures. */
  onStaffMessage(message: StaffMessage): Promise<StaffReply | undefined>;
}
