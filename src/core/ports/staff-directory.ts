import type { AadObjectId, EntraGroupId, TeamsGroupId, TenantId } from "../ids";
import type { ChannelAddress } from "../model";
import type { ChannelKind, StaffAuthor } from "../staff-message";

/**
 * A person as the roster of a team knows them (the Bot Connector's `TeamsChannelAccount`): their Entra
 * object id, their home tenant, and their role there (`user`, `guest`, `anonymous`, …, as Teams says it).
 */
export interface RosterMember {
  readonly aadObjectId?: AadObjectId;
  readonly tenantId?: TenantId;
  readonly userRole?: string;
}

/**
 * What a channel is, as Teams tells it when it is linked: its kind (`not-listed` when the team's list of
 * channels does not have it, e.g. a channel shared into the team from elsewhere) and the team's
 * Microsoft 365 group (where its files live, and how Microsoft Graph names the team).
 */
export interface ChannelFacts {
  readonly kind: ChannelKind | "not-listed";
  readonly teamGroupId?: TeamsGroupId;
}

/**
 * Who may act for the firm, as Teams and Entra know it. The core decides what the answers mean
 * (rules/staff-authority.ts); implementations only ask. Every method does I/O and throws when the
 * answer cannot be had (the caller then refuses: it fails closed). Implementations may cache answers
 * briefly; never failures.
 */
export interface StaffDirectory {
  /** `author` in the roster of `channel`'s team, or undefined when they are not a member. */
  member(channel: ChannelAddress, author: StaffAuthor): Promise<RosterMember | undefined>;
  /** Whether `person` is a member of `group`, directly or through nested groups. */
  inGroup(group: EntraGroupId, person: AadObjectId): Promise<boolean>;
  /** What `channel` is (asked by `link`). */
  describeChannel(channel: ChannelAddress): Promise<ChannelFacts>;
}
