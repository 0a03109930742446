import type { IncomingMessage } from "node:http";
import { GroupStore, newInviteLink, newRequestId, type StandinGroup, type StandinGroupParticipant } from "./group-store";
import { errorEnvelope, invalidParameterEnvelope, invalidTokenEnvelope, type GraphErrorObject } from "./meta-responses";

/**
 * The Groups API endpoints (docs/protocols.md A17.2), as the stand-in answers them:
 * - `POST /{phone}/groups` `{subject, description?, join_approval_mode?}` → `{messaging_product, request_id}`;
 *   `GET /{phone}/groups` → `{data: {groups: [{id, subject, created_at}]}, paging}`;
 * - `GET /{group}?fields=…`, `POST /{group}` (subject/description), `DELETE /{group}`;
 * - `GET|POST /{group}/invite_link`, `DELETE /{group}/participants`, `GET /{group}/join_requests` (none pending).
 * Meta shows no answer body for a settings update or a participant removal; their webhooks carry a
 * `request_id`, so the stand-in answers `{messaging_product, request_id}` for both.
 * A deleted group answers 131041 ("group unknown"); an id never seen is not a group path at all.
 */

export interface GroupAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface GroupContext {
  readonly store: GroupStore;
  readonly version: string;
  readonly authorised: boolean;
  readonly readBody: () => Promise<Buffer>;
}

const MAX_SUBJECT = 128;
const MAX_DESCRIPTION = 2048;
const MAX_PARTICIPANTS_PER_CALL = 8;
const INFO_FIELDS = ["subject", "description", "suspended", "creation_timestamp", "participants", "total_participant_count", "join_approval_mode"] as const;

const json = (status: number, value: unknown): GroupAnswer => ({
  status,
  body: JSON.stringify(value),
  headers: { "content-type": "application/json; charset=UTF-8" },
});
const graphError = (status: number, error: GraphErrorObject): GroupAnswer => json(status, errorEnvelope(error));
const invalid = (details: string) => json(400, invalidParameterEnvelope(details));
const length = (s: string) => Array.from(s).length;

/** Meta's "group unknown": the group does not exist, or the business is no longer in it. */
export const GROUP_UNKNOWN: GraphErrorObject = {
  message: "(#131041) Group unknown",
  code: 131041,
  error_data: { details: "The group was not found, either because it doesn't exist or you are not a member." },
};
export const GROUP_SUSPENDED: GraphErrorObject = {
  message: "(#131207) Group suspended",
  code: 131207,
  error_data: { details: "The group violates platform policies." },
};
export const SINGLE_MEMBER_GROUP: GraphErrorObject = {
  message: "(#131020) Bad Group",
  code: 131020,
  error_data: { details: "Cannot send messages to single member groups." },
};

async function jsonBody(ctx: GroupContext): Promise<Record<string, unknown>> {
  try {
    const value = JSON.parse((await ctx.readBody()).toString("utf8")) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch (err) {
    if (err instanceof SyntaxError) return {};
    throw err;
  }
}

/** Answers a Groups API request, or returns undefined when the path is not one. */
export async function answerGroupRequest(request: IncomingMessage, url: URL, ctx: GroupContext): Promise<GroupAnswer | undefined> {
  const method = request.method ?? "GET";
  const parts = url.pathname
    .split("/")
    .filter((p) => p !== "")
    .map(decodeURIComponent);
  if (parts[0] !== ctx.version) return undefined;
  const [, node = "", edge] = parts;
  if (parts.length === 3 && edge === "groups" && (method === "POST" || method === "GET")) {
    if (!ctx.authorised) return json(401, invalidTokenEnvelope());
    return method === "POST" ? create(node, await jsonBody(ctx), ctx.store) : json(200, listPage(ctx.store.list(node), url));
  }
  const known = ctx.store.known(node);
  if (!known || parts.length > 3) return undefined;
  if (!ctx.authorised) return json(401, invalidTokenEnvelope());
  const group = ctx.store.get(node);
  if (!group) return graphError(400, GROUP_UNKNOWN);

  if (parts.length === 2 && method === "GET") return json(200, groupInfo(group, url.searchParams.get("fields")));
  if (parts.length === 2 && method === "POST") return update(group, await jsonBody(ctx), ctx.store);
  if (parts.length === 2 && method === "DELETE") {
    group.deleted = true;
    ctx.store.announce({ kind: "delete", requestId: newRequestId(), group });
    return json(200, { success: true });
  }
  if (edge === "invite_link" && (method === "GET" || method === "POST")) {
    if (method === "POST") {
      group.inviteLink = newInviteLink();
      ctx.store.announce({ kind: "reset_invite_link", group });
    }
    return json(200, { messaging_product: "whatsapp", invite_link: group.inviteLink });
  }
  if (edge === "participants" && method === "DELETE") return removeParticipants(group, await jsonBody(ctx), ctx.store);
  if (edge === "join_requests" && method === "GET") return json(200, { data: [] });
  return undefined;
}

function create(phoneNumberId: string, body: Record<string, unknown>, store: GroupStore): GroupAnswer {
  if (body.messaging_product !== "whatsapp") return invalid("The parameter messaging_product is required.");
  const subject = typeof body.subject === "string" ? body.subject.trim() : "";
  if (subject === "") return invalid("The parameter subject is required.");
  if (length(subject) > MAX_SUBJECT) return invalid(`Param subject must be at most ${MAX_SUBJECT} characters long.`);
  const description = typeof body.description === "string" ? body.description : undefined;
  if (description !== undefined && length(description) > MAX_DESCRIPTION)
    return invalid(`Param description must be at most ${MAX_DESCRIPTION} characters long.`);
  const mode: unknown = body.join_approval_mode ?? "auto_approve";
  if (mode !== "auto_approve" && mode !== "approval_required") return invalid("Param join_approval_mode must be one of {auto_approve, approval_required}.");
  const joinApprovalMode: StandinGroup["joinApprovalMode"] = mode;
  const requestId = newRequestId();
  const failure = store.takeCreateFailure();
  const common = { kind: "create" as const, requestId, phoneNumberId, subject, joinApprovalMode, ...(description !== undefined ? { description } : {}) };
  // Creation is asynchronous at Meta: the answer is only a request id, success or failure comes by webhook.
  if (failure) store.announce({ ...common, error: failure });
  else store.announce({ ...common, group: store.add({ phoneNumberId, subject, joinApprovalMode, ...(description !== undefined ? { description } : {}) }) });
  return json(200, { messaging_product: "whatsapp", request_id: requestId });
}

function update(group: StandinGroup, body: Record<string, unknown>, store: GroupStore): GroupAnswer {
  const subject = typeof body.subject === "string" ? body.subject.trim() : undefined;
  const description = typeof body.description === "string" ? body.description : undefined;
  if (subject !== undefined && (subject === "" || length(subject) > MAX_SUBJECT)) return invalid(`Param subject must be 1 to ${MAX_SUBJECT} characters long.`);
  if (description !== undefined && length(description) > MAX_DESCRIPTION)
    return invalid(`Param description must be at most ${MAX_DESCRIPTION} characters long.`);
  if (subject !== undefined) group.subject = subject;
  if (description !== undefined) group.description = description;
  const requestId = newRequestId();
  store.announce({ kind: "update", requestId, group, ...(subject !== undefined ? { subject } : {}), ...(description !== undefined ? { description } : {}) });
  return json(200, { messaging_product: "whatsapp", request_id: requestId });
}

function removeParticipants(group: StandinGroup, body: Record<string, unknown>, store: GroupStore): GroupAnswer {
  const list = Array.isArray(body.participants) ? (body.participants as unknown[]) : [];
  if (list.length === 0) return invalid("The parameter participants is required.");
  if (list.length > MAX_PARTICIPANTS_PER_CALL) return invalid(`Param participants must have at most ${MAX_PARTICIPANTS_PER_CALL} items.`);
  const removed: Array<{ input: string; participant: StandinGroupParticipant }> = [];
  const failed: string[] = [];
  for (const item of list) {
    const entry = (item ?? {}) as { user?: unknown; user_id?: unknown };
    const byPhone = typeof entry.user === "string" ? entry.user : undefined;
    const byBsuid = typeof entry.user_id === "string" ? entry.user_id : undefined;
    if ((byPhone === undefined) === (byBsuid === undefined)) return invalid("Each participant needs either user or user_id, not both.");
    const input = (byPhone ?? byBsuid)!;
    const digits = byPhone?.replace(/\D/g, "");
    const participant = group.participants.find((p) => (digits !== undefined ? p.wa_id === digits : p.user_id === byBsuid));
    if (participant) removed.push({ input, participant });
    else failed.push(input);
  }
  group.participants = group.participants.filter((p) => !removed.some((r) => r.participant === p));
  const requestId = newRequestId();
  store.announce({ kind: "remove_participants", requestId, group, removed, failed });
  return json(200, { messaging_product: "whatsapp", request_id: requestId });
}

/** `GET /{group-id}?fields=…`: id and messaging_product always, the rest only when asked for. */
export function groupInfo(group: StandinGroup, fields: string | null): Record<string, unknown> {
  const asked = new Set(
    (fields ?? "")
      .split(",")
      .map((f) => f.trim())
      .filter((f) => f !== ""),
  );
  const values: Record<(typeof INFO_FIELDS)[number], unknown> = {
    subject: group.subject,
    description: group.description,
    suspended: group.suspended,
    creation_timestamp: group.creationTimestamp,
    participants: group.participants.map((p) => ({ ...p })),
    total_participant_count: group.participants.length,
    join_approval_mode: group.joinApprovalMode,
  };
  const out: Record<string, unknown> = { messaging_product: "whatsapp", id: group.id };
  for (const field of INFO_FIELDS) if (asked.has(field) && values[field] !== undefined) out[field] = values[field];
  return out;
}

function listPage(groups: readonly StandinGroup[], url: URL): object {
  const limit = Math.max(1, Math.min(Number(url.searchParams.get("limit")) || 25, 1024));
  const after = url.searchParams.get("after");
  const start = after ? Math.max(0, Number(Buffer.from(after, "base64url").toString("utf8")) || 0) : 0;
  const page = groups.slice(start, start + limit).map((g) => ({ id: g.id, subject: g.subject, created_at: String(g.creationTimestamp) }));
  const end = start + page.length;
  const cursor = (n: number) => Buffer.from(String(n)).toString("base64url");
  const paging: Record<string, unknown> = { cursors: { before: cursor(start), after: cursor(end) } };
  if (end < groups.length) {
    const next = new URL(url.toString());
    next.searchParams.set("after", cursor(end));
    paging.next = next.toString();
  }
  return { data: { groups: page }, paging };
}

/**
 * Meta's synchronous checks of a send to a group (docs/protocols.md A17.2, A17.7): `to` must be a live group of this number that
 * has someone besides the business and is not suspended; a group id sent as an individual is refused.
 */
export function groupSendProblem(
  body: Record<string, unknown>,
  phoneNumberId: string,
  store: GroupStore,
): { httpStatus: number; error: GraphErrorObject } | undefined {
  const to = typeof body.to === "string" ? body.to : undefined;
  if (body.recipient_type !== "group") {
    return to !== undefined && store.known(to)
      ? {
          httpStatus: 400,
          error: {
            message: "(#100) Invalid parameter",
            code: 100,
            error_data: { details: "The recipient_type does not match the type of the to parameter: use recipient_type group for a group id." },
          },
        }
      : undefined;
  }
  const group = to !== undefined ? store.get(to) : undefined;
  if (!group || group.phoneNumberId !== phoneNumberId) return { httpStatus: 400, error: GROUP_UNKNOWN };
  if (group.suspended) return { httpStatus: 403, error: GROUP_SUSPENDED };
  if (group.participants.length === 0) return { httpStatus: 400, error: SINGLE_MEMBER_GROUP };
  return undefined;
}
