import type { Activity, CloudAdapter, ConversationParameters, TurnContext } from "botbuilder";
import { PermanentError } from "../core/errors";
import { parseThreadRef, type TeamsMessageId, type TeamsThreadRef } from "../core/ids";
import type { ChannelAddress } from "../core/model";
import { mapConnectorError } from "./teams-errors";

/**
 * Starts a thread in `channel` whose root is `root` (docs/protocols.md B4). botbuilder returns the created
 * conversation id `<channelId>;messageid=<rootId>` and drops the REST `activityId`, so the root id is
 * parsed from it; an id that is not a thread of this channel is a permanent error. One attempt; failures
 * are classified by mapConnectorError under `operation`.
 */
export async function createChannelThread(
  adapter: Pick<CloudAdapter, "createConversationAsync">,
  botAppId: string,
  channel: ChannelAddress,
  root: Partial<Activity>,
  operation: string,
): Promise<{ thread: TeamsThreadRef; rootMessageId: TeamsMessageId }> {
  const parameters: Partial<ConversationParameters> = {
    isGroup: true,
    channelData: { channel: { id: channel.channelId }, tenant: { id: channel.tenantId } },
    activity: root as Activity,
    tenantId: channel.tenantId,
  };
  let conversationId: string | undefined;
  try {
    // `audience` undefined: botbuilder then uses its configured ToChannelFromBotOAuthScope.
    await adapter.createConversationAsync(
      botAppId,
      "msteams",
      channel.serviceUrl,
      undefined as unknown as string,
      parameters as ConversationParameters,
      async (ctx: TurnContext) => {
        conversationId = ctx.activity.conversation?.id;
      },
    );
  } catch (err) {
    throw mapConnectorError(err, operation);
  }
  const parsed = parseThreadRef(conversationId ?? "");
  if (!parsed || parsed.channel !== channel.channelId) {
    throw new PermanentError(
      "teams.thread_id_unexpected",
      `${operation}: the Bot Connector returned a conversation id that is not a thread of the channel (${conversationId ?? "none"})`,
    );
  }
  return { thread: parsed.thread, rootMessageId: parsed.root };
}
