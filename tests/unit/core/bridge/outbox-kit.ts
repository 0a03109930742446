import type { BridgeContext, BridgeDeps } from "../../../../src/core/bridge/context";
import { NO_METRICS } from "../../../../src/core/ports/metrics";
import { TemplateCatalog } from "../../../../src/core/bridge/from-teams/template-catalog";
import { paragraph } from "../../../../src/core/formatted-text";
import { TeamsMessageId, WaMessageId, WaPhone, WaUserId } from "../../../../src/core/ids";
import type { StatusEvent } from "../../../../src/core/messages";
import { DEFAULT_PACING, OutboundPacer } from "../../../../src/core/bridge/outbox/pacer";
import type { NewOutboxEntry } from "../../../../src/core/ports/outbox-store";
import { compilePolicy } from "../../../../src/core/rules/outbound-policy";
import { ADMIN, BUSINESS, customerText, makeWorld, staffMessage } from "../../../fakes/world";

/**
 * Helpers of the outbox unit tests: a linked channel with one customer thread, and a second "instance"
 * (its own pacer and background work) on the same stores and gateways, as another bridge process would be.
 */

export const MARIA = { phone: "5511987654321", userId: "BR.1873409921457730218" };

/** A linked channel and Maria's thread, the customer's message a minute old (window open). */
export async function outboxWorld(settings: Parameters<typeof makeWorld>[0] = {}) {
  const w = makeWorld(settings);
  await w.bridge.onStaffMessage(staffMessage(`link ${BUSINESS}`, { author: ADMIN, mentionsBot: true }));
  const first = customerText("Hello", { timestamp: Math.floor((w.clock.now() - 60_000) / 1000) });
  await w.bridge.ingest([first]);
  await w.bridge.idle();
  return { ...w, thread: w.teams.threads[0]!.thread, contact: first.contact.key };
}

/** Another instance's context on the same ports: its background work is collected for `settle`. */
export function instance(deps: BridgeDeps): BridgeContext & { readonly work: Promise<unknown>[] } {
  const work: Promise<unknown>[] = [];
  return {
    ...deps,
    metrics: deps.metrics ?? NO_METRICS,
    pacer: new OutboundPacer(deps.settings.pacing ?? DEFAULT_PACING, deps.clock),
    templates: new TemplateCatalog(deps.whatsapp, deps.clock),
    checkPolicy: compilePolicy({ cardNumbers: true, ibans: true, blockedWords: [], blockedPatterns: [] }),
    background: (p) => {
      work.push(p);
    },
    work,
  };
}

/** Waits for every background send of `ctx` (including those they start). */
export async function settle(ctx: { readonly work: Promise<unknown>[] }): Promise<void> {
  while (ctx.work.length > 0) await ctx.work.shift();
}

let next = 9_000;
/** An outbox row of a reply in `w`'s thread, as another instance would have written it. */
export function row(w: Awaited<ReturnType<typeof outboxWorld>>, text: string, overrides: Partial<NewOutboxEntry> = {}): NewOutboxEntry {
  const now = w.clock.now();
  return {
    business: BUSINESS,
    contact: w.contact,
    thread: w.thread,
    teamsMessageId: TeamsMessageId(String(++next)),
    body: paragraph(text),
    state: "queued",
    attempts: 0,
    resends: 0,
    createdAt: now - 20 * 60_000,
    updatedAt: now - 10 * 60_000,
    owner: "a-stopped-instance",
    ...overrides,
  };
}

/** A status webhook event for Maria. */
export const status = (id: string, state: StatusEvent["state"], timestamp: number, errors: StatusEvent["errors"] = []): StatusEvent => ({
  type: "status",
  business: BUSINESS,
  id: WaMessageId(id),
  state,
  timestamp,
  recipient: { phone: WaPhone(MARIA.phone), userId: WaUserId(MARIA.userId) },
  errors,
});
