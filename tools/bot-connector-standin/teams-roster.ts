/**
 * Teams' teams, channels and rosters as the Bot Connector serves them to a bot (learn.microsoft.com,
 * "Get Teams specific context for your bot"): one member (`GET /v3/conversations/{team or channel}/
 * members/{user}`, the user named by Teams id, object id or UPN; 404 `MemberNotFoundInConversation`
 * when they are not in it), a team's details (`GET /v3/teams/{team}`, with its Microsoft 365 group id)
 * and its channels (`GET /v3/teams/{team}/conversations`, each with its `type`: standard, private or
 * shared; the General channel's id is the team's and its name null). Tests register what exists.
 */

export type ChannelType = "standard" | "private" | "shared";

export interface StandinChannel {
  readonly id: string;
  readonly name?: string;
  readonly type: ChannelType;
}

export interface StandinTeam {
  /** The team's id, which is also its General channel's. */
  readonly id: string;
  readonly name: string;
  /** The team's Microsoft 365 group (what Graph calls the team). */
  readonly aadGroupId: string;
  /** Channels besides General, as `GET /v3/teams/{id}/conversations` lists them. */
  readonly channels: readonly StandinChannel[];
}

/** A member as Teams describes them: `userRole` is `user`, `guest` or `anonymous`; `tenantId` their home tenant. */
export interface StandinMember {
  /** The Teams user id (`29:…`), the activity's `from.id`. */
  readonly id: string;
  readonly aadObjectId: string;
  readonly name: string;
  readonly tenantId: string;
  readonly userRole: "user" | "guest" | "anonymous";
  readonly userPrincipalName?: string;
}

interface Answer {
  readonly status: number;
  readonly body?: unknown;
}

const error = (status: number, code: string, message: string): Answer => ({ status, body: { error: { code, message } } });

export class TeamsRoster {
  private readonly teams = new Map<string, StandinTeam>();
  private readonly members = new Map<string, StandinMember[]>();
  /** While true, roster and team reads answer 503 `ServiceError` (Teams cannot serve them). */
  outage = false;
  /** The roster and team reads served, by route (`member`, `team`, `channels`). */
  readonly reads: Array<{ readonly route: "member" | "team" | "channels"; readonly id: string; readonly status: number }> = [];

  addTeam(team: StandinTeam): void {
    this.teams.set(team.id, team);
    if (!this.members.has(team.id)) this.members.set(team.id, []);
  }

  /** Puts `member` in the team's roster (replacing an entry with the same Teams id). */
  addMember(teamId: string, member: StandinMember): void {
    const roster = (this.members.get(teamId) ?? []).filter((m) => m.id !== member.id);
    this.members.set(teamId, [...roster, member]);
  }

  removeMember(teamId: string, id: string): void {
    this.members.set(
      teamId,
      (this.members.get(teamId) ?? []).filter((m) => m.id !== id && m.aadObjectId !== id),
    );
  }

  /** The answer to a roster or team read, or undefined when the request is not one. */
  answer(method: string, parts: readonly string[]): Answer | undefined {
    if (method !== "GET" || parts[0] !== "v3") return undefined;
    if (parts[1] === "conversations" && parts[3] === "members" && parts.length === 5)
      return this.record("member", parts[4]!, () => this.member(parts[2]!, parts[4]!));
    if (parts[1] === "teams" && parts.length === 3) return this.record("team", parts[2]!, () => this.team(parts[2]!));
    if (parts[1] === "teams" && parts[3] === "conversations" && parts.length === 4) return this.record("channels", parts[2]!, () => this.channels(parts[2]!));
    return undefined;
  }

  private record(route: "member" | "team" | "channels", id: string, serve: () => Answer): Answer {
    const answer = this.outage ? error(503, "ServiceError", "The service is temporarily unavailable.") : serve();
    this.reads.push({ route, id, status: answer.status });
    return answer;
  }

  /** The team a conversation id belongs to: the team itself (its General channel) or one of its channels. */
  private teamOf(conversationId: string): StandinTeam | undefined {
    const id = conversationId.split(";messageid=")[0]!;
    return this.teams.get(id) ?? [...this.teams.values()].find((t) => t.channels.some((c) => c.id === id));
  }

  private member(conversationId: string, user: string): Answer {
    const team = this.teamOf(conversationId);
    if (!team) return error(404, "ConversationNotFound", "Conversation not found.");
    const wanted = user.toLowerCase();
    const found = (this.members.get(team.id) ?? []).find((m) => [m.id, m.aadObjectId, m.userPrincipalName].some((k) => k?.toLowerCase() === wanted));
    if (!found) return error(404, "MemberNotFoundInConversation", "The member was not found in the conversation.");
    const [givenName, ...rest] = found.name.split(" ");
    const upn = found.userPrincipalName ?? `${found.name.toLowerCase().replace(/\s+/g, ".")}@contoso.example`;
    // Teams' wire names the object id `objectId` (the SDK's ChannelAccount calls it aadObjectId).
    return {
      status: 200,
      body:
        found.userRole === "anonymous"
          ? { id: found.id, name: found.name, tenantId: found.tenantId, userRole: "anonymous" }
          : {
              id: found.id,
              objectId: found.aadObjectId,
              name: found.name,
              givenName,
              surname: rest.join(" "),
              email: upn,
              userPrincipalName: upn,
              tenantId: found.tenantId,
              userRole: found.userRole,
            },
    };
  }

  private team(teamId: string): Answer {
    const team = this.teams.get(teamId);
    if (!team) return error(404, "NotFound", "Team not found.");
    return { status: 200, body: { id: team.id, name: team.name, aadGroupId: team.aadGroupId } };
  }

  private channels(teamId: string): Answer {
    const team = this.teams.get(teamId);
    if (!team) return error(404, "NotFound", "Team not found.");
    const general = { id: team.id, name: null, type: "standard" };
    return { status: 200, body: { conversations: [general, ...team.channels.map((c) => ({ id: c.id, name: c.name ?? null, type: c.type }))] } };
  }
}
