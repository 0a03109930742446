import { describeError } from "../core/errors";
import { parseThreadRef, TeamsMessageId, threadRefOf, type ConversationKey, type WaMessageId } from "../core/ids";
import type { Logger } from "../core/ports/logger";
import type { ChannelLocation, PostLookup, RootLookup, ThreadHistory, ThreadLocation } from "../core/ports/thread-history";
import { hasPostMarker, postMarker } from "./post-marker";

export interface GraphThreadHistoryOptions {
  /** Microsoft Graph base including the version, e.g. `https://graph.microsoft.com/v1.0`. */
  readonly msGraphUrl: string;
  /**
   * An app-only Graph token (client credentials or managed identity). The app needs the RSC permission
   * `ChannelMessage.Read.Group` on the team (appPackage/manifest.json asks for it).
   */
  readonly token: () => Promise<string>;
  readonly logger: Logger;
  /** Pages of replies read at most (Graph's `$top` maximum is 50 per page). Default 10, i.e. 500 replies. */
  readonly maxPages?: number;
  /** Per request. Default 10 s: this runs while a contact's lane waits. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/** A reply as Graph returns it (chatMessage), the fields read here. */
interface ChatMessage {
  readonly id?: unknown;
  readonly attachments?: ReadonlyArray<{ readonly content?: unknown }> | null;
  readonly from?: { readonly application?: { readonly id?: unknown } | null; readonly user?: unknown } | null;
  readonly body?: { readonly content?: unknown } | null;
}

interface RepliesPage {
  readonly value?: readonly ChatMessage[];
  readonly "@odata.nextLink"?: unknown;
}

/** A start cut short happened after the reservation; a minute of slack for clocks that disagree. */
const CLOCK_SLACK_MS = 60_000;

const PAGE_SIZE = 50;

/**
 * `ThreadHistory` over Microsoft Graph: `GET /teams/{group}/channels/{channel}/messages/{root}/replies`
 * (docs/protocols.md B6; permission RSC `ChannelMessage.Read.Group`, app-only token), following
 * `@odata.nextLink` for at most `maxPages` pages. A reply counts only when an application posted it (a
 * person quoting the post also shows its reference) and its body shows the post's marker. Graph does
 * not promise an order, so "absent" needs the whole thread read; a longer thread is `unknown`.
 */
export class GraphThreadHistory implements ThreadHistory {
  private readonly msGraphUrl: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: GraphThreadHistoryOptions) {
    this.msGraphUrl = options.msGraphUrl.replace(/\/+$/, "");
    this.fetchFn = options.fetch ?? fetch;
  }

  async findPost(where: ThreadLocation, wamid: WaMessageId): Promise<PostLookup> {
    const parsed = parseThreadRef(where.thread);
    if (!parsed) return { kind: "unknown", why: "not a channel thread" };
    const marker = postMarker(wamid);
    const path = ["teams", where.teamGroupId, "channels", parsed.channel, "messages", parsed.root, "replies"].map(encodeURIComponent).join("/");
    let url: string | undefined = `${this.msGraphUrl}/${path}?$top=${PAGE_SIZE}`;
    try {
      const token = await this.options.token();
      for (let page = 0; page < (this.options.maxPages ?? 10) && url; page++) {
        const body = await this.getPage(url, token);
        if (typeof body === "string") return { kind: "unknown", why: body };
        const found = (body.value ?? []).find(
          (reply) => isFromApplication(reply) && typeof reply.body?.content === "string" && hasPostMarker(reply.body.content, marker),
        );
        if (found && typeof found.id === "string") return { kind: "found", id: TeamsMessageId(found.id) };
        const next = body["@odata.nextLink"];
        // Only Graph's own pages are followed: the token must not go anywhere else.
        url = typeof next === "string" && next.startsWith(`${this.msGraphUrl}/`) ? next : undefined;
      }
      return url ? { kind: "unknown", why: "thread longer than the pages read" } : { kind: "absent" };
    } catch (err) {
      this.options.logger.warn("teams.history.failed", { error: describeError(err) });
      return { kind: "unknown", why: err instanceof Error ? err.name : "error" };
    }
  }

  /**
   * `GET /teams/{group}/channels/{channel}/messages/delta?$filter=lastModifiedDateTime gt <since>`: the
   * channel's thread roots changed since the reservation (a root card is created then, or updated since),
   * following `@odata.nextLink` for at most `maxPages` pages until Graph's `@odata.deltaLink` (the end).
   * A root counts when an application posted it and its card shows the contact's marker.
   */
  async findThreadRoot(where: ChannelLocation, contact: ConversationKey, since: number): Promise<RootLookup> {
    const marker = postMarker(contact);
    const path = ["teams", where.teamGroupId, "channels", where.channel.channelId, "messages", "delta"].map(encodeURIComponent).join("/");
    const filter = encodeURIComponent(`lastModifiedDateTime gt ${new Date(since - CLOCK_SLACK_MS).toISOString()}`);
    let url: string | undefined = `${this.msGraphUrl}/${path}?$top=${PAGE_SIZE}&$filter=${filter}`;
    try {
      const token = await this.options.token();
      for (let page = 0; page < (this.options.maxPages ?? 10) && url; page++) {
        const body = await this.getPage(url, token);
        if (typeof body === "string") return { kind: "unknown", why: body };
        const found = (body.value ?? []).find((root) => isFromApplication(root) && showsMarker(root, marker));
        if (found && typeof found.id === "string") {
          const rootMessageId = TeamsMessageId(found.id);
          return { kind: "found", thread: threadRefOf(where.channel.channelId, rootMessageId), rootMessageId };
        }
        const next = body["@odata.nextLink"];
        url = typeof next === "string" && next.startsWith(`${this.msGraphUrl}/`) ? next : undefined;
      }
      return url ? { kind: "unknown", why: "more changed threads than the pages read" } : { kind: "absent" };
    } catch (err) {
      this.options.logger.warn("teams.history.failed", { error: describeError(err) });
      return { kind: "unknown", why: err instanceof Error ? err.name : "error" };
    }
  }

  /** One page, or why it could not be read (a status, never the response text: it may quote content). */
  private async getPage(url: string, token: string): Promise<RepliesPage | string> {
    const response = await this.fetchFn(url, {
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
      redirect: "error",
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      return `Graph answered HTTP ${response.status}`;
    }
    const parsed = (await response.json()) as unknown;
    return typeof parsed === "object" && parsed !== null ? (parsed as RepliesPage) : "Graph answered with a body that is not an object";
  }
}

/** Posted by an app (the bot), not by a person: Graph sets `from.application` and leaves `from.user` null. */
function isFromApplication(reply: ChatMessage): boolean {
  return !!reply.from?.application && !reply.from.user;
}

/** The root card (an attachment whose content is the card's JSON as a string) or the body shows `ref <marker>`. */
function showsMarker(root: ChatMessage, marker: string): boolean {
  if (typeof root.body?.content === "string" && hasPostMarker(root.body.content, marker)) return true;
  return (root.attachments ?? []).some((a) => typeof a.content === "string" && hasPostMarker(a.content, marker));
}
