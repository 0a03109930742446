import type { Conversation } from "../model";
import type { Recipient } from "../ports/whatsapp-gateway";

/** Whom to send to for a conversation: the phone when known, else the BSUID; undefined if neither. */
export function recipientOf(conversation: Conversation): Recipient | undefined {
  if (!conversation.phone && !conversation.userId) return undefined;
  return { ...(conversation.phone ? { phone: conversation.phone } : {}), ...(conversation.userId ? { userId: conversation.userId } : {}) };
}
