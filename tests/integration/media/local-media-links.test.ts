import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BusinessNumberId, contactKeyOf, TeamsChannelId, TenantId, WaMessageId, WaPhone } from "../../../src/core/ids";
import type { MediaToKeep } from "../../../src/core/ports/media-store";
import { startHttpServer, type HttpServer } from "../../../src/http/restify-server";
import { createMediaRoutes, LocalMediaStore } from "../../../src/media";
import { CaptureLogger } from "../../support/capture-logger";

const HOUR = 3_600_000;
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const file = (wamid: string): MediaToKeep => ({
  bytes: PNG,
  name: "photo.png",
  mimeType: "image/png",
  channel: {
    channelId: TeamsChannelId("19:support@thread.tacv2"),
    tenantId: TenantId("t"),
    serviceUrl: "https://smba.trafficmanager.net/emea/",
    channelName: "WhatsApp",
  },
  contact: contactKeyOf(BusinessNumberId("106540352242922"), { phone: WaPhone("5511987654321") }),
  wamid: WaMessageId(wamid),
});

/**
 * The local media store serves files without sign-in, so its links are signed and expire
 * (MEDIA_LINK_TTL_HOURS): over real HTTP, with the store's clock moved by the test.
 */
describe("local media links: signed, expiring, and silent about what exists", () => {
  let server: HttpServer;
  let store: LocalMediaStore;
  let now = Date.UTC(2026, 0, 10, 9, 0, 0);

  before(async () => {
    let base = "";
    store = new LocalMediaStore({
      directory: mkdtempSync(join(tmpdir(), "bridge-media-links-")),
      publicBaseUrl: () => base,
      linkTtlMs: 24 * HOUR,
      now: () => now,
    });
    server = await startHttpServer({
      host: "127.0.0.1",
      port: 0,
      logger: new CaptureLogger(),
      routes: createMediaRoutes({ store, logger: new CaptureLogger() }),
    });
    base = server.url;
  });
  after(() => server.close());

  const get = async (link: string) => {
    const res = await fetch(link);
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
  };

  it("a link carries its expiry (now + MEDIA_LINK_TTL_HOURS) and an HMAC signature, and serves the file until then", async () => {
    const link = (await store.keep(file("wamid.links.1"))).link!;
    const url = new URL(link);
    assert.match(url.pathname, /^\/media\/[A-Za-z0-9_-]{32}\/photo\.png$/);
    assert.equal(Number(url.searchParams.get("expires")), (now + 24 * HOUR) / 1000);
    assert.match(url.searchParams.get("sig") ?? "", /^[A-Za-z0-9_-]{43}$/);
    const served = await get(link);
    assert.equal(served.status, 200);
    assert.deepEqual(served.body, PNG);
    now += 24 * HOUR - 1_000;
    assert.equal((await get(link)).status, 200, "one second before expiry");
    now += 1_000;
    const expired = await get(link);
    assert.equal(expired.status, 404, "expired");
    assert.equal(expired.body.toString(), '{"error":"not found"}');
  });

  it("a tampered expiry, signature or token, or a missing proof, is the same 404 as a file that does not exist", async () => {
    const link = (await store.keep(file("wamid.links.2"))).link!;
    const url = new URL(link);
    const variant = (change: (u: URL) => void) => {
      const u = new URL(url);
      change(u);
      return u.toString();
    };
    const sig = url.searchParams.get("sig")!;
    const later = String(Number(url.searchParams.get("expires")) + 365 * 24 * 3600);
    const otherToken = `${"A".repeat(32)}`;
    const refused = [
      variant((u) => u.searchParams.set("expires", later)),
      variant((u) => u.searchParams.set("sig", `${sig.slice(0, -1)}${sig.endsWith("A") ? "B" : "A"}`)),
      variant((u) => u.searchParams.delete("sig")),
      variant((u) => {
        u.search = "";
      }),
      variant((u) => {
        u.pathname = u.pathname.replace(/\/media\/[^/]+\//, `/media/${otherToken}/`);
      }),
    ];
    const bodies = new Set<string>();
    for (const bad of refused) {
      const res = await get(bad);
      assert.equal(res.status, 404, bad);
      bodies.add(res.body.toString());
    }
    assert.deepEqual([...bodies], ['{"error":"not found"}'], "one answer for every refusal: nothing tells a real file from a missing one");
    assert.equal((await get(link)).status, 200, "the untouched link still works");
  });

  it("a link signed by another store (another secret) is refused", async () => {
    const other = new LocalMediaStore({
      directory: mkdtempSync(join(tmpdir(), "bridge-media-other-")),
      publicBaseUrl: () => server.url,
      linkTtlMs: HOUR,
      now: () => now,
    });
    const ours = (await store.keep(file("wamid.links.3"))).link!;
    const theirs = (await other.keep(file("wamid.links.3"))).link!;
    const forged = new URL(ours);
    forged.searchParams.set("expires", new URL(theirs).searchParams.get("expires")!);
    forged.searchParams.set("sig", new URL(theirs).searchParams.get("sig")!);
    assert.equal((await get(forged.toString())).status, 404);
  });
});
