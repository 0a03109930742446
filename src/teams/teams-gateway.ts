import { TeamsInfo, type Activity, type CloudAdapter, type ConversationReference, type TurnContext } from "botbuilder";
import { PermanentError, TeamsRefusal, type BridgeError } from "../core/errors";
import { parseThreadRef, TeamsMessageId, threadRefOf, type TeamsThreadRef } from "../core/ids";
import type { ChannelAddress } from "../core/model";
import type { Logger } from "../core/ports/logger";
import type { RootCardModel, TeamsGateway, ThreadPost } from "../core/ports/teams-gateway";
import { cardAttachment } from "./cards/adaptive-card";
import { ADAPTIVE_CARD_CONTENT_TYPE, buildRootCard, rootCardSummary } from "./cards/root-card";
import { allowedServiceUrlHost, hostForLog } from "./service-url";
import { createChannelThread } from "./channel-thread";
import { mapConnectorError } from "./teams-errors";
import type { SlidingWindowLimiter } from "./rate-limiter";
import { renderThreadPost } from "./teams-html";
import { renderPlainFallback } from "./plain-fallback";
import { imagePostActivity, imageTooLargeActivity } from "./image-post";
import { staffReplyActivity } from "./staff-reply-activity";

/** A refusal names the thread it was about, so the core knows which conversation lost its thread. */
function aboutThread(err: BridgeError, thread: TeamsThreadRef): BridgeError {
  return err instanceof TeamsRefusal ? err.about(thread) : err;
}

export interface BotBuilderTeamsGatewayOptions {
  readonly adapter: Pick<CloudAdapter, "createConversationAsync" | "continueConversationAsync">;
  /** The bot's app id (the placeholder id when auth is disabled). */
  readonly botAppId: string;
  readonly serviceUrlHosts: readonly string[];
  readonly logger: Logger;
  /** Keeps calls under Teams' per-thread and per-tenant limits (docs/protocols.md B13); none: unlimited. */
  readonly limiter?: SlidingWindowLimiter;
}

/**
 * The Teams side for posts the core starts (no incoming turn): new threads, replies in threads and root
 * card updates, sent through botbuilder's CloudAdapter. Each call is one attempt; failures are classified
 * by `mapConnectorError` (TransientError for 429/412/5xx/network, PermanentError otherwise).
 */
export class BotBuilderTeamsGateway implements TeamsGateway {
  constructor(private readonly options: BotBuilderTeamsGatewayOptions) {}

  private assertAllowed(channel: ChannelAddress, operation: string): void {
    if (!allowedServiceUrlHost(channel.serviceUrl, this.options.serviceUrlHosts)) {
      throw new PermanentError("teams.service_url_refused", `${operation}: serviceUrl host ${hostForLog(channel.serviceUrl)} is not in the allowed list`, {
        userMessage: "The channel's Teams service address is not allowed by this bridge's configuration.",
      });
    }
  }

  /**
   * Starts a thread whose root is the customer card, posted alone: an activity with text and a card is
   * split by Teams and its id is lost (docs/protocols.md B10).
   */
  async startThread(channel: ChannelAddress, root: RootCardModel): Promise<{ thread: TeamsThreadRef; rootMessageId: TeamsMessageId }> {
    this.assertAllowed(channel, "startThread");
    const activity: Partial<Activity> = {
      type: "message",
      summary: rootCardSummary(root),
      attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: buildRootCard(root) }],
    };
    // "Create conversation" counts against the channel's limits like a send (docs/protocols.md B13).
    await this.options.limiter?.acquire([`thread:${channel.channelId}`, `tenant:${channel.tenantId}`]);
    const started = await createChannelThread(this.options.adapter, this.options.botAppId, channel, activity, "startThread");
    this.options.logger.info("teams.thread.started", { rootMessageId: started.rootMessageId });
    return started;
  }

  /**
   * Runs `send` in `thread` of `channel` (a proactive turn addressed by the thread's conversation id,
   * docs/protocols.md B5) and returns its result. One attempt; failures are classified by mapConnectorError.
   */
  private async inThread<T>(
    channel: ChannelAddress,
    thread: TeamsThreadRef,
    operation: string,
    send: (ctx: TurnContext) => Promise<T>,
  ): Promise<T | undefined> {
    this.assertAllowed(channel, operation);
    const parsed = parseThreadRef(thread);
    if (!parsed || parsed.channel !== channel.channelId) {
      throw new PermanentError("teams.thread_mismatch", `${operation}: the thread does not belong to the channel`);
    }
    const reference: Partial<ConversationReference> = {
      channelId: "msteams",
      serviceUrl: channel.serviceUrl,
      conversation: { id: threadRefOf(parsed.channel, parsed.root), isGroup: true, conversationType: "channel", tenantId: channel.tenantId, name: "" },
      bot: { id: `28:${this.options.botAppId}`, name: "" },
    };
    await this.options.limiter?.acquire([`thread:${thread}`, `tenant:${channel.tenantId}`]);
    let result: T | undefined;
    // Errors inside the callback would go to the adapter's onTurnError; capture and rethrow them instead.
    let failure: { error: unknown } | undefined;
    try {
      await this.options.adapter.continueConversationAsync(this.options.botAppId, reference, async (ctx: TurnContext) => {
        try {
          result = await send(ctx);
        } catch (err) {
          failure = { error: err };
        }
      });
    } catch (err) {
      throw aboutThread(mapConnectorError(err, operation), thread);
    }
    if (failure) throw aboutThread(mapConnectorError(failure.error, operation), thread);
    return result;
  }

  /**
   * Posts `post` as a reply in `thread`, addressing the thread by its conversation id (docs/protocols.md B5),
   * and returns the new message's id.
   */
  async postInThread(channel: ChannelAddress, thread: TeamsThreadRef, post: ThreadPost): Promise<TeamsMessageId> {
    const activity: Partial<Activity> =
      post.kind === "image"
        ? imagePostActivity(post)
        : post.kind === "template-card"
          ? staffReplyActivity(post)
          : post.kind === "customer" && post.fallback
            ? { type: "message", text: renderPlainFallback(post), textFormat: "plain" }
            : { type: "message", text: renderThreadPost(post), textFormat: "xml" };
    const send = (what: Partial<Activity>) => this.inThread(channel, thread, "postInThread", async (ctx) => ctx.sendActivity(what));
    let id: string | undefined;
    try {
      id = (await send(activity))?.id;
    } catch (err) {
      // An image too large for the client's message limit (the Playground takes 100 KB): say so in its place.
      if (post.kind !== "image" || !(err instanceof TeamsRefusal) || err.code !== "teams.too_large") throw err;
      this.options.logger.info("teams.image.too_large", { bytes: post.bytes.length });
      id = (await send(imageTooLargeActivity(post)))?.id;
    }
    if (!id) {
      // The post may exist (Teams has been seen answering 202 without an id, docs/protocols.md B5): retrying could duplicate it.
      throw new PermanentError("teams.no_message_id", "postInThread: the Bot Connector accepted the post but returned no id");
    }
    return TeamsMessageId(id);
  }

  /**
   * Asks Teams for one member of the channel's conversation (`GET /v3/conversations/{channel}/pagedmembers`,
   * through TeamsInfo): a read that answers 403 while the app is not in the team, and posts nothing.
   */
  async probe(channel: ChannelAddress): Promise<void> {
    this.assertAllowed(channel, "probe");
    const reference: Partial<ConversationReference> = {
      channelId: "msteams",
      serviceUrl: channel.serviceUrl,
      conversation: { id: channel.channelId, isGroup: true, conversationType: "channel", tenantId: channel.tenantId, name: "" },
      bot: { id: `28:${this.options.botAppId}`, name: "" },
    };
    await this.options.limiter?.acquire([`tenant:${channel.tenantId}`]);
    let failure: { error: unknown } | undefined;
    try {
      await this.options.adapter.continueConversationAsync(this.options.botAppId, reference, async (ctx: TurnContext) => {
        try {
          await TeamsInfo.getPagedMembers(ctx, 1);
        } catch (err) {
          failure = { error: err };
        }
      });
    } catch (err) {
      throw mapConnectorError(err, "probe");
    }
    if (failure) throw mapConnectorError(failure.error, "probe");
  }

  /**
   * Replaces the root card of `thread` in place: `PUT /v3/conversations/{thread}/activities/{rootId}`
   * with an activity holding only the card (text beside a card is refused, toolchain-notes "Updating a
   * message in place"). Safe to retry: the same PUT twice leaves the same card.
   */
  async updateRootCard(channel: ChannelAddress, thread: TeamsThreadRef, rootMessageId: TeamsMessageId, root: RootCardModel): Promise<void> {
    const activity: Partial<Activity> = { type: "message", id: rootMessageId, attachments: [cardAttachment(buildRootCard(root))] };
    await this.inThread(channel, thread, "updateRootCard", async (ctx) => ctx.updateActivity(activity));
    this.options.logger.debug("teams.root_card.updated", { rootMessageId });
  }
}
