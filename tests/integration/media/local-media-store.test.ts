import assert from "node:assert/strict";
import { existsSync, renameSync, mkdtempSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BusinessNumberId, contactKeyOf, TeamsChannelId, TenantId, WaMessageId, WaPhone } from "../../../src/core/ids";
import type { MediaToKeep } from "../../../src/core/ports/media-store";
import { LocalMediaStore, QUARANTINE_FOLDER } from "../../../src/media/local-media-store";

const CONTACT = contactKeyOf(BusinessNumberId("106540352242922"), { phone: WaPhone("5511987654321") });
const file = (wamid: string, quarantined: boolean): MediaToKeep => ({
  bytes: Buffer.from(`bytes of ${wamid}`),
  name: "statement.docm",
  mimeType: "application/octet-stream",
  channel: { channelId: TeamsChannelId("19:c"), tenantId: TenantId("t"), serviceUrl: "https://x" },
  contact: CONTACT,
  wamid: WaMessageId(wamid),
  ...(quarantined ? { quarantined: true } : {}),
});

describe("local media store: quarantined files", () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "media-quarantine-"));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it("keeps them in their own folder, with no link, never readable through the served path", async () => {
    const store = new LocalMediaStore({ directory, publicBaseUrl: () => "http://127.0.0.1" });
    const kept = await store.keep(file("wamid.q", true));
    assert.equal(kept.link, undefined);
    const token = /^quarantine\/([A-Za-z0-9_-]{32}) in the bridge's media folder/.exec(kept.location ?? "")?.[1];
    assert.ok(token, kept.location);
    assert.ok(existsSync(join(directory, QUARANTINE_FOLDER, token, "file")));
    const normal = await store.keep(file("wamid.n", false));
    const served = /^http:\/\/127\.0\.0\.1\/media\/([A-Za-z0-9_-]{32})\/statement\.docm\?expires=(\d+)&sig=([A-Za-z0-9_-]{43})$/.exec(normal.link ?? "");
    assert.ok(served, normal.link);
    const proof = { expires: served[2]!, sig: served[3]! };
    assert.ok(await store.read(served[1]!, proof), "a kept file is served with its link");
    // The same folder moved into quarantine is not served, even with a valid link.
    renameSync(join(directory, served[1]!), join(directory, QUARANTINE_FOLDER, served[1]!));
    assert.equal(await store.read(served[1]!, proof), undefined, "the media route cannot serve a quarantined file");
  });

  it("are purged by retention and removed by erasure like the others", async () => {
    const store = new LocalMediaStore({ directory, publicBaseUrl: () => "http://127.0.0.1" });
    await store.keep(file("wamid.q1", true));
    await store.keep(file("wamid.q2", true));
    const [first] = readdirSync(join(directory, QUARANTINE_FOLDER));
    const then = new Date(Date.now() - 86_400_000);
    for (const name of ["file", "info.json"]) utimesSync(join(directory, QUARANTINE_FOLDER, first!, name), then, then);
    assert.equal(await store.purgeOlderThan(Date.now() - 3_600_000), 1);
    assert.equal(await store.eraseConversations([CONTACT], true), 1, "dry run counts it");
    assert.equal(await store.eraseConversations([CONTACT]), 1);
    assert.deepEqual(readdirSync(join(directory, QUARANTINE_FOLDER)), []);
  });
});
