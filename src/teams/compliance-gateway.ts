import type { Activity, CloudAdapter, ConversationReference, TurnContext } from "botbuilder";
import { describeError, PermanentError } from "../core/errors";
import { parseThreadRef, TeamsMessageId, threadRefOf, type TeamsThreadRef } from "../core/ids";
import type { ChannelAddress } from "../core/model";
import type { Logger } from "../core/ports/logger";
import type { ComplianceGateway, CompliancePost, CompliancePostOptions } from "../core/ports/compliance-gateway";
import { cardAttachment } from "./cards/adaptive-card";
import { complianceCard } from "./cards/compliance-card";
import { complianceText } from "./compliance-text";
import { allowedServiceUrlHost, hostForLog } from "./service-url";
import { createChannelThread } from "./channel-thread";
import { mapConnectorError } from "./teams-errors";

export interface BotBuilderComplianceGatewayOptions {
  readonly adapter: Pick<CloudAdapter, "createConversationAsync" | "continueConversationAsync">;
  readonly botAppId: string;
  readonly serviceUrlHosts: readonly string[];
  readonly logger: Logger;
}

/**
 * The compliance posts in Teams, through botbuilder's CloudAdapter: the text as a plain-text message (a
 * new thread's root, or a reply), then the report's card as a reply of its own (text beside a card makes
 * Teams split the message, docs/protocols.md B10). The text is the record: once it is posted the call
 * succeeds, and a card Teams refuses is logged. Rate limits are applied by the adapter's connector
 * client (rate-limiter.ts), like every other Bot Connector call.
 */
export class BotBuilderComplianceGateway implements ComplianceGateway {
  constructor(private readonly options: BotBuilderComplianceGatewayOptions) {}

  async startThread(
    channel: ChannelAddress,
    post: CompliancePost,
    options: CompliancePostOptions = {},
  ): Promise<{ thread: TeamsThreadRef; rootMessageId: TeamsMessageId }> {
    this.assertAllowed(channel, "compliance.startThread");
    const started = await createChannelThread(this.options.adapter, this.options.botAppId, channel, textActivity(post, options), "compliance.startThread");
    await this.postCard(channel, started.thread, post, options);
    return started;
  }

  async postInThread(channel: ChannelAddress, thread: TeamsThreadRef, post: CompliancePost): Promise<TeamsMessageId> {
    const id = await this.send(channel, thread, textActivity(post, {}), "compliance.postInThread");
    await this.postCard(channel, thread, post, {});
    return id;
  }

  private async postCard(channel: ChannelAddress, thread: TeamsThreadRef, post: CompliancePost, options: CompliancePostOptions): Promise<void> {
    const card = complianceCard(post, options);
    if (!card) return;
    try {
      await this.send(channel, thread, { type: "message", attachments: [cardAttachment(card)] }, "compliance.postCard");
    } catch (err) {
      // The text above holds every figure: the record is complete without the card.
      this.options.logger.warn("compliance.card_not_posted", { kind: post.kind, error: describeError(err) });
    }
  }

  /** Sends `activity` in `thread` (a proactive turn addressed by the thread's conversation id); returns its id. */
  private async send(channel: ChannelAddress, thread: TeamsThreadRef, activity: Partial<Activity>, operation: string): Promise<TeamsMessageId> {
    this.assertAllowed(channel, operation);
    const parsed = parseThreadRef(thread);
    if (!parsed || parsed.channel !== channel.channelId)
      throw new PermanentError("teams.thread_mismatch", `${operation}: the thread does not belong to the channel`);
    const reference: Partial<ConversationReference> = {
      channelId: "msteams",
      serviceUrl: channel.serviceUrl,
      conversation: { id: threadRefOf(parsed.channel, parsed.root), isGroup: true, conversationType: "channel", tenantId: channel.tenantId, name: "" },
      bot: { id: `28:${this.options.botAppId}`, name: "" },
    };
    let id: string | undefined;
    let failure: { error: unknown } | undefined;
    try {
      await this.options.adapter.continueConversationAsync(this.options.botAppId, reference, async (ctx: TurnContext) => {
        try {
          id = (await ctx.sendActivity(activity))?.id;
        } catch (err) {
          failure = { error: err };
        }
      });
    } catch (err) {
      throw mapConnectorError(err, operation);
    }
    if (failure) throw mapConnectorError(failure.error, operation);
    // The post may exist (Teams has answered 202 without an id): not certain, so no retry here.
    if (!id) throw new PermanentError("teams.no_message_id", `${operation}: the Bot Connector accepted the post but returned no id`);
    return TeamsMessageId(id);
  }

  private assertAllowed(channel: ChannelAddress, operation: string): void {
    if (!allowedServiceUrlHost(channel.serviceUrl, this.options.serviceUrlHosts)) {
      throw new PermanentError("teams.service_url_refused", `${operation}: serviceUrl host ${hostForLog(channel.serviceUrl)} is not in the allowed list`, {
        userMessage: "The channel's Teams service address is not allowed by this bridge's configuration.",
      });
    }
  }
}

/** The post's text as a plain-text message: Teams shows it as written and search finds every word. */
function textActivity(post: CompliancePost, options: CompliancePostOptions): Partial<Activity> {
  return { type: "message", text: complianceText(post, options), textFormat: "plain" };
}
