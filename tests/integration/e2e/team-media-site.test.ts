import assert from "node:assert/strict";
import { BusinessNumberId } from "../../../src/core/ids";
import { customerMessage, EXAMPLE_BUSINESS } from "../../../tools/sign-webhook";
import { startMicrosoftGraphStandin, type MicrosoftGraphStandin } from "../../../tools/microsoft-graph-standin";
import { ADMIN_AAD, TEAM_GROUP_ID, startHarness, type Harness } from "../../support/bridge-harness";

/**
 * SharePoint without MEDIA_SHAREPOINT_DRIVE_ID, composed for production: `link` learns the team's group
 * from Teams (TeamsInfo.getTeamDetails; the activity carries no aadGroupId), the link keeps it, and a
 * customer's file goes to that team's own site, found with Graph `GET /groups/{id}/drive`.
 */

const MARIA = { phone: "5511987654321", userId: "BR.1873409921457730218", name: "Maria Souza" };
const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
const SUPPORT_SITE = "b!support-team-site";

/** A JWT's `aud`, read without verifying (the stand-in only checks what the bridge asked for). */
function audienceOf(header: string): string | undefined {
  const payload = header.replace(/^Bearer /, "").split(".")[1] ?? "";
  try {
    return (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { aud?: string }).aud;
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

describe("customers' files in the linked team's own SharePoint site (real HTTP, Graph stand-in)", function () {
  this.timeout(60_000);
  let h: Harness;
  let graph: MicrosoftGraphStandin;

  before(async () => {
    graph = await startMicrosoftGraphStandin({
      drives: [SUPPORT_SITE, "b!another-team-site"],
      groupDrives: { [TEAM_GROUP_ID]: SUPPORT_SITE, "9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d": "b!another-team-site" },
      authorize: (header) => audienceOf(header) === "https://graph.microsoft.com",
    });
    h = await startHarness({ env: { MEDIA_STORE: "sharepoint", MS_GRAPH_URL: graph.url } });
  });
  after(async () => {
    await h?.stop();
    await graph?.close();
  });

  it("link keeps the team's group id from Teams, and the file lands in that team's library only", async () => {
    await h.sendActivity(h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true }));
    assert.equal((await h.bridge.stores.links.get(BusinessNumberId(EXAMPLE_BUSINESS.phoneNumberId)))?.teamGroupId, TEAM_GROUP_ID);
    const media = h.metaGraph.addMedia({ bytes: PDF, mimeType: "application/pdf", filename: "statement.pdf", phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId });
    const document = { id: media.id, mime_type: "application/pdf", sha256: media.sha256Base64, filename: "statement.pdf" };
    assert.equal(await h.postWebhook(h.envelope(customerMessage({ from: MARIA, id: "wamid.site.1", message: { type: "document", document } }))), 200);
    await h.connector.waitFor((s) => s.created.length === 1 && s.posts.some((p) => p.conversationId === s.created[0]!.conversationId), 15_000);
    await h.bridge.bridge.idle();
    const stored = [...graph.files.values()];
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.driveId, SUPPORT_SITE, "the linked team's library, not another team's");
    assert.match(stored[0]!.path, /^WhatsApp\/WhatsApp media\/customer-[0-9a-f]{12}\/[0-9a-f]{8}-statement\.pdf$/);
    assert.deepEqual(
      graph.requests.filter((r) => r.path.startsWith("/v1.0/groups/")).map((r) => [r.method, r.path, r.authorized]),
      [["GET", `/v1.0/groups/${TEAM_GROUP_ID}/drive`, true]],
    );
  });
});
