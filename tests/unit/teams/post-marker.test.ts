import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { paragraph } from "../../../src/core/formatted-text";
import { WaMessageId } from "../../../src/core/ids";
import { mapStaffMessage } from "../../../src/teams/activity-mapper";
import { hasPostMarker, postMarker } from "../../../src/teams/post-marker";
import { renderThreadPost } from "../../../src/teams/teams-html";
import { storedHtml } from "../../../tools/bot-connector-standin/graph-replies";
import { loadTeamsActivity } from "./teams-fixtures";

const WAMID = WaMessageId("wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFDNBRkQ3RDM0QTk2NDQ0QkU0RTAwAA==");
const SENT_AT = Date.UTC(2026, 10, 30, 9, 5, 30);

describe("the reference in each customer post (crash window)", () => {
  it("is the first 12 hex digits of the SHA-256 of the wamid: the same every time, different per message", () => {
    const expected = createHash("sha256").update(WAMID).digest("hex").slice(0, 12);
    assert.equal(postMarker(WAMID), expected);
    assert.match(expected, /^[0-9a-f]{12}$/);
    assert.notEqual(postMarker("wamid.other"), expected);
  });

  it("shows as `· ref <marker>` after the time in the post's first line, only when the post has a wamid", () => {
    const post = { kind: "customer" as const, authorName: "Ana", authorHandle: "+5511987654321", sentAt: SENT_AT, body: paragraph("hi") };
    assert.equal(renderThreadPost({ ...post, ref: WAMID }), `<p><strong>Ana</strong> (+5511987654321) · 09:05 UTC · ref ${postMarker(WAMID)}</p><p>hi</p>`);
    assert.equal(renderThreadPost(post), "<p><strong>Ana</strong> (+5511987654321) · 09:05 UTC</p><p>hi</p>");
  });

  it("is still found once Teams stored the post (attributes and wrappers changed), and only the exact marker matches", () => {
    const html = renderThreadPost({ kind: "customer", authorHandle: "+5511987654321", sentAt: SENT_AT, body: paragraph("hi"), ref: WAMID });
    const stored = storedHtml(html.replace("<p>", `<p class="x" data-ref="${WAMID}">`));
    assert.ok(!stored.includes("data-ref"), "the stand-in drops attributes, as Teams may");
    assert.ok(hasPostMarker(stored, postMarker(WAMID)));
    assert.ok(hasPostMarker(`<div>ref&nbsp;<span>${postMarker(WAMID)}</span></div>`, postMarker(WAMID)));
    assert.ok(!hasPostMarker(stored, postMarker("wamid.other")));
    assert.ok(!hasPostMarker(`<p>ref ${postMarker(WAMID)}0</p>`, postMarker(WAMID)), "a longer hex run is another reference");
    assert.ok(!hasPostMarker(`<p>${postMarker(WAMID)}</p>`, postMarker(WAMID)), "the digits alone (e.g. in a customer's text) are not the marker");
  });

  it("a hidden marker would not survive: only visible text is kept by the stand-in (why the marker is visible)", () => {
    const stored = storedHtml(`<p>hi</p><span hidden>ref ${postMarker(WAMID)}</span>`);
    assert.ok(!hasPostMarker(stored, postMarker(WAMID)));
  });

  it("is read through any entity, comment or unclosed markup Teams may store around it", () => {
    const marker = postMarker(WAMID);
    assert.ok(hasPostMarker(`<p>ref&ensp;<!-- x --><b>${marker}</b></p>`, marker));
    assert.ok(hasPostMarker(`<div><p>&#114;ef ${marker}`, marker));
    assert.ok(!hasPostMarker(`<p>ref<!-- ${marker} --></p>`, marker), "a comment is not visible text");
  });
});

describe("the team's group id on a staff message (what the link keeps for Graph)", () => {
  it("is taken from channelData.team.aadGroupId, and absent when Teams does not send it", () => {
    const activity = loadTeamsActivity("channel-new-post-mention");
    assert.equal(mapStaffMessage(activity)?.teamGroupId, undefined);
    (activity.channelData as { team: Record<string, unknown> }).team.aadGroupId = "fbe2bf47-16c8-47cf-b4a5-4b9b187c508b";
    assert.equal(mapStaffMessage(activity)?.teamGroupId, "fbe2bf47-16c8-47cf-b4a5-4b9b187c508b");
  });
});
