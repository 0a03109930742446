import type { WhatsAppEvent } from "../core/messages";
import type { InternalReplyRecord, OutboundRecord, StatusRecord } from "../core/ports/webhook-journal";
import type { TimelineEvent } from "./timeline";

/**
 * One line of `events.jsonl`: every field the journal holds for the event, times as ISO 8601 (UTC).
 * `inbound` events carry the event as the bridge decoded it from Meta's body (`event`); records carry
 * the record as the bridge wrote it (`record`). `ref` names the journal line (`<segment>#<line>`).
 */
export type ExportLine =
  | {
      readonly type: "inbound";
      readonly ref: string;
      readonly at: string;
      readonly receivedAt: string;
      readonly conversation?: string;
      readonly event: WhatsAppEvent;
    }
  | { readonly type: "outbound"; readonly ref: string; readonly at: string; readonly conversation: string; readonly record: OutboundRecord }
  | { readonly type: "status"; readonly ref: string; readonly at: string; readonly conversation?: string; readonly record: StatusRecord }
  | { readonly type: "internal"; readonly ref: string; readonly at: string; readonly conversation: string; readonly record: InternalReplyRecord };

const iso = (at: number) => new Date(Number.isFinite(at) ? at : 0).toISOString();

export function toExportLine(e: TimelineEvent): ExportLine {
  const conversation = e.conversation ? { conversation: e.conversation } : {};
  switch (e.type) {
    case "inbound":
      return { type: "inbound", ref: e.ref, at: iso(e.at), receivedAt: iso(e.receivedAt), ...conversation, event: e.event };
    case "outbound":
      return { type: "outbound", ref: e.ref, at: iso(e.at), conversation: e.conversation, record: e.record };
    case "status":
      return { type: "status", ref: e.ref, at: iso(e.at), ...conversation, record: e.record };
    case "internal":
      return { type: "internal", ref: e.ref, at: iso(e.at), conversation: e.conversation, record: e.record };
  }
}
