import type { Block, FormattedText, Inline } from "../formatted-text";

/**
 * Which staff replies in a customer thread leave the tenant. Staff talk to the customer and to each other
 * in the same thread, so anything that looks like talk between colleagues stays in Teams unless the author
 * says otherwise with the send-anyway prefix:
 * - a reply starting with the note prefix (`//`) is a note: never sent, nothing said;
 * - in `mention` mode, a reply that does not mention the bot is not for the customer;
 * - a reply that @mentions anyone but the bot (a person, a tag, a channel, the team) is internal;
 * - a reply carrying a link into the tenant (SharePoint, OneDrive, Teams message links) is refused:
 *   internal documents go out through the channel's files on purpose, not by pasting a link;
 * - everything else is sent; the send-anyway prefix (`!`) skips the last two checks and is removed.
 */

export const DEFAULT_SEND_PREFIX = "!";

export interface ReplyRoutingSettings {
  readonly replyMode: "all" | "mention";
  readonly notePrefix: string;
  readonly sendPrefix: string;
  /** Extra hosts of the organisation (custom SharePoint or OneDrive domains); a leading dot allows subdomains. */
  readonly tenantLinkHosts?: readonly string[];
}

/** What a reply @mentions besides the bot. */
export interface OtherMention {
  readonly kind: "person" | "tag" | "channel" | "team";
  readonly name: string;
}

export type ReplyRoute =
  | { readonly kind: "note" }
  | { readonly kind: "not-addressed" }
  | { readonly kind: "internal-mention"; readonly mentions: readonly OtherMention[] }
  | { readonly kind: "tenant-link"; readonly hosts: readonly string[] }
  | { readonly kind: "send"; readonly body: FormattedText; readonly sentAnyway: boolean };

/** Microsoft 365 hosts whose links point into a tenant: SharePoint and OneDrive for Business in every cloud. */
const TENANT_HOST_SUFFIXES = [".sharepoint.com", ".sharepoint.us", ".sharepoint-mil.us", ".sharepoint.cn", ".sharepoint.de"];
/** Teams links that open a message, channel, file or chat of the tenant (`/l/…` deep links). */
const TEAMS_LINK_HOSTS = ["teams.microsoft.com", "teams.cloud.microsoft", "teams.microsoft.us", "gov.teams.microsoft.us", "dod.teams.microsoft.us"];

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"')\]]+/gi;

function hostMatches(host: string, pattern: string): boolean {
  const p = pattern.toLowerCase();
  return p.startsWith(".") ? host.endsWith(p) || host === p.slice(1) : host === p;
}

/** The tenant host a URL points to, if it is a link into the tenant. */
export function tenantLinkHost(url: string, extraHosts: readonly string[] = []): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const host = parsed.hostname.toLowerCase().replace(/\.$/, "");
  if (TENANT_HOST_SUFFIXES.some((suffix) => host.endsWith(suffix))) return host;
  if (TEAMS_LINK_HOSTS.includes(host) && /^\/l\//i.test(parsed.pathname)) return host;
  if (extraHosts.some((pattern) => hostMatches(host, pattern))) return host;
  return undefined;
}

function inlinesOf(block: Block): readonly Inline[] {
  switch (block.kind) {
    case "paragraph":
      return block.inlines;
    case "list":
      return block.items.flat();
    case "code":
      return [{ kind: "text", text: block.text }];
    case "quote":
      return block.blocks.flatMap(inlinesOf);
  }
}

/** Every URL in a body: link targets and URLs written as text. */
export function urlsIn(body: FormattedText): string[] {
  const urls: string[] = [];
  for (const inline of body.flatMap(inlinesOf)) {
    if (inline.kind === "link") urls.push(inline.href, ...(inline.text.match(URL_IN_TEXT) ?? []));
    else if (inline.kind === "text") urls.push(...(inline.text.match(URL_IN_TEXT) ?? []));
  }
  return urls;
}

/** `body` without `prefix` at the very start of its first text (and the spaces after it). */
export function withoutLeadingPrefix(body: FormattedText, prefix: string): FormattedText {
  const [first, ...rest] = body;
  if (!first || first.kind !== "paragraph") return body;
  const inlines = [...first.inlines];
  const index = inlines.findIndex((i) => i.kind !== "text" || i.text.trim() !== "");
  const head = inlines[index];
  if (!head || head.kind !== "text" || !head.text.trimStart().startsWith(prefix)) return body;
  const remaining = head.text.trimStart().slice(prefix.length).trimStart();
  if (remaining) inlines[index] = { ...head, text: remaining };
  else inlines.splice(index, 1);
  return inlines.length > 0 ? [{ kind: "paragraph", inlines }, ...rest] : rest;
}

/**
 * Decides what happens to a reply in a customer thread. `text` is the plain text of `body`;
 * `mentionsBot` and `mentions` (others than the bot) come from Teams' mention entities.
 */
export function routeStaffReply(
  reply: { readonly body: FormattedText; readonly text: string; readonly mentionsBot: boolean; readonly mentions: readonly OtherMention[] },
  settings: ReplyRoutingSettings,
): ReplyRoute {
  const text = reply.text.trimStart();
  if (text.startsWith(settings.notePrefix)) return { kind: "note" };
  if (settings.replyMode === "mention" && !reply.mentionsBot) return { kind: "not-addressed" };
  if (settings.sendPrefix && text.startsWith(settings.sendPrefix)) {
    return { kind: "send", body: withoutLeadingPrefix(reply.body, settings.sendPrefix), sentAnyway: true };
  }
  if (reply.mentions.length > 0) return { kind: "internal-mention", mentions: reply.mentions };
  const hosts = [
    ...new Set(
      urlsIn(reply.body)
        .map((url) => tenantLinkHost(url, settings.tenantLinkHosts))
        .filter((h): h is string => h !== undefined),
    ),
  ];
  if (hosts.length > 0) return { kind: "tenant-link", hosts };
  return { kind: "send", body: reply.body, sentAnyway: false };
}
