import assert from "node:assert/strict";
import { ReportBuilder, type Report } from "../../../src/compliance/report-builder";
import { reportCsv, reportHtml } from "../../../src/compliance/report-render";
import { timeline, type SourceEntry } from "../../../src/compliance/timeline";
import { TeamsMessageId } from "../../../src/core/ids";
import { decodeJournaledBody } from "../../../src/whatsapp/meta/journal-decode";
import { ana, at, CURRENT_SECRET, DAY1, DAY2, keyOf, maria, writerASteps, writerBSteps } from "../../support/journal-world";
import { signed, statusBody } from "../../support/webhook-bodies";

/** The journal world (two days, two writers) plus a policy block and a failed delivery, as journal entries. */
function entries(): SourceEntry[] {
  const steps = [
    ...writerASteps(),
    ...writerBSteps(),
    {
      record: {
        kind: "internal" as const,
        at: at(DAY2, "09:00:00"),
        conversation: keyOf(maria),
        teamsMessageId: TeamsMessageId("1778490000000"),
        author: ana,
        why: "policy-block" as const,
        detail: "card-number",
      },
    },
    { delivery: signed(statusBody(maria, "wamid.out.m2", at(DAY2, "09:00:00"), "failed", 131026), CURRENT_SECRET), at: at(DAY2, "09:00:01") },
  ];
  return steps.map((step, i): SourceEntry =>
    "record" in step
      ? { kind: "record", ref: `r#${i}`, record: step.record }
      : { kind: "delivery", ref: `d#${i}`, receivedAt: step.at, body: Buffer.from(step.delivery.body) },
  );
}

async function report(source: SourceEntry[], from = DAY1, to = DAY2): Promise<Report> {
  const builder = new ReportBuilder({
    from,
    to,
    now: at(DAY2, "23:00:00"),
    stopKeywords: ["STOP", "UNSUBSCRIBE"],
    channelOf: (conversation) => (conversation === keyOf(maria) ? "Sales" : undefined),
  });
  async function* feed() {
    yield* source;
  }
  for await (const event of timeline(feed(), (body, receivedAt) => decodeJournaledBody(body, receivedAt).events)) builder.add(event);
  return builder.result();
}

describe("the activity report (npm run report), on a fixed clock", () => {
  it("matches the figures worked out by hand", async () => {
    const r = await report(entries());
    // Maria: 09:00 → reply 09:04 (240 s); 09:05 image → template reply the next day 08:30 (84,300 s).
    // John: 10:00 "Hi", 10:01 "STOP" (an opt-out, no turn of its own), next day 11:00 → reply 11:30
    // (91,800 s from 10:00); his first window closed at 10:01 the next day with no reply.
    assert.deepEqual(r, {
      from: DAY1,
      to: DAY2,
      asOf: "2026-05-11T23:00:00.000Z",
      conversations: 2,
      byChannel: [
        ["(not linked)", 1],
        ["Sales", 1],
      ],
      byStaff: [
        { name: "Ana Staff", conversations: 1, replies: 2, internal: 1 },
        { name: "Bo Staff", conversations: 1, replies: 1, internal: 1 },
      ],
      customerMessages: 5,
      replies: 3,
      automatic: 0,
      firstResponseMedianSeconds: (240 + 91_800) / 2,
      responseMedianSeconds: 84_300,
      responses: [
        ["< 5 min", 1],
        ["5–15 min", 0],
        ["15–60 min", 0],
        ["1–4 h", 0],
        ["4–24 h", 1],
        ["> 24 h", 1],
      ],
      unanswered: 0,
      windowsExpiredBeforeReply: 1,
      templates: [["order_update|en_US", 1]],
      policyBlocks: 1,
      optOuts: 1,
      failures: [
        ["131026", 1],
        ["131047", 1],
      ],
      internal: [
        ["note", 1],
        ["policy-block", 1],
      ],
      perDay: [
        { day: DAY1, customerMessages: 4, replies: 1 },
        { day: DAY2, customerMessages: 1, replies: 2 },
      ],
    });
  });

  it("counts a redelivered message once, judges open turns as of the end of the period, and leaves out what is outside it", async () => {
    const source = entries();
    const first = source.find((e) => e.kind === "delivery")!;
    const dayOne = await report([...source, { ...first, ref: "again" }], DAY1, DAY1);
    assert.equal(dayOne.customerMessages, 4, "the redelivery of 09:00 counts once");
    assert.equal(dayOne.replies, 1);
    // As of the end of day one: Maria's 09:05 image and John's 10:00 wait for a reply.
    assert.equal(dayOne.unanswered, 2);
    assert.equal(dayOne.windowsExpiredBeforeReply, 0, "no window had closed by then");
    assert.deepEqual(
      dayOne.responses.map(([, n]) => n),
      [1, 0, 0, 0, 0, 0],
    );
    assert.equal(dayOne.templates.length, 0);
  });

  it("writes CSV (metric,dimension,value; names never read as formulas) and a self-contained HTML page with SVG charts", async () => {
    const r = await report(entries());
    const csv = reportCsv(r);
    assert.ok(csv.startsWith("metric,dimension,value\nperiod_from,,2026-05-10\nperiod_to,,2026-05-11\nas_of,,2026-05-11T23:00:00.000Z\nconversations,all,2\n"));
    for (const row of [
      "conversations,channel:Sales,1",
      "conversations,staff:Ana Staff,1",
      "replies,staff:Bo Staff,1",
      "first_response_median_seconds,all,46020",
      "response_median_seconds,all,84300",
      "responses,time:> 24 h,1",
      "unanswered_conversations,all,0",
      "windows_expired_before_reply,all,1",
      "templates_sent,template:order_update|en_US,1",
      "policy_blocks,all,1",
      "opt_outs,all,1",
      "failures,code:131047,1",
      "internal_replies,all,2",
      "internal_replies,why:policy-block,1",
      "customer_messages,day:2026-05-10,4",
      "replies,day:2026-05-11,2",
    ]) {
      assert.ok(csv.includes(`\n${row}\n`), row);
    }
    const tricky = reportCsv({ ...r, byStaff: [{ name: '=HYPERLINK("x"), "Bo"', conversations: 1, replies: 1, internal: 0 }] });
    assert.ok(tricky.includes(`conversations,"staff:=HYPERLINK(""x""), ""Bo""",1`));
    const html = reportHtml({ ...r, byStaff: [...r.byStaff, { name: "<img src=x onerror=alert(1)>", conversations: 0, replies: 0, internal: 0 }] });
    assert.match(html, /^<!doctype html>/);
    assert.equal((html.match(/<svg /g) ?? []).length, 2, "volume per day and response times");
    assert.doesNotMatch(html, /<script|<img|<link|<iframe|<[^>]*\s(src|href)=|https?:\/\//i, "nothing fetched, nothing run");
    assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;"));
    assert.match(html, /<td>First response \(median\)<\/td><td>12\.8 h<\/td>/);
    assert.match(html, /<td>Windows that expired before a reply<\/td><td>1<\/td>/);
  });
});
