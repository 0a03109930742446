import { TeamsInfo, type TeamsChannelAccount } from "botbuilder";
import { BoundedCache } from "../core/bounded-cache";
import { PermanentError } from "../core/errors";
import { AadObjectId, TeamsGroupId, TenantId, type EntraGroupId } from "../core/ids";
import type { ChannelAddress } from "../core/model";
import type { Logger } from "../core/ports/logger";
import type { ChannelFacts, RosterMember, StaffDirectory } from "../core/ports/staff-directory";
import type { ChannelKind, StaffAuthor } from "../core/staff-message";
import { connectorFailure, readInProactiveTurn, type ProactiveReader } from "./proactive-read";
import { mapConnectorError } from "./teams-errors";

/** Asks whether a person is in an Entra group (graph-group-membership.ts). */
export interface GroupMembership {
  inGroup(group: EntraGroupId, person: AadObjectId): Promise<boolean>;
}

export interface TeamsStaffDirectoryOptions extends ProactiveReader {
  readonly logger: Logger;
  /** `BRIDGE_STAFF`'s group check; without it, a group cannot be checked (and the gate refuses). */
  readonly groups?: GroupMembership;
  /** How long an answer is reused. Default 5 minutes: someone removed from the team may still send for that long. */
  readonly cacheTtlMs?: number;
  /** Most answers kept (least recently used go first). Default 2,000. */
  readonly cacheCapacity?: number;
  /** A roster read that takes longer counts as failed (a turn waits on it). Default 5 s. */
  readonly rosterTimeoutMs?: number;
  /** Reading the team's details and channels at `link`. Default 8 s (TeamsInfo's client for these retries 5xx itself). */
  readonly describeTimeoutMs?: number;
  readonly now?: () => number;
}

/** A roster answer (`member` undefined: Teams said they are not a member, cached too) or a group answer. */
type CachedAnswer = { readonly kind: "member"; readonly member: RosterMember | undefined } | { readonly kind: "group"; readonly inGroup: boolean };

/** The channel types Teams names (`ChannelInfo.type`; the Agents Playground says `channelType`). */
const KINDS: ReadonlySet<string> = new Set(["standard", "private", "shared"]);

/**
 * `StaffDirectory` over the Bot Connector through botbuilder's TeamsInfo (docs/protocols.md B19): a member is
 * looked up in the team's roster (`GET /v3/conversations/{team}/members/{user}`, answering the member's
 * `tenantId`, `userRole` and object id, or 404 `MemberNotFoundInConversation`), a channel in the team's
 * channel list (`GET /v3/teams/{team}/conversations`) and the team's group in its details
 * (`GET /v3/teams/{team}`). Answers are cached briefly in a bounded cache; failures never are.
 */
export class TeamsStaffDirectory implements StaffDirectory {
  private readonly cache: BoundedCache<CachedAnswer>;

  constructor(private readonly options: TeamsStaffDirectoryOptions) {
    this.cache = new BoundedCache({ capacity: options.cacheCapacity ?? 2_000, ttlMs: options.cacheTtlMs ?? 5 * 60_000, now: options.now ?? Date.now });
  }

  async member(channel: ChannelAddress, author: StaffAuthor): Promise<RosterMember | undefined> {
    // Teams takes the Teams user id, the object id or the UPN; the Teams id is what every client sends.
    const user = author.id ?? author.aadObjectId;
    if (!user) return undefined;
    // A standard channel's members are its team's; a link made without the team id asks the channel.
    const roster = channel.teamId ?? channel.channelId;
    const key = `member\n${channel.serviceUrl}\n${roster}\n${user}`;
    const cached = this.cache.get(key);
    if (cached?.kind === "member") return cached.member;
    let account: TeamsChannelAccount | undefined;
    try {
      account = await readInProactiveTurn(
        this.options,
        channel,
        roster,
        "roster",
        (ctx) => TeamsInfo.getTeamMember(ctx, roster, user),
        this.options.rosterTimeoutMs ?? 5_000,
      );
    } catch (err) {
      const failure = connectorFailure(err);
      if (failure.status !== 404 || failure.code !== "MemberNotFoundInConversation") throw mapConnectorError(err, "roster");
    }
    const member = account ? rosterMember(account) : undefined;
    this.cache.set(key, { kind: "member", member });
    return member;
  }

  async inGroup(group: EntraGroupId, person: AadObjectId): Promise<boolean> {
    if (!this.options.groups)
      throw new PermanentError("teams.staff_group_unavailable", "BRIDGE_STAFF names a group, but the bridge has no Microsoft Graph access to check it");
    const key = `group\n${group}\n${person.toLowerCase()}`;
    const cached = this.cache.get(key);
    if (cached?.kind === "group") return cached.inGroup;
    const inGroup = await this.options.groups.inGroup(group, person);
    this.cache.set(key, { kind: "group", inGroup });
    return inGroup;
  }

  async describeChannel(channel: ChannelAddress): Promise<ChannelFacts> {
    const team = channel.teamId;
    if (!team) throw new PermanentError("teams.no_team", "describeChannel: the activity named no team");
    const timeoutMs = this.options.describeTimeoutMs ?? 8_000;
    try {
      const [details, channels] = await readInProactiveTurn(
        this.options,
        channel,
        team,
        "describeChannel",
        async (ctx) => Promise.all([TeamsInfo.getTeamDetails(ctx, team), TeamsInfo.getTeamChannels(ctx, team)]),
        timeoutMs,
      );
      const listed = (channels ?? []).find((c) => c.id === channel.channelId);
      const kind = listed ? kindOf(listed) : "not-listed";
      this.options.logger.info("teams.channel.described", { kind, groupKnown: !!details?.aadGroupId });
      return { kind, ...(details?.aadGroupId ? { teamGroupId: TeamsGroupId(details.aadGroupId) } : {}) };
    } catch (err) {
      throw mapConnectorError(err, "describeChannel");
    }
  }
}

/** A listed channel's kind: its `type` when Teams gives one (unknown words are not standard), else standard (older answers name none). */
function kindOf(listed: { type?: string }): ChannelKind | "not-listed" {
  const said = listed.type ?? (listed as { channelType?: unknown }).channelType;
  if (said === undefined || said === null || said === "") return "standard";
  const word = String(said).toLowerCase();
  return KINDS.has(word) ? (word as ChannelKind) : "not-listed";
}

/**
 * The roster entry as the core reads it. botframework-connector maps the member with its generic
 * ChannelAccount shape, which names the object id `aadObjectId`; Teams sends it as `objectId`
 * (both are read), and `tenantId` and `userRole` pass through as Teams sent them.
 */
function rosterMember(account: TeamsChannelAccount): RosterMember {
  const objectId = account.aadObjectId ?? (account as { objectId?: unknown }).objectId;
  return {
    ...(typeof objectId === "string" && objectId ? { aadObjectId: AadObjectId(objectId) } : {}),
    ...(typeof account.tenantId === "string" && account.tenantId ? { tenantId: TenantId(account.tenantId) } : {}),
    ...(typeof account.userRole === "string" && account.userRole ? { userRole: account.userRole } : {}),
  };
}
