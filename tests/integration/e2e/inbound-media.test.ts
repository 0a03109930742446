import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { customerMessage, EXAMPLE_BUSINESS, textMessage } from "../../../tools/sign-webhook";
import { startMicrosoftGraphStandin, type MicrosoftGraphStandin } from "../../../tools/microsoft-graph-standin";
import { ADMIN_AAD, startHarness, type Harness } from "../../support/bridge-harness";

/**
 * Customers' media through the real HTTP path: the file is served by the Meta Graph API stand-in
 * (`GET /{media-id}`, then its download URL with the token), checked, kept by the local media store and
 * served back by the bridge; what the thread shows is read from the Bot Connector stand-in.
 */

const MARIA = { phone: "5511987654321", userId: "BR.1873409921457730218", name: "Maria Souza" };
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
const ZIP = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(60, 1)]);
const textOf = (a: Record<string, unknown>) => String(a.text ?? "");
const words = (html: string) =>
  html
    .replace(/&#91;/g, "[")
    .replace(/&#93;/g, "]")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
const hex = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
/** A SHA-256 as the thread shows it: in groups of 8 hex digits, so that it wraps. */
const shownHex = (bytes: Buffer) => hex(bytes).match(/.{8}/g)!.join(" ");
/** A PNG of `width` × `height` by its header, padded to `size` bytes (nothing decodes it). */
function bigPng(width: number, height: number, size: number): Buffer {
  const header = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
  header.writeUInt32BE(13, 8);
  header.write("IHDR", 12, "latin1");
  header.writeUInt32BE(width, 16);
  header.writeUInt32BE(height, 20);
  header[24] = 8;
  header[25] = 2;
  return Buffer.concat([header, Buffer.alloc(size - header.length, 0x5a)]);
}
const linkIn = (html: string) => /<a href="([^"]+\/media\/[^"]+)">/.exec(html)?.[1]?.replace(/&amp;/g, "&");

describe("inbound media end to end", function () {
  this.timeout(60_000);
  let h: Harness;
  let thread: string;
  let seq = 0;
  const nextId = () => `wamid.media.${++seq}`;
  const threadPosts = () => h.connector.posts.filter((p) => p.conversationId === thread);

  /** Delivers a media message of `type` for a file the stand-in holds (or an unknown id). */
  async function deliverMedia(type: string, payload: Record<string, unknown>, replies = 1): Promise<Array<Record<string, unknown>>> {
    const before = threadPosts().length;
    assert.equal(await h.postWebhook(h.envelope(customerMessage({ from: MARIA, id: nextId(), message: { type, [type]: payload } }))), 200);
    await h.connector.waitFor(() => threadPosts().length >= before + replies, 15_000);
    await h.bridge.bridge.idle();
    return threadPosts()
      .slice(before)
      .map((p) => p.activity);
  }

  before(async () => {
    h = await startHarness();
    await h.sendActivity(h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true }));
    assert.equal(await h.postWebhook(h.envelope(textMessage({ from: MARIA, text: "I'll send photos", id: nextId() }))), 200);
    await h.connector.waitFor((s) => s.created.length === 1 && s.posts.some((p) => p.conversationId === s.created[0]!.conversationId), 10_000);
    thread = h.connector.created[0]!.conversationId;
  });
  after(async () => h?.stop());

  it("an image is downloaded at once, kept, linked with its size and SHA-256, and shown inline", async () => {
    const media = h.metaGraph.addMedia({ bytes: PNG, mimeType: "image/png", phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId });
    const [post, inline] = await deliverMedia(
      "image",
      { id: media.id, mime_type: "image/png", sha256: media.sha256Base64, caption: "The *box* arrived broken" },
      2,
    );
    const html = textOf(post!);
    assert.match(words(html), /\[image\]/);
    assert.match(html, /The <strong>box<\/strong> arrived broken/);
    assert.match(html, /image\/png · 70 B/);
    assert.match(html, new RegExp(`SHA-256: </strong>${shownHex(PNG)}`));
    const link = linkIn(html)!;
    assert.ok(link.startsWith(h.bridge.url), "a link served by the bridge");
    const served = await fetch(link);
    assert.equal(served.status, 200);
    assert.equal(served.headers.get("content-type"), "image/png");
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), PNG);
    // A small image: a card with one Image (the Playground renders no image/* attachment; Teams renders both).
    const attachments = inline!.attachments as Array<{ contentType: string; content: { body: Array<Record<string, unknown>> } }>;
    assert.equal(attachments.length, 1);
    assert.equal(attachments[0]!.contentType, "application/vnd.microsoft.card.adaptive");
    const [image, ...rest] = attachments[0]!.content.body;
    assert.deepEqual(rest, [], "nothing but the image");
    assert.equal(image!.type, "Image");
    assert.equal(image!.url, `data:image/png;base64,${PNG.toString("base64")}`);
    assert.match(String(image!.altText), /\.png$/, "the file name as its alternative text");
    assert.equal(inline!.text, undefined, "the image is its own activity (text + image would be split by Teams)");
  });

  it("a larger image is shown as an HTML <img> of its own, sized to keep its proportions", async () => {
    const photo = bigPng(1600, 1200, 60_000);
    const media = h.metaGraph.addMedia({ bytes: photo, mimeType: "image/png", phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId });
    const [post, inline] = await deliverMedia("image", { id: media.id, mime_type: "image/png", sha256: media.sha256Base64 }, 2);
    assert.match(textOf(post!), /image\/png · 58\.6 KB/);
    assert.equal(inline!.attachments, undefined, "no attachment");
    assert.equal(inline!.textFormat, "xml");
    const img = /^<p><img src="([^"]+)" alt="([^"]+)" width="240" height="180"><\/p>$/.exec(textOf(inline!));
    assert.ok(img, textOf(inline!).slice(0, 200));
    assert.equal(img[1], `data:image/png;base64,${photo.toString("base64")}`);
    assert.match(img[2]!, /\.png$/);
  });

  it("a document keeps its file name and is served as a download", async () => {
    const media = h.metaGraph.addMedia({
      bytes: PDF,
      mimeType: "application/pdf",
      filename: "invoice 4471.pdf",
      phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId,
    });
    const [post] = await deliverMedia("document", {
      id: media.id,
      mime_type: "application/pdf",
      sha256: media.sha256Base64,
      filename: "invoice 4471.pdf",
      caption: "the invoice",
    });
    const html = textOf(post!);
    assert.match(words(html), /\[document\]/);
    assert.match(html, /invoice 4471\.pdf/);
    const served = await fetch(linkIn(html)!);
    assert.equal(served.headers.get("content-type"), "application/octet-stream");
    assert.match(served.headers.get("content-disposition") ?? "", /^attachment; filename="invoice 4471\.pdf"/);
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), PDF);
    assert.equal(threadPosts().at(-1)!.activity.attachments, undefined, "no inline image for a document");
  });

  it("a hash mismatch is an integrity failure: flagged, quarantined, not linked, not inline", async () => {
    const media = h.metaGraph.addMedia({ bytes: PNG, mimeType: "image/png", phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId });
    const wrong = createHash("sha256").update("something else").digest("base64");
    const posts = await deliverMedia("image", { id: media.id, mime_type: "image/png", sha256: wrong });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(threadPosts().at(-1)!.activity, posts[0], "no inline image after it");
    const html = textOf(posts[0]!);
    assert.match(html, /Integrity check failed/);
    assert.match(html, /SHA-256 does not match/);
    assert.equal(linkIn(html), undefined, "a quarantined file is never a link in the thread");
    assert.match(html, /Kept apart in: <\/strong>quarantine\//);
  });

  it("a type mismatch (declared image, bytes of a zip) is an integrity failure", async () => {
    const media = h.metaGraph.addMedia({ bytes: ZIP, mimeType: "image/jpeg", phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId });
    const [post] = await deliverMedia("image", { id: media.id, mime_type: "image/jpeg", sha256: media.sha256Base64 });
    const html = textOf(post!);
    assert.match(html, /Integrity check failed/);
    assert.match(html, /declared as image\/jpeg but its bytes are application\/zip/);
  });

  it("an oversized file is refused before download, with a clear placeholder", async () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 1, 0xff);
    big[0] = 0xff;
    big[1] = 0xd8;
    big[2] = 0xff;
    const media = h.metaGraph.addMedia({ bytes: big, mimeType: "image/jpeg", phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId });
    const downloads = h.metaGraph.mediaDownloads;
    const [post] = await deliverMedia("image", { id: media.id, mime_type: "image/jpeg", sha256: media.sha256Base64 });
    assert.match(textOf(post!), /larger than WhatsApp&#39;s limit for its type \(5\.0 MB\)/);
    assert.equal(h.metaGraph.mediaDownloads, downloads, "the file was never downloaded");
  });

  it("an expired media id says the file is no longer available, recorded", async () => {
    const [post] = await deliverMedia("audio", { id: "999000111222", mime_type: "audio/ogg; codecs=opus", sha256: "x", voice: true });
    assert.match(words(textOf(post!)), /\[voice message\]/);
    assert.match(textOf(post!), /WhatsApp no longer has this voice message/);
  });

  it("a failed download posts a placeholder at once, is retried, and the file follows", async () => {
    const media = h.metaGraph.addMedia({ bytes: PNG, mimeType: "image/png", phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId });
    h.metaGraph.failMediaDownload({ status: 503 }, 1);
    const id = `wamid.media.${++seq}`;
    const before = threadPosts().length;
    assert.equal(
      await h.postWebhook(
        h.envelope(
          customerMessage({ from: MARIA, id, message: { type: "image", image: { id: media.id, mime_type: "image/png", sha256: media.sha256Base64 } } }),
        ),
      ),
      200,
    );
    await h.connector.waitFor(() => threadPosts().length >= before + 1, 10_000);
    assert.match(textOf(threadPosts()[before]!.activity), /could not be downloaded from WhatsApp yet/);
    assert.match(textOf(threadPosts()[before]!.activity), /keeps trying/);
    await h.connector.waitFor(() => threadPosts().length >= before + 3, 20_000);
    const later = textOf(threadPosts()[before + 1]!.activity);
    assert.match(later, /delivered later/);
    assert.match(later, /is now kept/);
    assert.match(later, new RegExp(shownHex(PNG)));
    assert.ok(threadPosts()[before + 2]!.activity.attachments, "and the image inline");
    await h.bridge.bridge.followUpsSettled();
    assert.deepEqual(await h.bridge.stores.mediaRetries.list(), [], "the retry is off the queue once the file is kept");
  });

  it("a download that answers with a redirect is refused, never followed", async () => {
    const media = h.metaGraph.addMedia({ bytes: PNG, mimeType: "image/png", phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId });
    h.metaGraph.failMediaDownload({ redirectTo: "http://169.254.169.254/latest/meta-data/" }, 1);
    const [post] = await deliverMedia("image", { id: media.id, mime_type: "image/png", sha256: media.sha256Base64 });
    assert.match(textOf(post!), /refused by the bridge&#39;s security rules/);
  });

  it("kept files are only served for their unguessable path", async () => {
    assert.equal((await fetch(`${h.bridge.url}/media/${"A".repeat(32)}/x.png`)).status, 404);
    assert.equal((await fetch(`${h.bridge.url}/media/..%2F..%2Fetc/passwd`)).status, 404);
  });
});

describe("inbound media kept in SharePoint, composed for production", function () {
  this.timeout(60_000);
  let h: Harness;
  let graph: MicrosoftGraphStandin;
  /** A JWT's `aud`, read without verifying (the stand-in only checks what the bridge asked for). */
  const audienceOf = (header: string) => {
    const payload = header.replace(/^Bearer /, "").split(".")[1] ?? "";
    try {
      return (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { aud?: string }).aud;
    } catch (err) {
      if (err instanceof SyntaxError) return undefined; // not a JWT: refused
      throw err;
    }
  };

  before(async () => {
    graph = await startMicrosoftGraphStandin({
      drives: ["b!team-site-documents"],
      authorize: (header) => audienceOf(header) === "https://graph.microsoft.com",
    });
    h = await startHarness({ env: { MEDIA_SHAREPOINT_DRIVE_ID: "b!team-site-documents", MS_GRAPH_URL: graph.url } });
    await h.sendActivity(h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true }));
  });
  after(async () => {
    await h?.stop();
    await graph?.close();
  });

  it("uploads the file to the channel's SharePoint folder with a managed-identity token, and links to it", async () => {
    const media = h.metaGraph.addMedia({ bytes: PDF, mimeType: "application/pdf", filename: "contract.pdf", phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId });
    assert.equal(
      await h.postWebhook(
        h.envelope(
          customerMessage({
            from: MARIA,
            id: "wamid.sp.1",
            message: { type: "document", document: { id: media.id, mime_type: "application/pdf", sha256: media.sha256Base64, filename: "contract.pdf" } },
          }),
        ),
      ),
      200,
    );
    await h.connector.waitFor((s) => s.created.length === 1 && s.posts.some((p) => p.conversationId === s.created[0]!.conversationId), 15_000);
    const html = textOf(h.connector.posts.find((p) => p.conversationId === h.connector.created[0]!.conversationId)!.activity);
    const [stored] = [...graph.files.values()];
    assert.ok(stored, "uploaded to Microsoft Graph");
    assert.match(stored.path, /^WhatsApp\/WhatsApp media\/customer-[0-9a-f]{12}\/[0-9a-f]{8}-contract\.pdf$/);
    assert.deepEqual(stored.bytes, PDF);
    assert.ok(html.includes(`<a href="${stored.webUrl}">`), "the thread links to the SharePoint file");
    assert.ok(
      h.issuer.msiRequests.some((r) => r.resource === "https://graph.microsoft.com"),
      "the token came from the managed identity",
    );
  });
});
