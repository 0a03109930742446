import { describeError } from "../../errors";
import type { Block, FormattedText } from "../../formatted-text";
import { maskId, type TeamsMessageId } from "../../ids";
import type { InboundMessage } from "../../messages";
import type { ChannelLink, Conversation, InboxEntry } from "../../model";
import type { Clock } from "../../ports/clock";
import type { Logger } from "../../ports/logger";
import type { Metrics } from "../../ports/metrics";
import type { MediaStore } from "../../ports/media-store";
import type { Stores } from "../../ports/stores";
import type { TeamsGateway, ThreadPost } from "../../ports/teams-gateway";
import type { WhatsAppGateway } from "../../ports/whatsapp-gateway";
import type { BridgeSettings } from "../../settings";
import { withRetry } from "../../retry";
import { BACKGROUND_RETRY } from "../../retry-policy";
import { isIdentityChange, rekeyContact, rememberPhoneAlias } from "./contact-rekey";
import type { FollowUpScheduler } from "../scheduling/follow-ups";
import { labelOf, plainBodyOf, referralBlock } from "./inbound-body";
import { keepInboundMedia, mediaBody, type InlineImage } from "./media-post";
import { findEarlier, replyQuote } from "./message-lookup";
import { targetedText, targetOf } from "./reactions";
import { handleOf } from "./render-inbound";

/** The ports the inbound post needs. */
export interface InboundPostDeps {
  readonly stores: Stores;
  readonly teams: TeamsGateway;
  readonly whatsapp: WhatsAppGateway;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly media?: MediaStore;
  readonly followUps?: FollowUpScheduler;
  readonly metrics?: Metrics;
  /** The risky-file policy (default: quarantine). */
  readonly settings?: Pick<BridgeSettings, "riskyFiles">;
}

export type PreparedPost =
  /** The message is about another one that has not arrived: parked (the caller leaves it pending). */
  | { readonly kind: "parked" }
  /** Post `post`; then call `after` with its Teams id. */
  | { readonly kind: "post"; readonly post: ThreadPost; readonly after: (posted: TeamsMessageId) => Promise<void> };

/** A customer post in the thread: who, when, a label for non-text types, and the text. */
export function customerPost(message: InboundMessage, body: FormattedText, label?: string): ThreadPost {
  return {
    kind: "customer",
    ...(message.contact.profileName ? { authorName: message.contact.profileName } : {}),
    authorHandle: handleOf(message),
    sentAt: message.timestamp * 1000,
    body,
    ...(label ? { placeholder: label } : {}),
    ...(message.forwarded ? { forwarded: message.forwarded } : {}),
    ref: message.id,
  };
}

/**
 * Builds the thread reply for one customer message (use case `onWhatsAppEvent`, message branch): its
 * full text (every type spelled out), a quote of the message it answers, the ad it came from; media are
 * downloaded and kept first; reactions, edits and deletions wait for their target (parked, bounded);
 * identity changes re-key the contact. `after` runs once the reply exists: the inline image, the media
 * retry, the phone alias. Does I/O; failures worth retrying are thrown.
 */
export async function prepareInboundPost(
  ctx: InboundPostDeps,
  link: ChannelLink,
  conversation: Conversation,
  entry: InboxEntry,
  message: InboundMessage,
): Promise<PreparedPost> {
  const content = message.content;
  const afterSteps: Array<(posted: TeamsMessageId) => Promise<void>> = [];
  let body: FormattedText;

  const targeted = targetOf(content);
  if (targeted) {
    const text = await targetedText(ctx.stores, message, targeted, ctx.clock.now() - entry.receivedAt);
    if (text.kind === "wait") {
      if (ctx.followUps?.park(entry, targeted.target)) return { kind: "parked" };
      // No scheduler (never in the running bridge), or too many waiting already: post now, without the target.
      const forced = await targetedText(ctx.stores, message, targeted, Number.POSITIVE_INFINITY);
      body = forced.kind === "ready" ? forced.body : [];
    } else body = text.body;
  } else if (isIdentityChange(content) && !message.group) {
    body = await rekeyContact(ctx, message, content, conversation);
  } else if (content.kind === "media") {
    const outcome = await keepInboundMedia(ctx, link, message, content);
    const retrying = outcome.status === "failed" && outcome.retry && ctx.followUps !== undefined;
    body = mediaBody(content, outcome, retrying);
    if (outcome.status === "kept" && outcome.inline) afterSteps.push(() => postInlineImage(ctx, link, conversation, outcome.inline!));
    if (retrying) afterSteps.push(() => ctx.followUps!.retryMedia(message));
  } else {
    body = plainBodyOf(message) ?? [];
  }

  const before: Block[] = [];
  if (message.replyTo && !targeted) before.push(replyQuote(await findEarlier(ctx.stores, message.business, message.replyTo)));
  const afterBlocks: Block[] = message.referral ? [referralBlock(message.referral)] : [];
  const post = customerPost(message, [...before, ...body, ...afterBlocks], labelOf(content));
  // A participant's phone must never lead to the group's thread: aliases are for one-to-one conversations.
  if (!message.group) afterSteps.push(() => rememberPhoneAlias(ctx, message, conversation));

  return {
    kind: "post",
    post,
    after: async (posted) => {
      for (const step of afterSteps) {
        try {
          await step(posted);
        } catch (err) {
          // The message itself is posted and recorded; a failed extra is logged, not retried as a whole.
          ctx.logger.warn("whatsapp.message.after_post_failed", {
            business: message.business,
            contact: maskId(message.contact.key),
            error: describeError(err),
          });
        }
      }
    },
  };
}

/** Shows an image inline, as its own post right under its message (text and image in one activity would be split by Teams). */
export async function postInlineImage(
  ctx: Pick<InboundPostDeps, "teams" | "clock" | "metrics">,
  link: ChannelLink,
  conversation: Conversation,
  image: InlineImage,
): Promise<void> {
  await withRetry(
    () => ctx.teams.postInThread(link.channel, conversation.thread!, { kind: "image", name: image.name, mimeType: image.mimeType, bytes: image.bytes }),
    BACKGROUND_RETRY,
    ctx,
  );
}
