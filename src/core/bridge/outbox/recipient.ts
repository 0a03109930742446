import { groupOfKey } from "../../ids";
import type { Conversation } from "../../model";
import type { Recipient } from "../../ports/whatsapp-gateway";

/**
 * Whom to send to for a conversation: a group's conversation goes to the group and only to it; a
 * customer's to their phone when known, else their BSUID. Undefined if neither is known.
 */
export function recipientOf(conversation: Conversation): Recipient | undefined {
  // A group's conversation never falls back to a person, even while the group does not exist yet.
  if (conversation.group) return conversation.group.id ? { kind: "group", group: conversation.group.id } : undefined;
  const group = groupOfKey(conversation.contact);
  if (group) return { kind: "group", group };
  if (!conversation.phone && !conversation.userId) return undefined;
  return { kind: "individual", ...(conversation.phone ? { phone: conversation.phone } : {}), ...(conversation.userId ? { userId: conversation.userId } : {}) };
}
