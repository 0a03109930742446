import assert from "node:assert/strict";
import { BridgeService } from "../../../../src/core/bridge/bridge-service";
import { TransientError } from "../../../../src/core/errors";
import { toPlainText } from "../../../../src/core/formatted-text";
import { WaMessageId } from "../../../../src/core/ids";
import { MediaFetchError } from "../../../../src/core/media-errors";
import type { InboundMessage } from "../../../../src/core/messages";
import type { ChannelLink } from "../../../../src/core/model";
import type { ThreadPost } from "../../../../src/core/ports/teams-gateway";
import { FakeMediaStore } from "../../../fakes/fake-media-store";
import { webhookSha256 } from "../../../fakes/fake-whatsapp-media";
import { ADMIN, BUSINESS, CHANNEL, TENANT, customerText, makeWorld } from "../../../fakes/world";
import { postText } from "../../../support/wording";

const LINK: ChannelLink = {
  business: BUSINESS,
  channel: { channelId: CHANNEL, tenantId: TENANT, serviceUrl: "https://smba.trafficmanager.net/emea/" },
  linkedBy: ADMIN,
  linkedAt: 0,
};
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(40, 7)]);
const ZIP = Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.alloc(40, 1)]);
const textOf = (post: ThreadPost) => (post.kind === "customer" ? toPlainText(post.body) : post.kind === "notice" ? postText(post) : "");

async function setup() {
  const w = makeWorld();
  const media = new FakeMediaStore();
  const bridge = new BridgeService({ ...w.deps, media }, { followUps: { backoff: { baseMs: 1_000, capMs: 1_000 } } });
  await w.stores.links.put(LINK);
  return { ...w, media, bridge };
}

function imageMessage(mediaId: string, extra: Partial<Extract<InboundMessage["content"], { kind: "media" }>> = {}): InboundMessage {
  return { ...customerText("x"), id: WaMessageId(`wamid.${mediaId}`), content: { kind: "media", media: "image", mediaId, mimeType: "image/png", ...extra } };
}

describe("inbound media (core, with recording fakes)", () => {
  it("keeps a checked image, writes caption, name, link, size and SHA-256, and shows it inline", async () => {
    const w = await setup();
    w.whatsapp.media.files.set("m1", { bytes: PNG, mimeType: "image/png" });
    await w.bridge.ingest([imageMessage("m1", { sha256: webhookSha256(PNG), caption: "broken box" })]);
    await w.bridge.idle();
    const [post, inline] = w.teams.posts.map((p) => p.post);
    assert.equal(post?.kind === "customer" && post.placeholder, "image");
    const text = textOf(post!);
    assert.match(text, /broken box/);
    assert.match(text, /image\/png · 48 B/);
    assert.match(text, new RegExp(w.media.kept[0]!.sha256));
    assert.match(text, /https:\/\/files\.example\//);
    assert.equal(inline?.kind, "image");
    assert.deepEqual(inline?.kind === "image" && Buffer.from(inline.bytes), PNG);
    assert.equal(w.media.kept[0]!.quarantined, undefined);
    assert.equal(w.media.kept[0]!.contact, imageMessage("m1").contact.key);
    assert.equal(w.whatsapp.media.downloads[0]!.maxBytes, 5 * 1024 * 1024, "Meta's image cap");
  });

  it("quarantines a file whose hash does not match, and never shows it inline", async () => {
    const w = await setup();
    w.whatsapp.media.files.set("m2", { bytes: PNG, mimeType: "image/png" });
    await w.bridge.ingest([imageMessage("m2", { sha256: webhookSha256(Buffer.from("other")) })]);
    await w.bridge.idle();
    assert.equal(w.teams.posts.length, 1);
    assert.match(textOf(w.teams.posts[0]!.post), /Integrity check failed: its SHA-256 does not match/);
    assert.equal(w.media.kept[0]!.quarantined, true);
    assert.equal(w.media.kept[0]!.mimeType, "application/octet-stream");
  });

  it("quarantines a declared image whose bytes are a zip", async () => {
    const w = await setup();
    w.whatsapp.media.files.set("m3", { bytes: ZIP, mimeType: "image/jpeg" });
    await w.bridge.ingest([imageMessage("m3", { mimeType: "image/jpeg", sha256: webhookSha256(ZIP) })]);
    await w.bridge.idle();
    assert.match(textOf(w.teams.posts[0]!.post), /declared as image\/jpeg but its bytes are application\/zip/);
    assert.equal(w.teams.posts.length, 1);
  });

  it("says a too-large or expired file was not kept, and does not retry it", async () => {
    const w = await setup();
    w.whatsapp.media.failFetch(new MediaFetchError("too_large", "big", { userMessage: "the file is too large" }));
    await w.bridge.ingest([imageMessage("m4"), { ...imageMessage("gone"), id: WaMessageId("wamid.gone2"), timestamp: 1_789_400_000 }]);
    await w.bridge.idle();
    await w.bridge.followUpsSettled();
    assert.match(textOf(w.teams.posts[0]!.post), /larger than WhatsApp's limit for its type \(5\.0 MB\)/);
    assert.match(textOf(w.teams.posts[1]!.post), /WhatsApp no longer has this image/);
    assert.equal(w.teams.posts.length, 2);
    assert.equal(await w.stores.inbox.get(BUSINESS, "media:wamid.m4"), undefined, "no retry recorded");
  });

  it("posts a placeholder at once when a download fails, retries it, and posts the file when it comes", async () => {
    const w = await setup();
    w.whatsapp.media.files.set("m5", { bytes: PNG, mimeType: "image/png" });
    w.whatsapp.media.failFetch(
      new MediaFetchError("failed", "503", { userMessage: "the media host answered HTTP 503" }),
      new MediaFetchError("failed", "timeout", { userMessage: "timeout" }),
    );
    await w.bridge.ingest([imageMessage("m5")]);
    await w.bridge.idle();
    assert.match(textOf(w.teams.posts[0]!.post), /could not be downloaded from WhatsApp yet \(the media host answered HTTP 503\)/);
    assert.match(textOf(w.teams.posts[0]!.post), /keeps trying/);
    await w.bridge.followUpsSettled();
    const later = w.teams.posts[1]!.post;
    assert.equal(later.kind === "customer" && later.placeholder, "image, delivered later");
    assert.match(textOf(later), /is now kept/);
    assert.equal(w.teams.posts[2]!.post.kind, "image");
    assert.equal(w.whatsapp.media.downloads.length, 3, "two failures, then the file");
    assert.deepEqual(await w.stores.mediaRetries.list(), [], "a finished retry leaves the queue");
    assert.equal((await w.stores.inbox.list("pending")).length, 0, "and the inbox holds no retry entry");
    assert.ok(w.clock.sleeps.includes(1_000), "backoff between attempts");
  });

  it("gives up after the last attempt and says so in the thread", async () => {
    const w = await setup();
    w.whatsapp.media.failFetch(...Array.from({ length: 10 }, () => new MediaFetchError("failed", "503", { userMessage: "HTTP 503" })));
    await w.bridge.ingest([imageMessage("m6")]);
    await w.bridge.idle();
    await w.bridge.followUpsSettled();
    assert.equal(w.whatsapp.media.downloads.length, 8);
    assert.match(textOf(w.teams.posts.at(-1)!.post), /could still not be kept after 8 attempts/);
    assert.deepEqual(await w.stores.mediaRetries.list(), []);
  });

  it("retries when keeping the file fails transiently", async () => {
    const w = await setup();
    w.whatsapp.media.files.set("m7", { bytes: PNG, mimeType: "image/png" });
    w.media.failNext(new TransientError("media.graph_busy", "Graph answered HTTP 503"));
    await w.bridge.ingest([imageMessage("m7")]);
    await w.bridge.idle();
    await w.bridge.followUpsSettled();
    assert.match(textOf(w.teams.posts[0]!.post), /could not be kept/);
    assert.match(textOf(w.teams.posts[1]!.post), /is now kept/);
    assert.equal(w.media.kept.length, 1);
  });

  it("resumes a pending media retry after a restart", async () => {
    const w = await setup();
    w.whatsapp.media.files.set("m8", { bytes: PNG, mimeType: "image/png" });
    w.whatsapp.media.failFetch(new MediaFetchError("failed", "503", { userMessage: "HTTP 503" }));
    await w.bridge.ingest([imageMessage("m8")]);
    await w.bridge.idle();
    await w.bridge.stop();
    assert.deepEqual(
      (await w.stores.mediaRetries.list()).map((r) => [r.message.id, r.attempts]),
      [["wamid.m8", 1]],
      "the retry waits in its queue",
    );
    const restarted = new BridgeService({ ...w.deps, media: w.media }, { followUps: { backoff: { baseMs: 1_000, capMs: 1_000 } } });
    await restarted.resumePending();
    await restarted.followUpsSettled();
    assert.deepEqual(await w.stores.mediaRetries.list(), []);
    assert.match(textOf(w.teams.posts.at(-2)!.post), /is now kept/);
  });

  it("without a media store, says the file was not kept", async () => {
    const w = makeWorld();
    await w.stores.links.put(LINK);
    await w.bridge.ingest([imageMessage("m9")]);
    await w.bridge.idle();
    assert.match(textOf(w.teams.posts[0]!.post), /no media store configured/);
  });
});
