import { describeError } from "../../errors";
import type { FormattedText } from "../../formatted-text";
import { contactKeyOf, maskId, type ContactKey } from "../../ids";
import type { InboundContent, InboundMessage } from "../../messages";
import type { Conversation } from "../../model";
import type { Clock } from "../../ports/clock";
import type { Logger } from "../../ports/logger";
import type { Stores } from "../../ports/stores";
import { nameOf, p, t } from "../thread-view/thread-text";

type SystemContent = Extract<InboundContent, { kind: "system" }>;

/** True for the system messages that move a contact to a new number or user id (docs/architecture.md). */
export function isIdentityChange(content: InboundContent): content is SystemContent {
  return (
    content.kind === "system" &&
    (content.newPhone !== undefined || content.newUserId !== undefined) &&
    /changed_number|changed_user_id|identity_changed/.test(content.systemType)
  );
}

/**
 * Points the contact's new key(s) at the same thread: a new conversation row per new key (BSUID and/or
 * phone), active in the thread the customer already has, so their next message lands there and staff
 * replies go to the new number. The old row stays (history). The BSUID key is activated last, so the
 * thread's index names it (it survives usernames). Returns the sentence for the thread. Does I/O.
 */
export async function rekeyContact(
  ctx: { stores: Stores; clock: Clock; logger: Logger },
  message: InboundMessage,
  content: SystemContent,
  conversation: Conversation,
): Promise<FormattedText> {
  const { stores, clock, logger } = ctx;
  const business = message.business;
  const changedNumber = content.newPhone !== undefined;
  const phone = content.newPhone ?? conversation.phone;
  // A BSUID is regenerated when the number changes (docs/protocols.md A6): the old one must not be used for the new number.
  const userId = content.newUserId ?? (changedNumber ? undefined : conversation.userId);
  const keys: ContactKey[] = [];
  if (phone) keys.push(contactKeyOf(business, { phone }));
  if (userId) keys.push(contactKeyOf(business, { userId }));
  const place = { channelId: conversation.channelId!, thread: conversation.thread!, rootMessageId: conversation.rootMessageId! };
  const elsewhere: ContactKey[] = [];
  for (const key of keys.filter((k) => k !== conversation.contact)) {
    const reserved = await stores.conversations.reserve({
      contact: key,
      business,
      state: "creating",
      ...(phone ? { phone } : {}),
      ...(userId ? { userId } : {}),
      ...(conversation.profileName ? { profileName: conversation.profileName } : {}),
      ...(conversation.username ? { username: conversation.username } : {}),
      createdAt: clock.now(),
    });
    const existing = reserved.created ? undefined : reserved.existing;
    if (existing?.state === "active" && existing.thread !== conversation.thread) {
      elsewhere.push(key);
      continue;
    }
    // Only the last key (the BSUID when there is one) takes the thread index; the others join as aliases.
    await stores.conversations.activate(key, place, { alias: key !== keys.at(-1) });
    await stores.conversations.update(key, { ...(phone ? { phone } : {}), ...(userId ? { userId } : {}) });
  }
  logger.info("whatsapp.contact.rekeyed", { business, from: maskId(conversation.contact), to: keys.map(maskId).join(",") });
  if (elsewhere.length > 0) logger.warn("whatsapp.contact.rekey_conflict", { business, keys: elsewhere.map(maskId).join(",") });

  const who = nameOf(message);
  const text = changedNumber
    ? `${who} changed their WhatsApp number${conversation.phone ? ` from +${conversation.phone}` : ""} to +${content.newPhone}. This thread continues with the new number: replies go there.`
    : `${who}'s WhatsApp user id changed${conversation.userId ? ` from ${conversation.userId}` : ""} to ${content.newUserId}. This thread continues: replies go to the new id.`;
  const conflict = elsewhere.length > 0 ? [p(t("Note: the new number already has its own thread in this channel; new messages from it appear there."))] : [];
  return [p(t(text)), ...conflict, ...(content.body ? [p(t(`WhatsApp: “${content.body}”`))] : [])];
}

/**
 * Makes sure a customer known by BSUID can also be found by phone (older webhooks and `system` events
 * name the phone only): an alias row for the phone key, active in the same thread, that leaves the
 * thread index to the BSUID row. Done when the thread is new or the phone is newly known. Failures are
 * logged, not raised: the message itself is already posted. Does I/O.
 */
export async function rememberPhoneAlias(
  ctx: { stores: Stores; clock: Clock; logger: Logger },
  message: InboundMessage,
  conversation: Conversation,
): Promise<void> {
  const { phone, userId } = message.contact;
  if (!phone || !userId || !conversation.thread || !conversation.channelId || !conversation.rootMessageId) return;
  const firstTime = conversation.lastInboundAt === undefined || conversation.phone !== phone;
  if (!firstTime) return;
  const alias = contactKeyOf(message.business, { phone });
  if (alias === conversation.contact) return;
  const place = { channelId: conversation.channelId, thread: conversation.thread, rootMessageId: conversation.rootMessageId };
  try {
    const reserved = await ctx.stores.conversations.reserve({
      contact: alias,
      business: message.business,
      state: "creating",
      phone,
      userId,
      createdAt: ctx.clock.now(),
    });
    if (!reserved.created && reserved.existing.state === "active") return;
    // The alias joins the thread without taking its index: a staff reply never finds a half-made alias.
    await ctx.stores.conversations.activate(alias, place, { alias: true });
  } catch (err) {
    ctx.logger.warn("whatsapp.contact.alias_failed", { business: message.business, contact: maskId(conversation.contact), error: describeError(err) });
  }
}

/**
 * Before a thread is made for a contact key never seen: if the customer's phone already has a thread
 * that is waiting for its BSUID (a number change re-keyed it by phone, before WhatsApp named the new
 * BSUID), the new key joins that thread instead of starting another. A phone row that belongs to another
 * BSUID is never adopted (a recycled number is a different person). Does I/O.
 */
export async function adoptKnownThread(ctx: { stores: Stores; clock: Clock; logger: Logger }, message: InboundMessage): Promise<void> {
  const { phone, userId, key } = message.contact;
  if (!phone || !userId) return;
  const phoneKey = contactKeyOf(message.business, { phone });
  if (phoneKey === key || (await ctx.stores.conversations.get(key))) return;
  const byPhone = await ctx.stores.conversations.get(phoneKey);
  if (byPhone?.state !== "active" || !byPhone.thread || !byPhone.channelId || !byPhone.rootMessageId) return;
  if (byPhone.userId !== undefined && byPhone.userId !== userId) return;
  const reserved = await ctx.stores.conversations.reserve({
    contact: key,
    business: message.business,
    state: "creating",
    phone,
    userId,
    createdAt: ctx.clock.now(),
  });
  if (!reserved.created) return;
  await ctx.stores.conversations.activate(key, { channelId: byPhone.channelId, thread: byPhone.thread, rootMessageId: byPhone.rootMessageId });
  await ctx.stores.conversations.update(phoneKey, { userId });
  ctx.logger.info("whatsapp.contact.joined_thread", { business: message.business, contact: maskId(key) });
}
