import type { Report } from "./report-builder";
import { escapeHtml } from "./transcript-html";

/** A CSV cell: quoted when needed, and never read as a formula by a spreadsheet (names come from Teams). */
function cell(value: string | number | undefined): string {
  let text = value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const seconds = (s: number | undefined) => (s === undefined ? undefined : Math.round(s));

/** The report as CSV: one `metric,dimension,value` row per figure (easy to filter and pivot). */
export function reportCsv(r: Report): string {
  const rows: Array<[string, string, string | number | undefined]> = [
    ["period_from", "", r.from],
    ["period_to", "", r.to],
    ["as_of", "", r.asOf],
    ["conversations", "all", r.conversations],
    ...r.byChannel.map(([channel, n]): [string, string, number] => ["conversations", `channel:${channel}`, n]),
    ...r.byStaff.map((s): [string, string, number] => ["conversations", `staff:${s.name}`, s.conversations]),
    ["customer_messages", "all", r.customerMessages],
    ["replies", "all", r.replies],
    ...r.byStaff.map((s): [string, string, number] => ["replies", `staff:${s.name}`, s.replies]),
    ["automatic_messages", "all", r.automatic],
    ["first_response_median_seconds", "all", seconds(r.firstResponseMedianSeconds)],
    ["response_median_seconds", "all", seconds(r.responseMedianSeconds)],
    ...r.responses.map(([bucket, n]): [string, string, number] => ["responses", `time:${bucket}`, n]),
    ["unanswered_conversations", "all", r.unanswered],
    ["windows_expired_before_reply", "all", r.windowsExpiredBeforeReply],
    ["templates_sent", "all", r.templates.reduce((sum, [, n]) => sum + n, 0)],
    ...r.templates.map(([name, n]): [string, string, number] => ["templates_sent", `template:${name}`, n]),
    ["policy_blocks", "all", r.policyBlocks],
    ["opt_outs", "all", r.optOuts],
    ["failures", "all", r.failures.reduce((sum, [, n]) => sum + n, 0)],
    ...r.failures.map(([code, n]): [string, string, number] => ["failures", `code:${code}`, n]),
    ["internal_replies", "all", r.internal.reduce((sum, [, n]) => sum + n, 0)],
    ...r.internal.map(([why, n]): [string, string, number] => ["internal_replies", `why:${why}`, n]),
    ...r.byStaff.filter((s) => s.internal > 0).map((s): [string, string, number] => ["internal_replies", `staff:${s.name}`, s.internal]),
    ...r.perDay.flatMap((d): Array<[string, string, number]> => [
      ["customer_messages", `day:${d.day}`, d.customerMessages],
      ["replies", `day:${d.day}`, d.replies],
    ]),
  ];
  return `metric,dimension,value\n${rows.map((row) => row.map(cell).join(",")).join("\n")}\n`;
}

/** A small bar chart as inline SVG: groups of bars (one colour per series), labels under each group. */
function barChart(title: string, groups: ReadonlyArray<{ label: string; values: readonly number[] }>, series: readonly string[]): string {
  const colours = ["#2f6fb3", "#e08a1e"];
  const bar = 14;
  const gap = 10;
  const groupWidth = series.length * bar + gap;
  const height = 140;
  const max = Math.max(1, ...groups.flatMap((g) => g.values));
  const width = 40 + groups.length * groupWidth;
  const parts = groups
    .map((g, i) => {
      const x0 = 40 + i * groupWidth;
      const bars = g.values
        .map((v, s) => {
          const h = Math.round((v / max) * (height - 30));
          return `<rect x="${x0 + s * bar}" y="${height - 20 - h}" width="${bar - 2}" height="${h}" fill="${colours[s % colours.length]}"><title>${escapeHtml(`${series[s]}: ${v}`)}</title></rect>`;
        })
        .join("");
      return `${bars}<text x="${x0}" y="${height - 6}" font-size="9">${escapeHtml(g.label)}</text>`;
    })
    .join("");
  const legend = series.map((name, s) => `<tspan fill="${colours[s % colours.length]}">■ ${escapeHtml(name)}</tspan>`).join(" ");
  return (
    `<figure><figcaption>${escapeHtml(title)}</figcaption><svg role="img" width="${width}" height="${height + 14}" viewBox="0 0 ${width} ${height + 14}">` +
    `<text x="0" y="10" font-size="10">${max}</text><line x1="36" y1="${height - 20}" x2="${width}" y2="${height - 20}" stroke="#999"/>${parts}` +
    `<text x="40" y="${height + 10}" font-size="10">${legend}</text></svg></figure>`
  );
}

function table(caption: string, head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  if (rows.length === 0) return `<h2>${escapeHtml(caption)}</h2><p>None.</p>`;
  return (
    `<h2>${escapeHtml(caption)}</h2><table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>` +
    rows.map((row) => `<tr>${row.map((v) => `<td>${escapeHtml(v)}</td>`).join("")}</tr>`).join("") +
    "</tbody></table>"
  );
}

const duration = (s: number | undefined) => {
  if (s === undefined) return "—";
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
};

/** The report as one self-contained page (inline style and SVG, nothing fetched), every value escaped. */
export function reportHtml(r: Report): string {
  const summary: Array<[string, string | number]> = [
    ["Conversations", r.conversations],
    ["Customer messages", r.customerMessages],
    ["Replies by staff", r.replies],
    ["Automatic messages", r.automatic],
    ["First response (median)", duration(r.firstResponseMedianSeconds)],
    ["Response time (median)", duration(r.responseMedianSeconds)],
    ["Conversations left unanswered", r.unanswered],
    ["Windows that expired before a reply", r.windowsExpiredBeforeReply],
    ["Templates sent", r.templates.reduce((sum, [, n]) => sum + n, 0)],
    ["Policy blocks", r.policyBlocks],
    ["Opt-outs", r.optOuts],
    ["Failed messages", r.failures.reduce((sum, [, n]) => sum + n, 0)],
    ["Internal replies (kept in Teams)", r.internal.reduce((sum, [, n]) => sum + n, 0)],
  ];
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>WhatsApp activity ${escapeHtml(r.from)} to ${escapeHtml(r.to)}</title>` +
    `<style>body{font:13px/1.45 system-ui,sans-serif;margin:24px;color:#111}h1{font-size:18px}h2{font-size:14px;margin:18px 0 6px}table{border-collapse:collapse}` +
    `th,td{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left}th{background:#f3f3f3}figure{display:inline-block;margin:0 24px 12px 0}figcaption{font-weight:600;margin-bottom:4px}</style></head><body>\n` +
    `<h1>WhatsApp activity, ${escapeHtml(r.from)} to ${escapeHtml(r.to)} (UTC)</h1><p>As of ${escapeHtml(r.asOf)}. Computed from the journal (received messages, replies, statuses, replies kept in Teams) and the channels in the tables.</p>\n` +
    table("Summary", ["Figure", "Value"], summary) +
    "\n" +
    barChart(
      "Volume per day",
      r.perDay.map((d) => ({ label: d.day.slice(5), values: [d.customerMessages, d.replies] })),
      ["customer messages", "replies"],
    ) +
    barChart(
      "Response times",
      r.responses.map(([label, n]) => ({ label, values: [n] })),
      ["turns answered"],
    ) +
    "\n" +
    table("Conversations per channel", ["Channel", "Conversations"], r.byChannel) +
    table(
      "Per staff member",
      ["Staff member", "Conversations replied in", "Replies", "Internal replies"],
      r.byStaff.map((s) => [s.name, s.conversations, s.replies, s.internal]),
    ) +
    table("Templates sent", ["Template", "Sent"], r.templates) +
    table("Failures by error code", ["Meta error code", "Messages"], r.failures) +
    table("Internal replies, by reason", ["Reason", "Replies"], r.internal) +
    `\n<p><small>A turn starts at a customer's first message after the last reply and ends at the next reply; a window is WhatsApp's 24-hour customer service window from the customer's last message. See docs/data-and-compliance.md.</small></p></body></html>\n`
  );
}
