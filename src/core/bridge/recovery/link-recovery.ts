import { describeError, TeamsRefusal } from "../../errors";
import type { TenantId } from "../../ids";
import type { ChannelLink, InboxEntry } from "../../model";
import type { Clock } from "../../ports/clock";
import type { BridgeDeps } from "../context";
import { stateAfterHold } from "./link-suspension";
import { noteLinkGap } from "./gap-notes";

/** Where Teams says the app was installed (again): an `installationUpdate` or the bot among members added. */
export interface AppInstalled {
  readonly tenantId: TenantId;
}

export interface LinkRecoveryOptions {
  /** How often suspended links are probed (a cheap read in their channel). */
  readonly probeEveryMs: number;
  /** The probe's clock; the bridge's by default (tests drive it by hand). */
  readonly clock?: Clock;
}

/**
 * Brings suspended links back (link-suspension.ts): when Teams says the app was added to a team, and on a
 * periodic probe in case that never comes. A link resumes once Teams answers the probe; its held events
 * are then put back in order (`schedule`) before new events may pass them, and the suspension is lifted.
 * The probe only reads links while some link is known to be suspended: an idle bridge reads nothing.
 */
export class LinkRecovery {
  private suspendedKnown = true;
  private probing = false;
  private readonly clock: Clock;

  constructor(
    private readonly ctx: BridgeDeps,
    private readonly schedule: (entry: InboxEntry) => void,
    private readonly mayWork: () => boolean,
    private readonly options: LinkRecoveryOptions,
  ) {
    this.clock = options.clock ?? ctx.clock;
  }

  /** A link was just suspended: the probe starts looking at links again. */
  noteSuspension(): void {
    this.suspendedKnown = true;
  }

  /** Teams says the app was added in `tenant`: probe that tenant's suspended links now. Never throws. */
  async appInstalled(event: AppInstalled): Promise<number> {
    this.ctx.logger.info("teams.app.installed", { tenantId: event.tenantId });
    return this.probeAll((link) => link.channel.tenantId === event.tenantId);
  }

  /** Runs the probe every `probeEveryMs` while `mayWork()`. Call once. */
  start(): void {
    if (this.probing) return;
    this.probing = true;
    void (async () => {
      try {
        while (this.mayWork()) {
          await this.clock.sleep(this.options.probeEveryMs);
          if (!this.mayWork()) break;
          if (this.suspendedKnown) await this.probeAll(() => true);
        }
      } finally {
        this.probing = false;
      }
    })();
  }

  /** Probes every suspended link that `which` selects; resumes those Teams accepts. Returns how many resumed. */
  private async probeAll(which: (link: ChannelLink) => boolean): Promise<number> {
    let links: ChannelLink[];
    try {
      links = await this.ctx.stores.links.list();
    } catch (err) {
      this.ctx.logger.warn("teams.link.probe_failed", { error: describeError(err) });
      return 0;
    }
    const suspended = links.filter((l) => l.suspended);
    this.suspendedKnown = suspended.length > 0;
    let resumed = 0;
    for (const link of suspended.filter(which)) {
      try {
        await this.ctx.teams.probe(link.channel);
      } catch (err) {
        if (!(err instanceof TeamsRefusal && err.refusal === "app-removed"))
          this.ctx.logger.warn("teams.link.probe_failed", { business: link.business, error: describeError(err) });
        continue;
      }
      resumed += (await this.resume(link)) ? 1 : 0;
    }
    return resumed;
  }

  /**
   * Lifts a link's suspension (the compliance channel is told the gap closed): the link is marked
   * active, then its held events go back to pending and into their lanes all at once, in inbox order
   * (so none can be overtaken by another of them); events held just before the lift follow. Returns
   * false if it failed (tried again at the next probe).
   */
  async resume(link: ChannelLink): Promise<boolean> {
    try {
      const held = await this.ctx.stores.inbox.list("held", link.business);
      // Noted before the lift, so a stop in between cannot lose it (noting it again is one note).
      if (link.suspended) await noteLinkGap(this.ctx, link, { kind: "resumed", since: link.suspended.since, waiting: held.length });
      const { suspended: _lifted, ...active } = link;
      await this.ctx.stores.links.put(active);
      await this.putBack(held);
      // Held between the listing and the lift: after the older ones, in order.
      const late = await this.ctx.stores.inbox.list("held", link.business);
      await this.putBack(late);
      this.ctx.logger.info("teams.link.resumed", { business: link.business, replayed: held.length + late.length });
      return true;
    } catch (err) {
      this.ctx.logger.error("teams.link.resume_failed", { business: link.business, error: describeError(err) });
      return false;
    }
  }

  private async putBack(held: readonly InboxEntry[]): Promise<void> {
    const entries = [];
    for (const entry of held) {
      const state = stateAfterHold(entry);
      await this.ctx.stores.inbox.setState(entry.business, entry.key, state, undefined, { interruptedPost: false });
      const { detail: _held, ...rest } = entry;
      entries.push({ ...rest, state, interruptedPost: false });
    }
    for (const entry of entries) this.schedule(entry);
  }
}
