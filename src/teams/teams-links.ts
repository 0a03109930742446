import { parseThreadRef } from "../core/ids";
import type { TeamsPlace } from "../core/ports/compliance-gateway";

/**
 * A Teams deep link to a channel message (`https://teams.microsoft.com/l/message/<channel>/<message>`,
 * https://learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/deep-link-teams): the
 * message itself, or the thread's root when the message does not exist. `groupId` (the team's group id)
 * is added when known; Teams opens the thread without it for members of the team. Undefined when the
 * thread reference cannot be read.
 */
export function teamsMessageLink(place: TeamsPlace): string | undefined {
  const parsed = parseThreadRef(place.thread);
  if (!parsed) return undefined;
  const message = place.messageId ?? parsed.root;
  const query = new URLSearchParams({ tenantId: place.tenantId, parentMessageId: parsed.root });
  if (place.teamGroupId) query.set("groupId", place.teamGroupId);
  if (place.channelName) query.set("channelName", place.channelName);
  return `https://teams.microsoft.com/l/message/${encodeURIComponent(parsed.channel)}/${encodeURIComponent(message)}?${query.toString()}`;
}
