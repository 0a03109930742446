import type { CloudAdapter, ConversationReference, TurnContext } from "botbuilder";
import { PermanentError, TransientError } from "../core/errors";
import type { ChannelAddress } from "../core/model";
import { allowedServiceUrlHost, hostForLog } from "./service-url";

/** What a read of the Bot Connector outside a turn needs: the adapter and the bot's identity. */
export interface ProactiveReader {
  readonly adapter: Pick<CloudAdapter, "continueConversationAsync">;
  readonly botAppId: string;
  readonly serviceUrlHosts: readonly string[];
}

/**
 * Runs `read` in a proactive turn addressed to `conversationId` (a team or a channel of `channel`'s
 * tenant, at its serviceUrl) and returns its result; TeamsInfo's calls need such a turn. One attempt,
 * bounded by `timeoutMs` (a turn that waits on this has 10–15 s in all, docs/protocols.md B7): past it the
 * read counts as failed even if Teams answers later. Errors are thrown as the SDK raised them, so the
 * caller can read Teams' status and code (`connectorFailure`) before classifying them.
 */
export async function readInProactiveTurn<T>(
  reader: ProactiveReader,
  channel: ChannelAddress,
  conversationId: string,
  operation: string,
  read: (ctx: TurnContext) => Promise<T>,
  timeoutMs: number,
): Promise<T> {
  if (!allowedServiceUrlHost(channel.serviceUrl, reader.serviceUrlHosts)) {
    throw new PermanentError("teams.service_url_refused", `${operation}: serviceUrl host ${hostForLog(channel.serviceUrl)} is not in the allowed list`);
  }
  const reference: Partial<ConversationReference> = {
    channelId: "msteams",
    serviceUrl: channel.serviceUrl,
    conversation: { id: conversationId, isGroup: true, conversationType: "channel", tenantId: channel.tenantId, name: "" },
    bot: { id: `28:${reader.botAppId}`, name: "" },
  };
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TransientError("teams.read_timeout", `${operation}: no answer from the Bot Connector within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  const work = (async () => {
    let result: { value: T } | undefined;
    // Errors inside the callback would go to the adapter's onTurnError: capture them instead.
    let failure: { error: unknown } | undefined;
    await reader.adapter.continueConversationAsync(reader.botAppId, reference, async (ctx: TurnContext) => {
      try {
        result = { value: await read(ctx) };
      } catch (err) {
        failure = { error: err };
      }
    });
    if (failure) throw failure.error;
    if (!result) throw new PermanentError("teams.no_turn", `${operation}: the proactive turn did not run`);
    return result.value;
  })();
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
    // A late failure of the abandoned read is not anyone's concern any more.
    work.catch(() => {});
  }
}

/** Teams' status and error code of a failed Bot Connector call (botframework-connector's errors carry both). */
export function connectorFailure(err: unknown): { status?: number; code?: string } {
  if (typeof err !== "object" || err === null) return {};
  const e = err as { statusCode?: unknown; code?: unknown; response?: { status?: unknown } };
  const status = typeof e.statusCode === "number" ? e.statusCode : typeof e.response?.status === "number" ? e.response.status : undefined;
  return { ...(status !== undefined ? { status } : {}), ...(typeof e.code === "string" ? { code: e.code } : {}) };
}
