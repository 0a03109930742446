import { BusinessNumberId, TeamsMessageId, WaMessageId, type TeamsThreadRef } from "../../src/core/ids";
import { eventKeyOf } from "../../src/core/messages";
import type { InboxEntry, MessageLink } from "../../src/core/model";
import type { Stores } from "../../src/core/ports/stores";
import { ADMIN, BUSINESS, CHANNEL, TENANT, customerText } from "./world";

/** Data for the reconciliation tests (unit, and the command against Azurite). */
export const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
export const MIN = 60_000;
export const UNLINKED = BusinessNumberId("209876543210987");
const THREAD = `${CHANNEL};messageid=1700000000001` as TeamsThreadRef;

/** Fills `stores` with one of each case the report must find (and some it must not). */
export async function seedReconcileCases<S extends Stores>(stores: S, now = NOW, serviceUrl = "https://smba.trafficmanager.net/emea/"): Promise<S> {
  await stores.links.put({ business: BUSINESS, channel: { channelId: CHANNEL, tenantId: TENANT, serviceUrl }, linkedBy: ADMIN, linkedAt: 0 });
  const entry = (text: string, id: string, ageMs: number, business = BUSINESS): InboxEntry => {
    const event = { ...customerText(text, { id }), business };
    return {
      business,
      key: eventKeyOf(event),
      event,
      state: "pending",
      receivedAt: now - ageMs,
      journalRef: `journal/2026/11/30/${String(ageMs % 1e9).padStart(9, "0")}-${Buffer.from(id).toString("hex").padEnd(16, "0").slice(0, 16)}.jsonl#0`,
    };
  };
  const cases: Array<[InboxEntry, InboxEntry["state"], string?, boolean?]> = [
    [entry("stuck", "wamid.pending", 90 * MIN), "pending"],
    [entry("cut short", "wamid.posting", 30 * MIN), "posting"],
    [entry("refused", "wamid.failed", 5 * MIN), "failed", "teams.rejected: 403 Forbidden"],
    [entry("linked since", "wamid.stray", 2 * 24 * 60 * MIN), "unrouted", "business number not linked to a channel"],
    [entry("waiting", "wamid.waiting1", 3 * 60 * MIN, UNLINKED), "unrouted"],
    [entry("waiting too", "wamid.waiting2", 60 * MIN, UNLINKED), "unrouted"],
    [entry("fine", "wamid.done", 10 * MIN), "done"],
    [entry("twice", "wamid.double", 20 * MIN), "done", undefined, true],
  ];
  for (const [e, state, detail, duplicateSuspected] of cases) {
    await stores.inbox.record(e);
    await stores.inbox.setState(e.business, e.key, state, detail, { duplicateSuspected: duplicateSuspected ?? false });
  }
  const out = (wamid: string, ageMs: number, state?: MessageLink["state"]): MessageLink => ({
    business: BUSINESS,
    wamid: WaMessageId(wamid),
    thread: THREAD,
    teamsMessageId: TeamsMessageId(`17${ageMs}`),
    contact: customerText("x").contact.key,
    direction: "outbound",
    at: now - ageMs,
    ...(state ? { state } : {}),
  });
  for (const link of [
    out("wamid.out.accepted", 60 * MIN, "accepted"),
    out("wamid.out.sent", 20 * MIN, "sent"),
    out("wamid.out.nostate", 16 * MIN),
    out("wamid.out.delivered", 60 * MIN, "delivered"),
    out("wamid.out.failed", 60 * MIN, "failed"),
    out("wamid.out.recent", 5 * MIN, "sent"),
  ]) {
    await stores.messages.put(link);
  }
  return stores;
}
