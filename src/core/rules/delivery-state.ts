import type { DeliveryState } from "../messages";

/** An outbound message's state: `accepted` when Meta took it, then what status webhooks report. */
export type OutboundState = "accepted" | DeliveryState;

const RANK: Record<OutboundState, number> = { accepted: 0, sent: 1, delivered: 2, read: 3, played: 4, failed: 5 };

/**
 * Statuses only move forward (docs/reliability.md): sent < delivered < read < played; `failed` is terminal.
 * Webhooks arrive late, twice, or out of order (`read` can come without `delivered`, docs/protocols.md A4), so a status
 * that would move the state back, or repeat it, is ignored. Returns the new state, or undefined.
 */
export function advance(current: OutboundState, next: DeliveryState): OutboundState | undefined {
  if (current === "failed") return undefined;
  return RANK[next] > RANK[current] ? next : undefined;
}

/** States after which no status can move a message on (`read` may still become `played` for a voice note, but is final for reconciliation). */
export const FINAL_OUTBOUND_STATES: readonly OutboundState[] = ["delivered", "read", "played", "failed"];

/** Ticks as WhatsApp shows them, for the root card. */
export function ticksOf(state: OutboundState): string {
  switch (state) {
    case "accepted":
      return "🕓 sending";
    case "sent":
      return "✓ sent";
    case "delivered":
      return "✓✓ delivered";
    case "read":
      return "✓✓ read";
    case "played":
      return "✓✓ played";
    case "failed":
      return "⚠️ failed";
  }
}
