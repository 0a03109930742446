import type { InboundContent, WhatsAppEvent } from "../core/messages";
import type { ExportLine } from "./export-line";

/*
 * A printable transcript of one conversation: one self-contained HTML page (inline style, no script, no
 * image, no link, nothing fetched), every value escaped. Rows in time order: who wrote what, media with
 * the SHA-256 WhatsApp gave, reactions, edits, delivery states, and replies kept in Teams.
 */

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** `text` safe anywhere in HTML text or a quoted attribute. */
export function escapeHtml(text: unknown): string {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const STYLE = `body{font:13px/1.45 system-ui,sans-serif;color:#111;margin:24px}h1{font-size:18px;margin:0 0 8px}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px;margin:0 0 16px}dt{color:#555}dd{margin:0}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.t{white-space:nowrap;font-variant-numeric:tabular-nums}td.m{white-space:pre-wrap;word-break:break-word}
tr.out td{background:#f2f8ff}tr.note td{background:#fff8e1}tr.state td{color:#555;font-size:12px}
small{color:#666}.ref{font-size:11px;color:#777;word-break:break-all}@media print{tr{break-inside:avoid}}`;

/** What the page header says about the conversation. */
export interface TranscriptHeading {
  readonly conversation: string;
  readonly names: readonly string[];
  readonly phones: readonly string[];
  readonly userIds: readonly string[];
  readonly business?: string;
  readonly range: { readonly from: string; readonly to: string };
  readonly generatedAt: string;
  readonly events: number;
}

export function transcriptStart(h: TranscriptHeading): string {
  const row = (label: string, value: string) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value || "—")}</dd>`;
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>WhatsApp conversation ${escapeHtml(h.conversation)}</title><style>${STYLE}</style></head><body>\n` +
    `<h1>WhatsApp conversation</h1><dl>${row("Conversation", h.conversation)}${row("Customer", h.names.join(", "))}` +
    `${row("Phone", h.phones.map((p) => `+${p}`).join(", "))}${row("WhatsApp user id", h.userIds.join(", "))}${row("Business number id", h.business ?? "")}` +
    `${row("Period (UTC)", `${h.range.from} to ${h.range.to}`)}${row("Events", String(h.events))}${row("Exported", h.generatedAt)}</dl>\n` +
    `<table><thead><tr><th>Time (UTC)</th><th>From</th><th>Content</th><th>Journal</th></tr></thead><tbody>\n`
  );
}

export function transcriptEnd(): string {
  return `</tbody></table>\n<p><small>Times are UTC: WhatsApp's own time for what the customer sent, the time Meta accepted it for what the business sent. Each row names the journal line it comes from (npm run verify proves the journal).</small></p>\n</body></html>\n`;
}

const time = (iso: string) => iso.replace("T", " ").replace(/\.\d{3}Z$/, "");
const wamid = (id: string) => `<small>${escapeHtml(id)}</small>`;

/** One table row for one exported event. */
export function transcriptRow(line: ExportLine): string {
  const [cls, from, content] = describe(line);
  return `<tr class="${cls}"><td class="t">${escapeHtml(time(line.at))}</td><td>${from}</td><td class="m">${content}</td><td class="ref">${escapeHtml(line.ref)}</td></tr>\n`;
}

function describe(line: ExportLine): [string, string, string] {
  switch (line.type) {
    case "outbound": {
      const r = line.record;
      const who = r.author
        ? `${escapeHtml(r.author.name)}<br><small>staff · ${escapeHtml(r.author.aadObjectId)}</small>`
        : "the bridge<br><small>automatic</small>";
      const label = r.label ? `<br><small>${escapeHtml(r.label)}</small>` : "";
      return ["out", who, `${escapeHtml(r.text)}${label}<br>${r.wamids.map(wamid).join(" ")}`];
    }
    case "status": {
      const r = line.record;
      return ["state", "WhatsApp", `${escapeHtml(r.state)}${r.errorCode === undefined ? "" : ` (error ${escapeHtml(r.errorCode)})`} · ${wamid(r.wamid)}`];
    }
    case "internal": {
      const r = line.record;
      const text = r.text ? `: ${escapeHtml(r.text)}` : "";
      return [
        "note",
        `${escapeHtml(r.author.name)}<br><small>staff · kept in Teams</small>`,
        `Not sent to the customer (${escapeHtml(r.why)}${r.detail ? `, ${escapeHtml(r.detail)}` : ""})${text}`,
      ];
    }
    case "inbound":
      return inbound(line.event);
  }
}

function inbound(e: WhatsAppEvent): [string, string, string] {
  switch (e.type) {
    case "message": {
      const who = `${escapeHtml(e.contact.profileName ?? e.contact.username ?? "customer")}<br><small>customer${e.group ? " · in the group" : ""}</small>`;
      const extras = [
        e.forwarded ? `<small>${e.forwarded === "frequently" ? "forwarded many times" : "forwarded"}</small>` : "",
        e.replyTo ? `<small>in reply to ${escapeHtml(e.replyTo)}</small>` : "",
        e.referral ? `<small>from an ad: ${escapeHtml(e.referral.headline ?? e.referral.sourceUrl ?? "")}</small>` : "",
      ].filter(Boolean);
      return ["in", who, [content(e.content), ...extras, wamid(e.id)].join("<br>")];
    }
    case "status": {
      const errors = e.errors.map((x) => `error ${escapeHtml(x.code)} ${escapeHtml(x.title)}`).join("; ");
      return ["state", "WhatsApp", `${escapeHtml(e.state)}${errors ? ` (${errors})` : ""} · ${wamid(e.id)}`];
    }
    case "preference":
      return [
        "state",
        "customer",
        escapeHtml(e.value === "stop" ? "stopped marketing messages (WhatsApp setting)" : "resumed marketing messages (WhatsApp setting)"),
      ];
    case "group":
      return [
        "state",
        "WhatsApp",
        `group: ${escapeHtml(e.change.kind)}${"subject" in e.change && e.change.subject ? ` “${escapeHtml(e.change.subject)}”` : ""}`,
      ];
    case "account_error":
      return ["state", "WhatsApp", `account error ${escapeHtml(e.code)}: ${escapeHtml(e.title)}`];
  }
}

function content(c: InboundContent): string {
  switch (c.kind) {
    case "text":
      return escapeHtml(c.raw);
    case "media":
      return [
        `[${escapeHtml(c.media)}${c.mimeType ? `, ${escapeHtml(c.mimeType)}` : ""}${c.filename ? `: ${escapeHtml(c.filename)}` : ""}]`,
        c.caption ? escapeHtml(c.caption) : "",
        c.sha256 ? `<small>SHA-256 (as WhatsApp gave it, base64): ${escapeHtml(c.sha256)}</small>` : "<small>no SHA-256 given</small>",
      ]
        .filter(Boolean)
        .join("<br>");
    case "location":
      return `[location] ${escapeHtml(c.latitude)}, ${escapeHtml(c.longitude)}${c.name ? ` ${escapeHtml(c.name)}` : ""}${c.address ? `, ${escapeHtml(c.address)}` : ""}`;
    case "contacts":
      return `[contacts] ${c.contacts.map((x) => escapeHtml([x.name, ...x.phones, ...x.emails].join(" "))).join("; ")}`;
    case "interactive":
      return `[${escapeHtml(c.replyType)}] ${escapeHtml(c.title)}${c.description ? ` — ${escapeHtml(c.description)}` : ""}`;
    case "button":
      return `[button] ${escapeHtml(c.text)}`;
    case "reaction":
      return c.emoji ? `reacted ${escapeHtml(c.emoji)} to ${wamid(c.target)}` : `removed a reaction from ${wamid(c.target)}`;
    case "order":
      return `[order] ${c.items.map((i) => escapeHtml(`${i.quantity} × ${i.productId} at ${i.price} ${i.currency}`)).join("; ")}${c.text ? `<br>${escapeHtml(c.text)}` : ""}`;
    case "system":
      return `[system] ${escapeHtml(c.body)}`;
    case "edit":
      return `edited ${wamid(c.target)}: ${c.newText === undefined ? "WhatsApp did not send the new text" : escapeHtml(c.newText)}`;
    case "revoke":
      return `deleted ${wamid(c.target)} for everyone`;
    case "unsupported":
      if (c.originalType === "edit") return "edited an earlier message; WhatsApp did not send the new text";
      return `[${escapeHtml(c.originalType)}: not shown by WhatsApp's API${c.detail ? `, ${escapeHtml(c.detail)}` : ""}]`;
  }
}
