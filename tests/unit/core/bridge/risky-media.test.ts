import assert from "node:assert/strict";
import { BridgeService } from "../../../../src/core/bridge/bridge-service";
import { toPlainText } from "../../../../src/core/formatted-text";
import { WaMessageId } from "../../../../src/core/ids";
import type { InboundMessage } from "../../../../src/core/messages";
import type { ChannelLink } from "../../../../src/core/model";
import { DEFAULT_RISKY_EXTENSIONS, type RiskyFilePolicy } from "../../../../src/core/risky-files";
import { FakeMediaStore } from "../../../fakes/fake-media-store";
import { webhookSha256 } from "../../../fakes/fake-whatsapp-media";
import { ADMIN, BUSINESS, CHANNEL, TENANT, customerText, makeWorld } from "../../../fakes/world";

/**
 * The risky-file policy in the core, with recording fakes: what the thread says and how the file is
 * kept, for each of quarantine (the default), flag and block. The file is kept in every case.
 */

const LINK: ChannelLink = {
  business: BUSINESS,
  channel: { channelId: CHANNEL, tenantId: TENANT, serviceUrl: "https://smba.trafficmanager.net/emea/" },
  linkedBy: ADMIN,
  linkedAt: 0,
};
/** An OOXML document is a zip. */
const DOCM = Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.alloc(60, 3)]);
const PDF = Buffer.from("%PDF-1.4\n%%EOF\n");

async function setup(policy?: RiskyFilePolicy) {
  const w = makeWorld(policy ? { riskyFiles: { policy, extensions: new Set(DEFAULT_RISKY_EXTENSIONS) } } : {});
  const media = new FakeMediaStore();
  const bridge = new BridgeService({ ...w.deps, media });
  await w.stores.links.put(LINK);
  return { ...w, media, bridge };
}

function documentMessage(id: string, filename: string, mimeType: string, bytes: Buffer): InboundMessage {
  return {
    ...customerText("x"),
    id: WaMessageId(`wamid.${id}`),
    content: { kind: "media", media: "document", mediaId: id, mimeType, filename, sha256: webhookSha256(bytes), caption: "my statement" },
  };
}

async function deliver(policy: RiskyFilePolicy | undefined, filename: string, mimeType: string, bytes: Buffer) {
  const w = await setup(policy);
  w.whatsapp.media.files.set("d1", { bytes, mimeType });
  await w.bridge.ingest([documentMessage("d1", filename, mimeType, bytes)]);
  await w.bridge.idle();
  assert.equal(w.teams.posts.length, 1, "one post, never an inline image");
  const post = w.teams.posts[0]!.post;
  return { text: post.kind === "customer" ? toPlainText(post.body) : "", kept: w.media.kept };
}

describe("risky files from customers (core)", () => {
  it("quarantine (the default): kept apart, flagged, not linked, with where it is and its SHA-256", async () => {
    const { text, kept } = await deliver(undefined, "statement.docm", "application/vnd.ms-word.document.macroEnabled.12", DOCM);
    assert.equal(kept.length, 1);
    assert.equal(kept[0]!.quarantined, true);
    assert.equal(kept[0]!.mimeType, "application/octet-stream", "never stored as its declared type");
    assert.match(text, /my statement/, "the caption is kept");
    assert.match(text, /⚠️ Risky file: its name ends in \.docm, a document with macros/);
    assert.match(text, /kept apart \(quarantined\) for the record and is not linked here/);
    assert.match(text, /Kept apart in: quarantine\/wamid\.d1/);
    assert.match(text, new RegExp(`SHA-256: ${webhookSha256Hex(DOCM)}`));
    assert.doesNotMatch(text, /Link:/);
  });

  it("a disguised program (.pdf.exe declared as a PDF) is quarantined with every reason", async () => {
    const { text, kept } = await deliver("quarantine", "invoice.pdf.exe", "application/pdf", PDF);
    assert.equal(kept[0]!.quarantined, true);
    assert.match(text, /ends in \.exe, a program or script that runs when opened; its name puts \.pdf before the real extension/);
  });

  it("flag: kept and linked as usual, with the warning above it", async () => {
    const { text, kept } = await deliver("flag", "statement.docm", "application/vnd.ms-word.document.macroEnabled.12", DOCM);
    assert.equal(kept[0]!.quarantined, undefined);
    assert.match(text, /⚠️ Risky file: its name ends in \.docm/);
    assert.match(text, /Open it only if you expected this file/);
    assert.match(text, /Link: https:\/\/files\.example\/statement\.docm/);
  });

  it("block: kept apart for the record only; the thread gives no link and no place, and says what to do", async () => {
    const { text, kept } = await deliver("block", "statement.docm", "application/vnd.ms-word.document.macroEnabled.12", DOCM);
    assert.equal(kept[0]!.quarantined, true, "the customer's file is never lost");
    assert.match(text, /⛔ Blocked file: its name ends in \.docm/);
    assert.match(text, /ask the customer to send the content another way/);
    assert.doesNotMatch(text, /Link:|Kept apart in:/);
    assert.match(text, /SHA-256: /);
  });

  it("an ordinary PDF is kept and linked, with no warning", async () => {
    const { text, kept } = await deliver(undefined, "invoice.pdf", "application/pdf", PDF);
    assert.equal(kept[0]!.quarantined, undefined);
    assert.doesNotMatch(text, /Risky|Blocked|quarantined/);
    assert.match(text, /Link: https:\/\/files\.example\/invoice\.pdf/);
  });
});

function webhookSha256Hex(bytes: Buffer): string {
  return Buffer.from(webhookSha256(bytes), "base64").toString("hex");
}
