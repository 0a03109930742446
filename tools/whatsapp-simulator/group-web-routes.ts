import type { IncomingMessage, ServerResponse } from "node:http";
import type { GroupMessageInput } from "./group-play";
import type { WhatsAppSimulator } from "./simulator";
import { HttpProblem, messageInput, readJson, sendJson, text } from "./web-helpers";

/**
 * The page's API for groups (group-play.ts does the work):
 * - `POST /api/groups` `{subject}` → 201 the group (the bridge hears `group_create`);
 * - `POST /api/groups/{id}/members` `{customerId}` or `{name, phone?, username?}` (a new customer) → 201;
 * - `DELETE /api/groups/{id}/members/{customerId}`: the member leaves → 204;
 * - `POST /api/groups/{id}/subject` `{subject}`: a member renames the group → 204;
 * - `POST /api/groups/{id}/messages` `{authorId, type:"text"|"image"|"document", …}` → 202, ticks follow;
 * - `POST /api/groups/{id}/read` `{memberId}`: that member has the group open → 204.
 * Returns false for any other path.
 */
export async function groupRoutes(sim: WhatsAppSimulator, request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean> {
  const method = request.method ?? "GET";
  const route = /^\/api\/groups(?:\/([^/]+)(?:\/(members|subject|messages|read)(?:\/([^/]+))?)?)?$/.exec(path);
  if (!route) return false;
  const [, rawId, action, rawMember] = route;
  const groupId = rawId !== undefined ? decodeURIComponent(rawId) : undefined;
  try {
    if (groupId === undefined) {
      if (method !== "POST") return false;
      const body = await readJson(request);
      sendJson(response, 201, await sim.groups.createGroup(text(body.subject) ?? ""));
      return true;
    }
    if (!sim.state.group(groupId)) throw new HttpProblem(404, "unknown group");
    if (action === "members" && method === "POST" && rawMember === undefined) {
      const body = await readJson(request);
      const customerId =
        text(body.customerId) ??
        sim.addCustomer({
          name: text(body.name) ?? "",
          ...(text(body.phone) ? { phone: text(body.phone)! } : {}),
          ...(text(body.username) ? { username: text(body.username)! } : {}),
        }).id;
      await sim.groups.join(groupId, customerId);
      sendJson(response, 201, sim.state.group(groupId));
      return true;
    }
    if (action === "members" && method === "DELETE" && rawMember !== undefined) {
      await sim.groups.leave(groupId, decodeURIComponent(rawMember));
      return noContent(response);
    }
    if (action === "subject" && method === "POST") {
      await sim.groups.rename(groupId, text((await readJson(request)).subject) ?? "");
      return noContent(response);
    }
    if (action === "read" && method === "POST") {
      sim.groups.markRead(groupId, text((await readJson(request)).memberId) ?? "");
      return noContent(response);
    }
    if (action === "messages" && method === "POST") {
      const body = await readJson(request);
      const input = messageInput(body);
      if (input.type !== "text" && input.type !== "image" && input.type !== "document")
        throw new HttpProblem(400, "groups take text and media here (Meta documents no other member message types)");
      const authorId = text(body.authorId) ?? "";
      const group = sim.state.group(groupId)!;
      if (!group.members.includes(authorId)) throw new HttpProblem(400, "only members write in a group: add them first");
      // Answer at once: delivery (with retries) shows up as ticks on the event stream.
      sim.groups
        .send(groupId, authorId, input as GroupMessageInput)
        .catch((err: unknown) => console.warn(`whatsapp simulator: group message failed: ${err instanceof Error ? err.message : String(err)}`));
      sendJson(response, 202, { accepted: true });
      return true;
    }
    return false;
  } catch (err) {
    if (err instanceof RangeError) throw new HttpProblem(400, err.message);
    throw err;
  }
}

function noContent(response: ServerResponse): boolean {
  response.writeHead(204);
  response.end();
  return true;
}
