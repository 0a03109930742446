/**
 * WhatsApp's customer service window (docs/protocols.md A14): a message from the customer opens or refreshes
 * a 24-hour window in which any message may be sent; outside it only an approved template may be sent
 * (WhatsApp refuses anything else: a `window-closed` failure). The bridge checks this before calling Meta.
 */
export const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

export type WindowState = { readonly open: true; readonly closesAt: number } | { readonly open: false; readonly closedAt?: number };

/** The window at `now` (epoch ms), given when the customer last wrote (epoch ms), if ever. */
export function serviceWindow(lastInboundAt: number | undefined, now: number): WindowState {
  if (lastInboundAt === undefined) return { open: false };
  const closesAt = lastInboundAt + SERVICE_WINDOW_MS;
  return now < closesAt ? { open: true, closesAt } : { open: false, closedAt: closesAt };
}
