import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { customerMessage, EXAMPLE_BUSINESS } from "../../../tools/sign-webhook";
import { startMicrosoftGraphStandin, type MicrosoftGraphStandin } from "../../../tools/microsoft-graph-standin";
import { ADMIN_AAD, startHarness, type Harness } from "../../support/bridge-harness";

/**
 * Customers' files that can run code, through the real HTTP path: a signed webhook names a document the
 * Meta Graph API stand-in serves; the bridge downloads, checks and keeps it; what Teams shows is read from
 * the Bot Connector stand-in, and where the file went from the local media folder (or the Microsoft
 * Graph stand-in's drive). The default policy keeps such files apart and never links them.
 */

const CUSTOMER = { phone: "447700900456", userId: "GB.900000000000000002", name: "Tom Reed" };
/** A macro document is an OOXML zip. */
const DOCM = Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.from("[Content_Types].xml word/vbaProject.bin"), Buffer.alloc(40, 2)]);
const DOCM_MIME = "application/vnd.ms-word.document.macroEnabled.12";
/** A Windows program (its "MZ" header), sent as a PDF. */
const EXE = Buffer.concat([Buffer.from("MZ"), Buffer.alloc(126, 0x90)]);
const textOf = (a: Record<string, unknown>) => String(a.text ?? "");
/** Teams HTML as a reader sees it (entities decoded). */
const shown = (html: string) =>
  html
    .replace(/&#91;/g, "[")
    .replace(/&#93;/g, "]")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
const hex = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
/** A SHA-256 as the thread shows it: in groups of 8 hex digits. */
const shownHex = (bytes: Buffer) => hex(bytes).match(/.{8}/g)!.join(" ");

/** Delivers a document and resolves with the text of its post in the (only) thread. */
async function deliverDocument(h: Harness, id: string, filename: string, mimeType: string, bytes: Buffer): Promise<string> {
  const media = h.metaGraph.addMedia({ bytes, mimeType, filename, phoneNumberId: EXAMPLE_BUSINESS.phoneNumberId });
  const before = h.connector.posts.length;
  const document = { id: media.id, mime_type: mimeType, sha256: media.sha256Base64, filename, caption: "my bank statement" };
  assert.equal(await h.postWebhook(h.envelope(customerMessage({ from: CUSTOMER, id, message: { type: "document", document } }))), 200);
  await h.connector.waitFor(
    (s) => s.created.length === 1 && s.posts.length > before && s.posts.some((p) => p.conversationId === s.created[0]!.conversationId),
    15_000,
  );
  await h.bridge.bridge.idle();
  const posts = h.connector.posts.slice(before).filter((p) => p.conversationId === h.connector.created[0]!.conversationId);
  assert.equal(posts.length, 1, "one post, and no inline preview");
  return textOf(posts[0]!.activity);
}

describe("risky files from customers end to end (default policy: quarantine)", function () {
  this.timeout(60_000);
  let h: Harness;
  let mediaDir: string;

  before(async () => {
    h = await startHarness();
    assert.equal(h.config.media.kind, "local");
    mediaDir = h.config.media.kind === "local" ? h.config.media.directory : "";
    await h.sendActivity(h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true }));
  });
  after(async () => h?.stop());

  /** The quarantine folder the post names, checked on disk: the bytes, kept apart, and never served. */
  async function quarantinedFile(html: string, bytes: Buffer): Promise<void> {
    const token = /Kept apart in: <\/strong>quarantine\/([A-Za-z0-9_-]{32}) /.exec(html)?.[1];
    assert.ok(token, `the post says where the file is kept: ${html.slice(0, 600)}`);
    const folder = join(mediaDir, "quarantine", token);
    assert.deepEqual(readFileSync(join(folder, "file")), bytes, "the customer's file is kept, byte for byte");
    const info = JSON.parse(readFileSync(join(folder, "info.json"), "utf8")) as { quarantined: boolean; mimeType: string };
    assert.equal(info.quarantined, true);
    assert.equal(info.mimeType, "application/octet-stream");
    assert.ok(!existsSync(join(mediaDir, token)), "not among the files the bridge serves");
    assert.equal((await fetch(`${h.bridge.url}/media/${token}/x`)).status, 404, "never served");
  }

  it("a macro document (.docm) is flagged in the thread, kept in quarantine and not linked", async () => {
    const html = await deliverDocument(h, "wamid.risky.docm", "statement.docm", DOCM_MIME, DOCM);
    const text = shown(html);
    assert.match(text, /my bank statement/, "the caption");
    assert.match(text, /⚠️ Risky file: <\/strong>its name ends in \.docm, a document with macros \(code that runs when it is opened\)\./);
    assert.match(text, /kept apart \(quarantined\) for the record and is not linked here/);
    assert.match(text, /statement\.docm<\/strong> · application\/vnd\.ms-word\.document\.macroenabled\.12/);
    assert.ok(html.includes(shownHex(DOCM)), "its SHA-256");
    assert.doesNotMatch(html, /<a href=/, "no link of any kind");
    await quarantinedFile(html, DOCM);
  });

  it("a disguised program (invoice.pdf.exe declared application/pdf) is flagged with every reason and kept in quarantine", async () => {
    const html = await deliverDocument(h, "wamid.risky.exe", "invoice.pdf.exe", "application/pdf", EXE);
    const text = shown(html);
    assert.match(text, /Integrity check failed: <\/strong>it was declared as application\/pdf but its bytes are application\/x-executable\./);
    assert.match(
      text,
      /⚠️ Risky file: <\/strong>its name ends in \.exe, a program or script that runs when opened; its name puts \.pdf before the real extension, so that it looks like a \.pdf file\./,
    );
    assert.doesNotMatch(html, /<a href=/);
    await quarantinedFile(html, EXE);
    assert.deepEqual(readdirSync(join(mediaDir, "quarantine")).length, 2, "both files are in quarantine");
  });
});

describe("risky files kept in SharePoint under MEDIA_RISKY_FILES=block", function () {
  this.timeout(60_000);
  let h: Harness;
  let graph: MicrosoftGraphStandin;

  before(async () => {
    // Any bearer token: how the bridge gets its Graph token is checked in inbound-media.test.ts.
    graph = await startMicrosoftGraphStandin({ drives: ["b!team-site-documents"], authorize: (header) => /^Bearer \S+$/.test(header) });
    h = await startHarness({ env: { MEDIA_SHAREPOINT_DRIVE_ID: "b!team-site-documents", MS_GRAPH_URL: graph.url, MEDIA_RISKY_FILES: "block" } });
    await h.sendActivity(h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true }));
  });
  after(async () => {
    await h?.stop();
    await graph?.close();
  });

  it("a .docm goes to the customer's Quarantine folder, named so it does not open; the thread says it is blocked, with no link or place", async () => {
    const html = await deliverDocument(h, "wamid.risky.sp", "statement.docm", DOCM_MIME, DOCM);
    const [stored] = [...graph.files.values()];
    assert.ok(stored, "uploaded to Microsoft Graph: the record keeps the file");
    assert.match(stored.path, /^WhatsApp\/WhatsApp media\/customer-[0-9a-f]{12}\/Quarantine\/[0-9a-f]{8}-statement\.docm\.quarantined$/);
    assert.deepEqual(stored.bytes, DOCM);
    assert.equal(stored.contentType, "application/octet-stream");
    const text = shown(html);
    assert.match(text, /⛔ Blocked file: <\/strong>its name ends in \.docm/);
    assert.match(text, /ask the customer to send the content another way/);
    assert.ok(!html.includes(stored.webUrl), "the SharePoint address is not in the thread");
    assert.doesNotMatch(text, /<a href=|Kept apart in:/);
  });
});
