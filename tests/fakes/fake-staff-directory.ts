import { TransientError } from "../../src/core/errors";
import type { AadObjectId, EntraGroupId, TeamsGroupId } from "../../src/core/ids";
import type { ChannelAddress } from "../../src/core/model";
import type { ChannelFacts, RosterMember, StaffDirectory } from "../../src/core/ports/staff-directory";
import type { StaffAuthor } from "../../src/core/staff-message";

/**
 * A StaffDirectory for unit tests of the core. By default everyone asked about is a member of the
 * channel's team, from its tenant, and every channel is a standard one; tests say otherwise per person
 * (`setMember`), make it unreachable (`down`), put people in groups and describe channels.
 */
export class FakeStaffDirectory implements StaffDirectory {
  /** Every question asked, in order. */
  readonly asked: Array<{ readonly what: "member" | "inGroup" | "describeChannel"; readonly who?: string }> = [];
  private readonly members = new Map<string, RosterMember | "absent">();
  private readonly groups = new Map<string, Set<string>>();
  private channel: ChannelFacts = { kind: "standard" };
  /** While true, every question throws (Teams or Graph cannot be reached). */
  down = false;

  /** What the roster says of `person`: an entry, or `absent` (not a member). */
  setMember(person: AadObjectId, entry: RosterMember | "absent"): void {
    this.members.set(person, entry);
  }

  addToGroup(group: EntraGroupId, person: AadObjectId): void {
    this.groups.set(group, (this.groups.get(group) ?? new Set()).add(person));
  }

  describeAs(kind: ChannelFacts["kind"], teamGroupId?: TeamsGroupId): void {
    this.channel = { kind, ...(teamGroupId ? { teamGroupId } : {}) };
  }

  async member(channel: ChannelAddress, author: StaffAuthor): Promise<RosterMember | undefined> {
    this.asked.push({ what: "member", ...(author.aadObjectId ? { who: author.aadObjectId } : {}) });
    this.failIfDown();
    const entry = author.aadObjectId ? this.members.get(author.aadObjectId) : "absent";
    if (entry === "absent") return undefined;
    return entry ?? { aadObjectId: author.aadObjectId!, tenantId: channel.tenantId, userRole: "user" };
  }

  async inGroup(group: EntraGroupId, person: AadObjectId): Promise<boolean> {
    this.asked.push({ what: "inGroup", who: person });
    this.failIfDown();
    return this.groups.get(group)?.has(person) ?? false;
  }

  async describeChannel(): Promise<ChannelFacts> {
    this.asked.push({ what: "describeChannel" });
    this.failIfDown();
    return this.channel;
  }

  private failIfDown(): void {
    if (this.down) throw new TransientError("teams.unavailable", "the directory stand-in is down");
  }
}
