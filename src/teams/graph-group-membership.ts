import { PermanentError, TransientError } from "../core/errors";
import type { AadObjectId, EntraGroupId } from "../core/ids";
import type { GroupMembership } from "./teams-staff-directory";

export interface GraphGroupMembershipOptions {
  /** Microsoft Graph base including the version, e.g. `https://graph.microsoft.com/v1.0`. */
  readonly msGraphUrl: string;
  /** An app-only Graph token; the app needs `GroupMember.Read.All` and `User.Read.All` (application). */
  readonly token: () => Promise<string>;
  /** Per request. Default 5 s: a turn waits on it. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/**
 * Group membership through Microsoft Graph: `POST /users/{id}/checkMemberGroups` with the group's id,
 * which answers the ids (of those asked) the user is a member of, through nested groups too. A user
 * Graph does not know (404) is in no group; anything else that is not an answer throws.
 */
export class GraphGroupMembership implements GroupMembership {
  private readonly msGraphUrl: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: GraphGroupMembershipOptions) {
    this.msGraphUrl = options.msGraphUrl.replace(/\/+$/, "");
    this.fetchFn = options.fetch ?? fetch;
  }

  async inGroup(group: EntraGroupId, person: AadObjectId): Promise<boolean> {
    const token = await this.options.token();
    let response: Response;
    let text: string;
    try {
      response = await this.fetchFn(`${this.msGraphUrl}/users/${encodeURIComponent(person)}/checkMemberGroups`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ groupIds: [group] }),
        redirect: "error",
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
      text = await response.text();
    } catch (err) {
      throw new TransientError("graph.group_unreachable", `checkMemberGroups failed: ${err instanceof Error ? err.name : "error"}`, { cause: err });
    }
    if (response.status === 404) return false;
    if (response.status !== 200) {
      const detail = `checkMemberGroups answered HTTP ${response.status}`;
      throw response.status === 429 || response.status >= 500
        ? new TransientError("graph.group_busy", detail)
        : new PermanentError("graph.group_refused", detail);
    }
    let value: unknown;
    try {
      value = (JSON.parse(text) as { value?: unknown }).value;
    } catch (err) {
      throw new PermanentError("graph.group_bad_answer", "checkMemberGroups answered with a body that is not JSON", { cause: err });
    }
    if (!Array.isArray(value)) throw new PermanentError("graph.group_bad_answer", "checkMemberGroups answered without a value list");
    return value.some((id) => typeof id === "string" && id.toLowerCase() === group.toLowerCase());
  }
}
