import assert from "node:assert/strict";
import { BusinessNumberId, WaMessageId } from "../../../src/core/ids";
import type { StaffNotice } from "../../../src/core/notices";
import type { TemplateCardModel } from "../../../src/core/staff-message";
import { templateId, type MessageTemplate } from "../../../src/core/templates";
import { wordTemplateCard } from "../../../src/teams/cards/template-card";
import { staffReplyActivity } from "../../../src/teams/staff-reply-activity";
import { renderThreadPost } from "../../../src/teams/teams-html";
import { sayNotice } from "../../../src/teams/wording";

const RULES = { replyMode: "all", notePrefix: "//", sendPrefix: "!" } as const;
const NUMBER = { id: BusinessNumberId("106540352242922"), display: "+1 555 0100" };
const AT = Date.UTC(2026, 0, 5, 14, 5);
const BACKLOG = { business: NUMBER.id, displayNumber: NUMBER.display, waiting: 2, failed: 1, oldestWaitingAt: AT - 90 * 60_000 };

/** One notice of every kind (the type makes a missing kind a compile error). */
const SAMPLES: { readonly [K in StaffNotice["kind"]]: Extract<StaffNotice, { kind: K }> } = {
  help: { kind: "help", rules: RULES },
  "unknown-command": { kind: "unknown-command", word: "lnik", rules: RULES },
  "admins-only": { kind: "admins-only", action: "create-group" },
  "link-which-number": { kind: "link-which-number" },
  "link-channel-refused": { kind: "link-channel-refused", channel: "private" },
  "link-channel-unchecked": { kind: "link-channel-unchecked" },
  "number-not-found": { kind: "number-not-found", query: "+44 20 7946 0000" },
  "number-linked-elsewhere": { kind: "number-linked-elsewhere", number: NUMBER, channelName: "Support" },
  "number-linked": { kind: "number-linked", number: NUMBER, waiting: 1 },
  "nothing-linked": { kind: "nothing-linked" },
  "numbers-unlinked": { kind: "numbers-unlinked", numbers: [NUMBER] },
  status: {
    kind: "status",
    rules: RULES,
    links: [{ number: NUMBER, linkedAt: AT, backlog: BACKLOG }],
    elsewhere: [{ ...BACKLOG, suspendedSince: AT - 3 * 3600_000 }],
    now: AT,
  },
  "group-usage": { kind: "group-usage" },
  "group-subject-missing": { kind: "group-subject-missing" },
  "group-needs-link": { kind: "group-needs-link" },
  "group-not-created": { kind: "group-not-created" },
  "group-requested": { kind: "group-requested", subject: "Smith family", number: NUMBER },
  "compliance-channel-set": { kind: "compliance-channel-set", auditEveryHours: 24, previous: { same: false, channelName: "Records" } },
  "compliance-usage": { kind: "compliance-usage" },
  "compliance-unavailable": { kind: "compliance-unavailable" },
  "audit-usage": { kind: "audit-usage", maxDays: 31 },
  "audit-running": { kind: "audit-running", hours: 168 },
  "audit-failed": { kind: "audit-failed" },
  "kept-in-teams": { kind: "kept-in-teams", mentions: "colleague", sendPrefix: "!" },
  "tenant-link": { kind: "tenant-link", hosts: ["contoso.sharepoint.com"], sendPrefix: "!" },
  "attachments-not-sent": { kind: "attachments-not-sent", imageProblems: [], files: true },
  "channel-unlinked": { kind: "channel-unlinked" },
  "staff-not-allowed": { kind: "staff-not-allowed", why: "external", action: "reply" },
  "group-unreachable": { kind: "group-unreachable", why: "suspended" },
  "recipient-unknown": { kind: "recipient-unknown", on: "reply" },
  "policy-blocked": { kind: "policy-blocked", on: "reply", hint: "a number ending …1111", rule: "a payment card number" },
  "storage-unavailable": { kind: "storage-unavailable" },
  "reply-too-long": { kind: "reply-too-long", characters: 300_000 },
  "reply-not-recorded": { kind: "reply-not-recorded" },
  "not-sent": { kind: "not-sent", what: "reply" },
  "partly-sent": { kind: "partly-sent", problems: [{ kind: "too-large", name: "scan.tiff", maxBytes: 100 * 1024 * 1024 }, { kind: "refused" }] },
  "reaction-not-sent": { kind: "reaction-not-sent" },
  "edit-not-forwarded": { kind: "edit-not-forwarded", change: "deleted" },
  "reply-uncertain": { kind: "reply-uncertain", reply: "Your refund is on its way" },
  "reply-unsendable": { kind: "reply-unsendable", reply: "", why: "channel-unlinked", stage: "resend" },
  "not-delivered": { kind: "not-delivered", error: { code: 131026, title: "Message undeliverable" }, resends: 2 },
  "window-closed": { kind: "window-closed", closedAt: AT, group: false },
  "template-withdrawn": { kind: "template-withdrawn" },
  "template-not-chosen": { kind: "template-not-chosen" },
  "template-incomplete": { kind: "template-incomplete", missing: ["{{2}}"], attempt: "send" },
  "template-auth-in-group": { kind: "template-auth-in-group" },
  "no-templates": { kind: "no-templates", reason: { kind: "window-closed", group: true } },
  "templates-unavailable": { kind: "templates-unavailable" },
  "card-outside-thread": { kind: "card-outside-thread" },
  "template-cancelled": { kind: "template-cancelled" },
  "template-opted-out": { kind: "template-opted-out" },
  "group-changed": { kind: "group-changed", change: { kind: "suspended" } },
  "group-creating": { kind: "group-creating", subject: "Smith family" },
  "group-consent-ignored": { kind: "group-consent-ignored", change: "start", author: "Ben Okafor", word: "START" },
  "consent-changed": { kind: "consent-changed", change: "stop", source: { by: "setting" } },
  "thread-start-duplicate": { kind: "thread-start-duplicate" },
  "automatic-not-sent": {
    kind: "automatic-not-sent",
    label: "Sent automatically to the customer (first-contact notice)",
    error: "whatsapp.send_failed.131047: window",
  },
  "not-shown": { kind: "not-shown", message: { from: "Maria Souza", sentAt: AT, wamid: WaMessageId("wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjBDMEY2") } },
};

describe("the wording catalogue (src/teams/wording.ts)", () => {
  it("has words for every notice kind, with no hole where data was missing", () => {
    for (const notice of Object.values(SAMPLES)) {
      const { text } = sayNotice(notice);
      assert.ok(text.length > 10, `${notice.kind}: "${text}"`);
      assert.doesNotMatch(text, /undefined|null|\[object|NaN/, notice.kind);
    }
  });

  it("says the defaults and the data as staff read them", () => {
    assert.equal(
      sayNotice(SAMPLES["not-sent"]).text,
      "Not sent to WhatsApp: an unexpected error occurred; try again, and tell your bridge admin if it keeps happening.",
    );
    assert.equal(sayNotice({ kind: "not-sent", what: "template", why: "the window closed." }).text, "Not sent to WhatsApp: the window closed.");
    assert.equal(
      sayNotice(SAMPLES["reply-unsendable"]).text,
      "Not delivered to WhatsApp: a reply. This channel is no longer linked to the customer's WhatsApp number.",
    );
    assert.equal(
      sayNotice(SAMPLES["partly-sent"]).text,
      "Not everything reached WhatsApp: scan.tiff is larger than WhatsApp allows (100.0 MB); the text: an unexpected error occurred.",
    );
    assert.equal(
      sayNotice(SAMPLES["not-delivered"]).text,
      "Not delivered to WhatsApp: a message. WhatsApp reported error 131026: Message undeliverable. (It was sent again 2 times.)",
    );
    assert.equal(
      sayNotice(SAMPLES["window-closed"]).text,
      "Your message was not sent: the customer last wrote more than 24 hours ago (it closed 2026-01-05 14:05 UTC), and WhatsApp then only allows an approved template. Pick one below.",
    );
    assert.match(
      sayNotice(SAMPLES["no-templates"]).text,
      /^Your message was not sent: no one in the group has written in the last 24 hours, and WhatsApp then only allows an approved template\. No approved WhatsApp template/,
    );
    assert.match(
      sayNotice(SAMPLES.status).text,
      /^Linked WhatsApp number:\n• \+1 555 0100 \(id 106540352242922\), linked 2026-01-05\n {2}\+1 555 0100: 2 waiting, the oldest for 1\.5 h; 1 failed\.\nReplies: every reply/,
    );
    assert.match(sayNotice(SAMPLES.status).text, /Elsewhere:\n• \+1 555 0100: 2 waiting, the oldest for 1\.5 h; 1 failed\. SUSPENDED for 3 h/);
  });

  it("says why a staff member may not send, and what they can do, for every reason", () => {
    assert.equal(
      sayNotice(SAMPLES["staff-not-allowed"]).text,
      "Your reply was not sent to WhatsApp: people from another organisation in a shared channel cannot write to the firm's customers. Ask a colleague of the firm to send it.",
    );
    assert.equal(
      sayNotice({ kind: "staff-not-allowed", why: "unchecked", action: "reaction" }).text,
      "Your reaction was not sent to WhatsApp: the bridge could not check your membership of this team with Teams just now. Try again in a minute; tell your bridge admin if it keeps happening.",
    );
    assert.equal(sayNotice({ kind: "staff-not-allowed", why: "unchecked", action: "reaction" }).tone, "error");
    assert.match(
      sayNotice({ kind: "staff-not-allowed", why: "guest", action: "template" }).text,
      /^The template was not sent to WhatsApp: guest accounts cannot/,
    );
    const reasons = ["no-identity", "not-member", "guest", "external", "not-listed", "unchecked"] as const;
    assert.equal(
      new Set(reasons.map((why) => sayNotice({ kind: "staff-not-allowed", why, action: "reply" }).text)).size,
      reasons.length,
      "each reason has its own words",
    );
    assert.match(
      sayNotice({ kind: "link-channel-refused", channel: "shared" }).text,
      /^This is a shared channel: people from other teams or organisations can be in it/,
    );
    assert.equal(sayNotice(SAMPLES["link-channel-refused"]).tone, "warning");
  });

  it("gives the tone: plain answers to commands, warnings and errors for what did not happen", () => {
    assert.equal(sayNotice(SAMPLES["number-linked"]).tone, undefined);
    assert.equal(sayNotice(SAMPLES["admins-only"]).tone, "warning");
    assert.equal(sayNotice(SAMPLES["reply-not-recorded"]).tone, "error");
    assert.equal(sayNotice(SAMPLES["group-changed"]).tone, "warning");
    assert.equal(sayNotice({ kind: "group-changed", change: { kind: "unsuspended" } }).tone, "info");
    assert.equal(sayNotice({ kind: "consent-changed", change: "start", source: { by: "keyword", word: "START" } }).tone, "info");
  });

  it("renders a notice as an answer in the turn and as a post in a thread (a plain answer posted alone reads as a note)", () => {
    assert.deepEqual(staffReplyActivity({ kind: "notice", notice: SAMPLES["template-cancelled"] }), {
      type: "message",
      text: "<p>Template not sent.</p>",
      textFormat: "xml",
    });
    assert.equal(renderThreadPost({ kind: "notice", notice: SAMPLES["template-cancelled"] }), "<p>ℹ️ <em>Template not sent.</em></p>");
    const escaped = renderThreadPost({ kind: "notice", notice: { kind: "group-consent-ignored", change: "stop", author: "<b>Ben</b>", word: "STOP" } });
    assert.ok(escaped.startsWith("<p>ℹ️ <em>&lt;b&gt;Ben&lt;/b&gt; wrote “STOP” in the group."), escaped);
  });

  it("puts the template card's reason and problem in words", () => {
    const template: MessageTemplate = { name: "order_update", language: "en_US", category: "UTILITY", body: "Hi {{1}}", buttons: [] };
    const pick: TemplateCardModel = {
      step: "pick",
      reason: SAMPLES["template-withdrawn"],
      templates: [{ id: templateId(template), label: "order_update (en_US)" }],
    };
    assert.deepEqual(wordTemplateCard(pick), { ...pick, reason: "That template is no longer approved; pick another." });
    const fill: TemplateCardModel = {
      step: "fill",
      template,
      values: { header: {}, body: {} },
      problem: { kind: "template-incomplete", missing: ["{{1}}"], attempt: "preview" },
    };
    assert.deepEqual(wordTemplateCard(fill), { ...fill, problem: "Still to fill in: {{1}}." });
    const plain: TemplateCardModel = { step: "fill", template, values: { header: {}, body: {} } };
    assert.deepEqual(wordTemplateCard(plain), plain);
  });
});
