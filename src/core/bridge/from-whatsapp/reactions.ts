import type { FormattedText } from "../../formatted-text";
import type { InboundContent, InboundMessage } from "../../messages";
import { findEarlier, type EarlierMessage } from "./message-lookup";
import type { Stores } from "../../ports/stores";
import { PARK_LIMIT_MS } from "../scheduling/follow-ups";
import { italic, lines, nameOf, p, quote, quoted, t } from "../thread-view/thread-text";

/**
 * Reactions, edits and deletions: messages about another message. Their text needs the target; a
 * target that has not arrived yet (webhooks are not ordered) is waited for, within a bound, and after
 * that the message is posted anyway with a note: never dropped (docs/reliability.md).
 */

type Targeted = Extract<InboundContent, { kind: "reaction" | "edit" | "revoke" }>;

/** The message this one is about, if it is a reaction, an edit or a deletion. */
export function targetOf(content: InboundContent): Targeted | undefined {
  return content.kind === "reaction" || content.kind === "edit" || content.kind === "revoke" ? content : undefined;
}

export type TargetedText =
  | { readonly kind: "ready"; readonly body: FormattedText }
  /** The target is not in the thread yet: wait for it. */
  | { readonly kind: "wait" };

const MISSING_NOTE = "(The message it refers to is not in this thread: it was sent before the bridge was connected, or it never arrived.)";

/**
 * The text of a reaction, edit or deletion, or `wait` when its target is unknown and `waitedMs` is
 * still under the bound. Does I/O (lookups).
 */
export async function targetedText(stores: Stores, message: InboundMessage, content: Targeted, waitedMs: number): Promise<TargetedText> {
  const earlier = await findEarlier(stores, message.business, content.target);
  if (!earlier && waitedMs < PARK_LIMIT_MS) return { kind: "wait" };
  return { kind: "ready", body: describe(message, content, earlier) };
}

function describe(message: InboundMessage, content: Targeted, earlier: EarlierMessage | undefined): FormattedText {
  const who = nameOf(message);
  const target = earlier ? quoted(earlier.summary, 200) : "a message that is not in this thread";
  const note = earlier ? [] : [p(italic(MISSING_NOTE))];
  switch (content.kind) {
    case "reaction":
      return content.emoji
        ? [p(t(`${who} reacted ${content.emoji} to: ${target}`)), ...note]
        : [p(t(`${who} removed their reaction from: ${target}`)), ...note];
    case "edit": {
      const original = earlier ? [quote(p(italic("Original (kept above in this thread):")), p(t(quoted(earlier.summary, 300))))] : note;
      const newText = content.newText !== undefined ? lines(content.newText) : [p(italic("(WhatsApp did not include the new text.)"))];
      return [p(t(`${who} edited a message in WhatsApp. New text:`)), ...newText, ...original];
    }
    case "revoke":
      return [p(t(`${who} deleted a message in WhatsApp (deleted by the customer). The copy in this thread stays for the record: ${target}`)), ...note];
  }
}
