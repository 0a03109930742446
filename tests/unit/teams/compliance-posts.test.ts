import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { ValidateFunction } from "ajv";
import { BusinessNumberId, TeamsChannelId, TeamsGroupId, TeamsMessageId, TenantId, threadRefOf } from "../../../src/core/ids";
import type { AuditReport, CompliancePost } from "../../../src/core/ports/compliance-gateway";
import type { ActivityReport } from "../../../src/core/ports/record-checks";
import { complianceCard } from "../../../src/teams/cards/compliance-card";
import { complianceText, TEXT_LIST_MAX } from "../../../src/teams/compliance-text";
import { teamsMessageLink } from "../../../src/teams/teams-links";
import { compileCardSchema, elementsOf, texts } from "./card-schema";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");
const BUSINESS = BusinessNumberId("106540352242922");
const CHANNEL = TeamsChannelId("19:whatsapp@thread.tacv2");
const THREAD = threadRefOf(CHANNEL, TeamsMessageId("1767614400000"));
const PLACE = {
  tenantId: TenantId("72f988bf-86f1-41af-91ab-2d7cd011db47"),
  channelId: CHANNEL,
  channelName: "WhatsApp (UK)",
  teamGroupId: TeamsGroupId("fbe2bf47-16c8-47cf-b4a5-4b9b187c508b"),
  thread: THREAD,
};
const AT = Date.UTC(2026, 0, 5, 14, 3);

const MANIFESTS = [
  { name: "journal/2026/01/05/manifest-web-1.b2-1.json", writer: "web-1.b2", sha256: sha("b"), segments: 2, entries: 9 },
  { name: "journal/2026/01/05/manifest-web-0.a1-1.json", writer: "web-0.a1", sha256: sha("a"), segments: 5, entries: 40 },
];
const SEAL_SHA = sha(
  [...MANIFESTS]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((m) => `${m.name} ${m.sha256}\n`)
    .join(""),
);

function audit(overrides: Partial<AuditReport> = {}): AuditReport {
  return {
    from: Date.UTC(2026, 0, 5),
    to: Date.UTC(2026, 0, 6),
    inbound: 12,
    outbound: 7,
    outboundMessages: 8,
    automatic: 2,
    reconciled: 11,
    byChannel: [
      { channel: "WhatsApp \u202e(UK)", inbound: 11, outbound: 7, kept: 4 },
      { channel: "(not linked)", inbound: 1, outbound: 0, kept: 0 },
    ],
    keptInTeams: [["note", 3]],
    refused: [["policy-block", 1]],
    failures: [["131047", 1]],
    suspended: [{ business: BUSINESS, displayNumber: "+44 20 7946 0000", channelName: "WhatsApp (UK)", since: AT }],
    unreconciledTotal: 1,
    unreconciled: [
      {
        business: BUSINESS,
        key: "msg:wamid.********AAAx",
        receivedAt: AT,
        state: "failed",
        detail: "teams.bad_request: 400 [x](http://evil.example) **bold**",
        journalRef: "journal/2026/01/05/140300000-0123456789abcdef.jsonl#2",
        place: PLACE,
      },
    ],
    duplicatesTotal: 1,
    duplicates: [
      {
        business: BUSINESS,
        key: "msg:wamid.********BBBx",
        receivedAt: AT,
        journalRef: "journal/2026/01/05/140300000-0123456789abcdef.jsonl#3",
        place: { ...PLACE, messageId: TeamsMessageId("1767614400103") },
      },
    ],
    journal: {
      from: "2026-01-05",
      to: "2026-01-05",
      segments: 7,
      manifests: 2,
      entries: 49,
      intact: false,
      breaks: [
        {
          kind: "missing",
          what: "journal/2026/01/05/100000000-aaaaaaaaaaaaaaaa.jsonl",
          detail: "named by journal/2026/01/05/100500000-bbbbbbbbbbbbbbbb.jsonl as segment 1 of writer web-0.a1",
        },
      ],
      unsignedDeliveries: 2,
      unsealed: [{ writer: "web-2.c3", segments: 1 }],
    },
    ...overrides,
  };
}

const REPORT: ActivityReport = {
  from: "2026-01-05",
  to: "2026-01-11",
  asOf: "2026-01-12T00:05:00.000Z",
  conversations: 4,
  byChannel: [
    ["WhatsApp (UK)", 3],
    ["(not linked)", 1],
  ],
  byStaff: [{ name: "Sam \u202eStaff", conversations: 2, replies: 5, internal: 1 }],
  customerMessages: 17,
  replies: 9,
  automatic: 2,
  firstResponseMedianSeconds: 240,
  responseMedianSeconds: 4000,
  responses: [
    ["< 5 min", 3],
    ["5–15 min", 2],
    ["15–60 min", 1],
    ["1–4 h", 1],
    ["4–24 h", 0],
    ["> 24 h", 0],
  ],
  unanswered: 1,
  windowsExpiredBeforeReply: 1,
  templates: [["order_update|en_US", 2]],
  policyBlocks: 1,
  optOuts: 1,
  failures: [["131047", 1]],
  internal: [
    ["note", 3],
    ["policy-block", 1],
  ],
  perDay: Array.from({ length: 7 }, (_, i) => ({ day: `2026-01-${String(5 + i).padStart(2, "0")}`, customerMessages: i, replies: i > 2 ? 1 : 0 })),
};

const POSTS: Record<string, CompliancePost> = {
  seal: { kind: "day-seal", seal: { day: "2026-01-05", seal: { day: "2026-01-05", sha256: SEAL_SHA, manifests: MANIFESTS, unsealed: [] } } },
  quietDay: { kind: "day-seal", seal: { day: "2026-01-04", missed: { from: "2025-12-01", to: "2025-12-20" } } },
  audit: { kind: "audit", audit: audit() },
  cleanAudit: {
    kind: "audit",
    audit: audit({
      unreconciledTotal: 0,
      unreconciled: [],
      duplicatesTotal: 0,
      duplicates: [],
      journal: { ...audit().journal, intact: true, breaks: [], unsignedDeliveries: 0, unsealed: [] },
    }),
  },
  review: { kind: "weekly-review", report: REPORT },
  suspended: {
    kind: "link-gap",
    gap: {
      key: "k",
      kind: "suspended",
      business: BUSINESS,
      displayNumber: "+44 20 7946 0000",
      channelId: CHANNEL,
      channelName: "WhatsApp\u202e (UK)",
      since: AT,
      at: AT,
      reason: "Teams does not let the bot post in this team",
    },
  },
  resumed: { kind: "link-gap", gap: { key: "k2", kind: "resumed", business: BUSINESS, channelId: CHANNEL, since: AT, at: AT + 95 * 60_000, waiting: 3 } },
};

describe("compliance posts: text first (what Purview finds), a card for the reports", () => {
  let validate: ValidateFunction;
  before(() => {
    validate = compileCardSchema();
  });

  for (const [name, post] of Object.entries(POSTS)) {
    it(`${name}: a text with no hole, and a valid Adaptive Card 1.5 where there is a card`, () => {
      for (const mayRepeat of [false, true]) {
        const text = complianceText(post, { mayRepeat });
        assert.doesNotMatch(text, /undefined|null|\[object|NaN/);
        assert.equal(/may repeat/.test(text), mayRepeat);
        const card = complianceCard(post, { mayRepeat });
        assert.equal(card !== undefined, post.kind === "audit" || post.kind === "weekly-review");
        if (card) assert.ok(validate(card), JSON.stringify(validate.errors, null, 1));
      }
      assert.doesNotMatch(complianceText(post), /[\u202a-\u202e]/, "names are neutralised");
    });
  }

  it("the seal text carries the day, its SHA-256 and each manifest, so the hash can be recomputed from the text alone", () => {
    const text = complianceText(POSTS["seal"]!);
    assert.match(text, /^Journal seal of 2026-01-05 \(UTC\)$/m);
    assert.match(text, new RegExp(`^SHA-256: ${SEAL_SHA}$`, "m"));
    assert.match(text, /Manifests: 2, covering 7 segments and 49 entries/);
    assert.match(text, /Unsealed writers: none\./);
    assert.match(text, /npm run verify -- --from 2026-01-05 --to 2026-01-05/);
    const lines = [...text.matchAll(/^• (journal\/\S+) ([0-9a-f]{64}) /gm)].map((m) => `${m[1]} ${m[2]}\n`).sort();
    assert.equal(lines.length, 2);
    assert.equal(sha(lines.join("")), SEAL_SHA);
  });

  it("a quiet day says nothing was journaled, and names the days the catch-up could not reach", () => {
    const text = complianceText(POSTS["quietDay"]!);
    assert.match(text, /2026-01-04 \(UTC\): nothing was journaled/);
    assert.match(text, /2025-12-01 to 2025-12-20 were not posted/);
    assert.doesNotMatch(text, /SHA-256: /);
  });

  it("the completeness check shows the same figures, the unreconciled message with its thread, the duplicate and the break, in text and in the card", () => {
    const post = POSTS["audit"]!;
    const text = complianceText(post);
    const card = complianceCard(post)!;
    const cardText = [
      ...texts(card).blocks,
      ...elementsOf(card, "FactSet").flatMap((f) => (f.facts as Array<{ title: string; value: string }>).map((x) => `${x.title}: ${x.value}`)),
    ].join("\n");
    for (const figure of ["Messages in: 12", "Reconciled: 11 of 12", "Unreconciled: 1", "Possible duplicates: 1"])
      assert.ok(text.includes(figure.replace("Possible duplicates", "Possible duplicates flagged")), `text: ${figure}`);
    for (const fact of [
      "Messages in: 12",
      "Messages out: 7 \\(8 WhatsApp messages\\)",
      "Reconciled: 11 of 12",
      "Unreconciled: 1",
      "Possible duplicates: 1",
      "Journal chain: BROKEN \\(1\\)",
    ])
      assert.ok(cardText.includes(fact), `card: ${fact}`);
    const link = teamsMessageLink(PLACE)!;
    for (const shown of [
      "msg:wamid.********AAAx",
      "journal/2026/01/05/140300000-0123456789abcdef.jsonl#2",
      "journal/2026/01/05/100000000-aaaaaaaaaaaaaaaa.jsonl",
    ]) {
      assert.ok(text.includes(shown), `text: ${shown}`);
      assert.ok(cardText.replace(/\\/g, "").includes(shown), `card: ${shown}`);
    }
    assert.ok(text.includes(`Thread: ${link}`));
    assert.ok(cardText.includes(`[Open the thread](${link})`));
    assert.match(text, /Journal chain, 2026-01-05 to 2026-01-05: BROKEN \(1 break\)/);
    assert.match(text, /^• MISSING journal\/2026\/01\/05\/100000000-a+\.jsonl: named by/m);
    assert.match(text, /does not verify: 2/);
    assert.match(text, /Not sealed yet: web-2\.c3 \(1 segment\)/);
    assert.ok(!cardText.includes("[x](http://evil.example)"), "a detail cannot become a link in the card");
  });

  it("the completeness check shows messages per channel, replies kept in Teams apart from refusals, failures and suspended links, in text and in the card", () => {
    const post = POSTS["audit"]!;
    const text = complianceText(post);
    const card = complianceCard(post)!;
    const cardText = elementsOf(card, "FactSet")
      .flatMap((f) => (f.facts as Array<{ title: string; value: string }>).map((x) => `${x.title}: ${x.value}`))
      .join("\n")
      .replace(/\\/g, "");
    assert.match(text, /^Sent by the bridge itself \(automatic\): 2 of 7$/m);
    assert.match(
      text,
      /^Per channel \(in\/out\/kept in Teams\): “WhatsApp \[U\+202E\]\(UK\)” 11\/7\/4, \(not linked\) 1\/0\/0$/m,
      "the channel name neutralised",
    );
    assert.match(text, /^Replies kept in Teams, never sent: 3 \(notes 3\)$/m);
    assert.match(text, /^Replies refused by the send rules: 1 \(blocked by the outbound policy 1\)$/m);
    assert.match(text, /^Failed deliveries, by Meta error code: 1 \(131047 1\)$/m);
    assert.match(text, /^Links suspended now \(a gap in the Teams record\): “WhatsApp \(UK\)” \(number \+44 20 7946 0000\) since 2026-01-05 14:03 UTC$/m);
    for (const fact of [
      "Automatic (of out): 2",
      "Kept in Teams, never sent: 3 (notes 3)",
      "Refused by the send rules: 1 (blocked by the outbound policy 1)",
      "Failed deliveries: 1 (131047 1)",
      "WhatsApp [U+202E](UK): 11, 7, 4",
      "(not linked): 1, 0, 0",
    ]) {
      assert.ok(cardText.includes(fact), `card: ${fact}\n${cardText}`);
    }
    assert.match(cardText, /Links suspended now: “WhatsApp \(UK\)” \(number \+44 20 7946 0000\) since 2026-01-05 14:03/);
  });

  it("lists at most 20 unreconciled messages and counts the rest", () => {
    const one = audit().unreconciled[0]!;
    const many = audit({
      unreconciledTotal: 250,
      unreconciled: Array.from({ length: 200 }, (_, i) => ({ ...one, key: `msg:wamid.********${String(i).padStart(4, "0")}` })),
    });
    const text = complianceText({ kind: "audit", audit: many });
    assert.equal([...text.matchAll(/^• msg:.*: failed/gm)].length, TEXT_LIST_MAX);
    assert.match(text, /… and 230 more unreconciled messages/);
  });

  it("the weekly review: every figure of `npm run report`, in text and card", () => {
    const text = complianceText(POSTS["review"]!);
    const card = complianceCard(POSTS["review"]!)!;
    const facts = elementsOf(card, "FactSet").flatMap((f) => f.facts as Array<{ title: string; value: string }>);
    for (const [label, value] of [
      ["Conversations", "4"],
      ["Customer messages", "17"],
      ["Replies by staff", "9"],
      ["First response (median)", "4 min"],
      ["Response time (median)", "67 min"],
      ["Templates sent", "2"],
      ["Internal replies (kept in Teams)", "4"],
    ] as const) {
      assert.ok(text.includes(`${label}: ${value}`), `text: ${label}`);
      assert.ok(
        facts.some((f) => f.title === label.replace(/[()]/g, (c) => `\\${c}`) && f.value === value),
        `card: ${label}`,
      );
    }
    assert.match(text, /Weekly review, 2026-01-05 to 2026-01-11 \(UTC\)/);
    assert.match(text, /Sam \[U\+202E\]Staff 2\/5\/1/, "the override shown as a marker, not applied");
    assert.match(text, /npm run report -- --from 2026-01-05 --to 2026-01-11/);
  });

  it("a gap and its closing say which channel and number, since when, and for how long", () => {
    const suspended = complianceText(POSTS["suspended"]!);
    assert.match(
      suspended,
      /Gap in the Teams record: since 2026-01-05 14:03 UTC, Teams refuses the bot in the channel “WhatsApp\[U\+202E\] \(UK\)” of WhatsApp number \+44 20 7946 0000/,
    );
    const resumed = complianceText(POSTS["resumed"]!);
    assert.match(
      resumed,
      /closed: since 2026-01-05 15:38 UTC, the bot works again in the channel \(unnamed\) of WhatsApp number 106540352242922, after 95 minutes \(from 2026-01-05 14:03 UTC\)/,
    );
    assert.match(resumed, /3 messages that waited are posted there now/);
  });

  it("links into Teams with the documented deep-link form", () => {
    const url = new URL(teamsMessageLink({ ...PLACE, messageId: TeamsMessageId("1767614400103") })!);
    assert.equal(url.origin + decodeURIComponent(url.pathname), "https://teams.microsoft.com/l/message/19:whatsapp@thread.tacv2/1767614400103");
    assert.equal(url.searchParams.get("parentMessageId"), "1767614400000");
    assert.equal(url.searchParams.get("groupId"), PLACE.teamGroupId);
    assert.equal(url.searchParams.get("tenantId"), PLACE.tenantId);
  });
});
