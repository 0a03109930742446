import type { IncomingMessage, ServerResponse } from "node:http";
import type { RecordedConversation, RecordedPost, RecordedUpdate } from "./standin-types";

/**
 * The Microsoft Graph read of a channel thread, served from what the Bot Connector stand-in stored:
 * `GET /v1.0/teams/{group}/channels/{channel}/messages/{root}/replies` (docs/protocols.md B6; Graph's
 * chatMessage list), `$top` (default 20, at most 50) and `@odata.nextLink` paging, newest first, a Bearer
 * check. Each reply is what Teams would keep of a bot post: the body as HTML with attributes and hidden
 * elements dropped (Teams sanitises bot markup), `from.application` set and `from.user` null. A channel
 * answers only under the group it was registered with (`addTeam`), like Graph's 404 for a wrong team.
 *
 * Also `GET /v1.0/teams/{group}/channels/{channel}/messages/delta?$filter=lastModifiedDateTime gt <time>`:
 * the channel's top-level messages (the threads' roots: the bot's root cards) changed since then, each
 * card as an attachment whose `content` is the card's JSON as a string, like Graph's chatMessage.
 */

/** What the stand-in recorded, as far as Graph shows it. */
export interface GraphVisibleLog {
  readonly posts: readonly RecordedPost[];
  readonly created: readonly RecordedConversation[];
  readonly updates: readonly RecordedUpdate[];
}

export interface GraphRepliesOptions {
  /** Decides whether a Graph request's Authorization header is acceptable; default: any Bearer token. */
  readonly authorize?: (authorization: string | undefined) => boolean | Promise<boolean>;
}

/** A Graph request, as received. */
export interface RecordedGraphRequest {
  readonly path: string;
  readonly query: string;
  readonly authorized: boolean;
  readonly status: number;
}

const PATH = /^\/v1\.0\/teams\/([^/]+)\/channels\/([^/]+)\/messages\/([^/]+)\/replies$/;
const DELTA_PATH = /^\/v1\.0\/teams\/([^/]+)\/channels\/([^/]+)\/messages\/delta$/;
const DELTA_FILTER = /^lastModifiedDateTime gt (\S+)$/;

const graphError = (code: string, message: string) => ({ error: { code, message } });

/** What Teams keeps of a bot's HTML: elements hidden from view go, attributes go except a link's href. */
export function storedHtml(html: string): string {
  const withoutHidden = html.replace(/<(\w+)[^>]*\s(?:hidden|style="[^"]*display:\s*none[^"]*")[^>]*>[\s\S]*?<\/\1>/gi, "").replace(/<!--[\s\S]*?-->/g, "");
  const bare = withoutHidden.replace(/<(\/?)(\w+)((?:\s[^>]*)?)>/g, (_, slash: string, tag: string, attrs: string) => {
    const href = tag.toLowerCase() === "a" && !slash ? (/\shref="[^"]*"/i.exec(attrs)?.[0] ?? "") : "";
    return `<${slash}${tag}${href}>`;
  });
  return `<div>${bare}</div>`;
}

function toReply(post: RecordedPost, root: string): Record<string, unknown> {
  const text = typeof post.activity.text === "string" ? post.activity.text : "";
  const from = post.activity.from as { id?: unknown; name?: unknown } | undefined;
  const appId = typeof from?.id === "string" ? from.id.replace(/^28:/, "") : "00000000-0000-0000-0000-000000000000";
  const created = new Date(Number(post.id)).toISOString();
  return {
    id: post.id,
    replyToId: root,
    etag: post.id,
    messageType: "message",
    createdDateTime: created,
    lastModifiedDateTime: created,
    deletedDateTime: null,
    from: {
      application: { id: appId, displayName: typeof from?.name === "string" ? from.name : "Bot", applicationIdentityType: "bot" },
      device: null,
      user: null,
    },
    body: { contentType: "html", content: text ? storedHtml(text) : "" },
    attachments: [],
  };
}

/** A thread's root as Graph lists it: the card the bot created the thread with, as last updated. */
function toRoot(created: RecordedConversation, updates: readonly RecordedUpdate[]): Record<string, unknown> & { lastModifiedDateTime: string } {
  const latest = [...updates].reverse().find((u) => u.conversationId === created.conversationId && u.activityId === created.activityId);
  const activity = latest?.activity ?? (created.parameters.activity as Record<string, unknown> | undefined) ?? {};
  const attachments = Array.isArray(activity.attachments) ? (activity.attachments as Array<Record<string, unknown>>) : [];
  const createdAt = new Date(created.at ?? 0).toISOString();
  const modified = new Date(Math.max(created.at ?? 0, latest?.at ?? 0)).toISOString();
  return {
    id: created.activityId,
    replyToId: null,
    messageType: "message",
    createdDateTime: createdAt,
    lastModifiedDateTime: modified,
    from: { application: { id: "00000000-0000-0000-0000-000000000000", displayName: "Bot", applicationIdentityType: "bot" }, device: null, user: null },
    body: { contentType: "html", content: attachments.map((a, i) => `<attachment id="${created.activityId}-${i}"></attachment>`).join("") },
    attachments: attachments.map((a, i) => ({ id: `${created.activityId}-${i}`, contentType: a.contentType, content: JSON.stringify(a.content ?? null) })),
  };
}

/** The Graph side of the stand-in: registered teams, an optional outage, the requests seen. */
export class GraphReplies {
  private readonly teams = new Map<string, Set<string>>();
  private failure: number | undefined;
  readonly requests: RecordedGraphRequest[] = [];

  constructor(private readonly options: GraphRepliesOptions = {}) {}

  /** Puts `channelIds` in the team whose group id is `groupId`. */
  addTeam(groupId: string, channelIds: readonly string[]): void {
    const channels = this.teams.get(groupId) ?? new Set<string>();
    for (const id of channelIds) channels.add(id);
    this.teams.set(groupId, channels);
  }

  /** While set, every Graph request is answered with this status (an outage); undefined ends it. */
  setFailure(status: number | undefined): void {
    this.failure = status;
  }

  /** True for the paths served here (checked before any Bot Connector handling: no injected faults apply). */
  handles(path: string): boolean {
    return path.startsWith("/v1.0/");
  }

  async serve(request: IncomingMessage, response: ServerResponse, log: GraphVisibleLog, origin: string): Promise<void> {
    try {
      await this.answer(request, response, log, origin);
    } catch (err) {
      // A throwing `authorize` (a test's bug) must not become an unhandled rejection of the server.
      if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify(graphError("InternalServerError", String(err))));
    }
  }

  private async answer(request: IncomingMessage, response: ServerResponse, log: GraphVisibleLog, origin: string): Promise<void> {
    const url = new URL(request.url ?? "/", origin);
    const authorization = request.headers.authorization;
    const authorized = /^Bearer \S+$/.test(authorization ?? "") && (this.options.authorize ? await this.options.authorize(authorization) : true);
    const reply = (status: number, body: unknown) => {
      this.requests.push({ path: url.pathname, query: url.search, authorized, status });
      const payload = JSON.stringify(body);
      response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(payload)) });
      response.end(payload);
    };
    if (this.failure !== undefined) return reply(this.failure, graphError("ServiceNotAvailable", "injected outage"));
    if (!authorized) return reply(401, graphError("InvalidAuthenticationToken", "Access token is empty or invalid."));
    const delta = request.method === "GET" ? DELTA_PATH.exec(url.pathname) : null;
    if (delta) {
      const [group, channel] = delta.slice(1).map((p) => decodeURIComponent(p)) as [string, string];
      if (!this.teams.get(group)?.has(channel)) return reply(404, graphError("NotFound", "No team found with Group Id or channel not in team."));
      const filter = DELTA_FILTER.exec(url.searchParams.get("$filter") ?? "");
      const since = filter ? Date.parse(filter[1]!) : Number.NaN;
      if (url.searchParams.has("$filter") && Number.isNaN(since)) return reply(400, graphError("BadRequest", "Invalid filter clause"));
      const roots = log.created
        .filter((c) => c.conversationId.startsWith(`${channel};`))
        .map((c) => toRoot(c, log.updates))
        .filter((r) => Number.isNaN(since) || Date.parse(r.lastModifiedDateTime) > since);
      const top = Math.min(Number(url.searchParams.get("$top") ?? 20) || 20, 50);
      const skip = Number(url.searchParams.get("$skiptoken") ?? 0) || 0;
      const page = roots.slice(skip, skip + top);
      const more = skip + top < roots.length;
      const link = more
        ? { "@odata.nextLink": `${origin}${url.pathname}?$top=${top}&$skiptoken=${skip + top}${filter ? `&$filter=${encodeURIComponent(filter[0])}` : ""}` }
        : { "@odata.deltaLink": `${origin}${url.pathname}?$deltatoken=${roots.length}` };
      return reply(200, { "@odata.context": `${origin}/v1.0/$metadata#Collection(chatMessage)`, value: page, ...link });
    }
    const match = request.method === "GET" ? PATH.exec(url.pathname) : null;
    if (!match) return reply(404, graphError("NotFound", "Resource not found for the segment."));
    const [group, channel, root] = match.slice(1).map((p) => decodeURIComponent(p)) as [string, string, string];
    if (!this.teams.get(group)?.has(channel)) return reply(404, graphError("NotFound", "No team found with Group Id or channel not in team."));
    const top = Math.min(Number(url.searchParams.get("$top") ?? 20) || 20, 50);
    const skip = Number(url.searchParams.get("$skiptoken") ?? 0) || 0;
    const thread = `${channel};messageid=${root}`;
    const replies = log.posts.filter((p) => p.conversationId === thread).reverse();
    const page = replies.slice(skip, skip + top).map((p) => toReply(p, root));
    const next = skip + top < replies.length ? `${origin}${url.pathname}?$top=${top}&$skiptoken=${skip + top}` : undefined;
    reply(200, {
      "@odata.context": `${origin}/v1.0/$metadata#chatMessages`,
      "@odata.count": page.length,
      value: page,
      ...(next ? { "@odata.nextLink": next } : {}),
    });
  }
}
