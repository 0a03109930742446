import type { AadObjectId, EntraGroupId, TenantId } from "../ids";
import type { RosterMember } from "../ports/staff-directory";

/**
 * Who may speak for the firm in a customer thread (docs/admin-guide.md "Who can send to customers"):
 * a member of the linked channel's team, from the team's own tenant, who is not a guest; and, when
 * `BRIDGE_STAFF` is set, one of the people it names or a member of its group.
 */

/** Why a staff action was not relayed. */
export type StaffRefusal =
  /** The activity named no Entra object id to check. */
  | "no-identity"
  /** The roster of the team does not have them (left the team, or never in it). */
  | "not-member"
  /** A guest account of the tenant (Entra `userRole` guest), or an anonymous one. */
  | "guest"
  /** A member from another tenant (an external member of a shared channel). */
  | "external"
  /** Not among the people or the group of `BRIDGE_STAFF`. */
  | "not-listed"
  /** Teams (or Microsoft Graph) could not be asked: nothing is sent until it can. */
  | "unchecked";

export type StaffVerdict = { readonly allowed: true; readonly aadObjectId: AadObjectId } | { readonly allowed: false; readonly why: StaffRefusal };

/** `BRIDGE_STAFF`: the people (Entra object ids) and at most one Entra group allowed to send. */
export interface StaffList {
  readonly people: ReadonlySet<AadObjectId>;
  readonly group?: EntraGroupId;
}

/** Roles that are members of the team's own organisation; anything else (guest, anonymous, unknown words) is not. */
const MEMBER_ROLES = new Set(["user"]);

/**
 * The verdict on a roster answer for `author` (their object id, from the activity) in a team of
 * `teamTenant`. A roster entry whose object id differs from the activity's is refused: the check must
 * be about the person who acted. A missing role counts as a member's (older rosters omit it), a missing
 * tenant as the team's own only when the role says `user`.
 */
export function judgeMember(member: RosterMember | undefined, author: AadObjectId, teamTenant: TenantId): StaffVerdict {
  if (!member) return { allowed: false, why: "not-member" };
  if (member.aadObjectId !== undefined && member.aadObjectId.toLowerCase() !== author.toLowerCase()) return { allowed: false, why: "not-member" };
  if (member.tenantId !== undefined && member.tenantId.toLowerCase() !== teamTenant.toLowerCase()) return { allowed: false, why: "external" };
  const role = (member.userRole ?? "user").toLowerCase();
  if (!MEMBER_ROLES.has(role)) return { allowed: false, why: "guest" };
  return { allowed: true, aadObjectId: author };
}

/** Whether the list names `person` directly (the group, if any, is asked separately). */
export function listedByName(list: StaffList, person: AadObjectId): boolean {
  for (const listed of list.people) if (listed.toLowerCase() === person.toLowerCase()) return true;
  return false;
}
