import assert from "node:assert/strict";
import type { TokenCredential } from "@azure/identity";
import { PermanentError, TransientError } from "../../../src/core/errors";
import { contactKeyOf, TeamsChannelId, TeamsGroupId, TenantId, WaMessageId, WaPhone, BusinessNumberId } from "../../../src/core/ids";
import type { MediaToKeep } from "../../../src/core/ports/media-store";
import { GraphMediaStore } from "../../../src/media/graph-media-store";
import { startMicrosoftGraphStandin, type MicrosoftGraphStandin } from "../../../tools/microsoft-graph-standin";

const TOKEN = "graph-app-token";
const DRIVE = "b!drive-of-the-team-site";
const credential: TokenCredential = { getToken: async () => ({ token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }) };
const file = (bytes: Buffer, extra: Partial<MediaToKeep> = {}): MediaToKeep => ({
  bytes,
  name: "invoice 4471.pdf",
  mimeType: "application/pdf",
  channel: {
    channelId: TeamsChannelId("19:support@thread.tacv2"),
    tenantId: TenantId("t"),
    serviceUrl: "https://smba.trafficmanager.net/emea/",
    channelName: "WhatsApp",
  },
  contact: contactKeyOf(BusinessNumberId("106540352242922"), { phone: WaPhone("5511987654321") }),
  wamid: WaMessageId("wamid.doc1"),
  ...extra,
});

describe("SharePoint media store through Microsoft Graph (against a local Graph stand-in)", () => {
  let graph: MicrosoftGraphStandin;
  before(async () => {
    graph = await startMicrosoftGraphStandin({ drives: [DRIVE], accessToken: TOKEN });
  });
  after(async () => graph.close());

  it("puts a small file in the channel's folder with one PUT and returns its SharePoint link and SHA-256", async () => {
    const store = new GraphMediaStore({ msGraphUrl: graph.url, credential, driveId: DRIVE });
    const bytes = Buffer.from("%PDF-1.4 small");
    const kept = await store.keep(file(bytes));
    const [stored] = [...graph.files.values()];
    assert.match(stored!.path, /^WhatsApp\/WhatsApp media\/customer-[0-9a-f]{12}\/[0-9a-f]{8}-invoice 4471\.pdf$/);
    assert.doesNotMatch(stored!.path, /5511987654321/, "no phone number in paths");
    assert.deepEqual(stored!.bytes, bytes);
    assert.equal(stored!.contentType, "application/pdf");
    assert.equal(kept.link, stored!.webUrl);
    assert.equal(kept.size, bytes.length);
    assert.match(kept.sha256, /^[0-9a-f]{64}$/);
    assert.ok(graph.requests.at(-1)!.authorized);
  });

  it("sends a large file through an upload session in 320 KiB-multiple chunks, without the token on the session URL", async () => {
    const store = new GraphMediaStore({ msGraphUrl: graph.url, credential, driveId: DRIVE, simpleUploadMaxBytes: 100_000, chunkBytes: 320 * 1024 });
    const bytes = Buffer.alloc(800 * 1024, 7);
    const kept = await store.keep(file(bytes, { wamid: WaMessageId("wamid.big"), name: "video.mp4", mimeType: "video/mp4" }));
    const stored = [...graph.files.values()].find((f) => f.path.endsWith("video.mp4"))!;
    assert.deepEqual(stored.bytes, bytes);
    assert.equal(kept.link, stored.webUrl);
    const chunks = graph.requests.filter((r) => r.path.startsWith("/upload-sessions/"));
    assert.deepEqual(
      chunks.map((c) => c.contentRange),
      ["bytes 0-327679/819200", "bytes 327680-655359/819200", "bytes 655360-819199/819200"],
    );
    assert.ok(chunks.every((c) => !c.authorized));
  });

  it("keeps quarantined files apart, named so they are not opened as their declared type", async () => {
    const store = new GraphMediaStore({ msGraphUrl: graph.url, credential, driveId: DRIVE });
    const kept = await store.keep(
      file(Buffer.from("PK\x03\x04"), { wamid: WaMessageId("wamid.bad"), name: "photo.jpg", mimeType: "application/octet-stream", quarantined: true }),
    );
    assert.ok([...graph.files.values()].some((f) => /\/Quarantine\/[0-9a-f]{8}-photo\.jpg\.quarantined$/.test(f.path)));
    // Where it is, for the security team (the thread shows this instead of a link).
    assert.match(
      kept.location ?? "",
      /^WhatsApp › WhatsApp media › customer-[0-9a-f]{12} › Quarantine › [0-9a-f]{8}-photo\.jpg\.quarantined \(the channel's files\)$/,
    );
  });

  it("classifies Graph's answers: 503/429 transient (with Retry-After), 404 permanent", async () => {
    const store = new GraphMediaStore({ msGraphUrl: graph.url, credential, driveId: DRIVE });
    graph.failNext(503, 1, 7);
    const busy = await store.keep(file(Buffer.from("x"))).catch((e: unknown) => e);
    assert.ok(busy instanceof TransientError);
    assert.equal(busy.retryAfterMs, 7_000);
    const missing = await new GraphMediaStore({ msGraphUrl: graph.url, credential, driveId: "b!unknown" })
      .keep(file(Buffer.from("x")))
      .catch((e: unknown) => e);
    assert.ok(missing instanceof PermanentError);
    assert.match(missing.message, /HTTP 404: itemNotFound/);
  });

  it("a token failure is transient (the managed identity endpoint may be briefly down)", async () => {
    const failing: TokenCredential = {
      getToken: async () => {
        throw new Error("IMDS unreachable");
      },
    };
    const err = await new GraphMediaStore({ msGraphUrl: graph.url, credential: failing, driveId: DRIVE }).keep(file(Buffer.from("x"))).catch((e: unknown) => e);
    assert.ok(err instanceof TransientError);
  });
});

describe("SharePoint media store: each team's files in its own site (against a local Graph stand-in)", () => {
  const SUPPORT = TeamsGroupId("6b2f4d8a-1c3e-4f5a-8b7c-9d0e1f2a3b41");
  const WEALTH = TeamsGroupId("9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d");
  let graph: MicrosoftGraphStandin;
  before(async () => {
    graph = await startMicrosoftGraphStandin({
      drives: ["b!support-site", "b!wealth-site", DRIVE],
      accessToken: TOKEN,
      groupDrives: { [SUPPORT]: "b!support-site", [WEALTH]: "b!wealth-site" },
    });
  });
  after(async () => graph.close());

  it("finds each team's library from its group (GET /groups/{id}/drive, once per team) and never mixes teams", async () => {
    const store = new GraphMediaStore({ msGraphUrl: graph.url, credential });
    await store.keep(file(Buffer.from("%PDF support 1"), { teamGroupId: SUPPORT, wamid: WaMessageId("wamid.s1") }));
    await store.keep(file(Buffer.from("%PDF wealth 1"), { teamGroupId: WEALTH, wamid: WaMessageId("wamid.w1") }));
    await store.keep(file(Buffer.from("%PDF support 2"), { teamGroupId: SUPPORT, wamid: WaMessageId("wamid.s2") }));
    const drivesOf = (text: string) => [...graph.files.values()].filter((f) => f.bytes.toString().includes(text)).map((f) => f.driveId);
    assert.deepEqual(drivesOf("support"), ["b!support-site", "b!support-site"]);
    assert.deepEqual(drivesOf("wealth"), ["b!wealth-site"]);
    const lookups = graph.requests.filter((r) => r.path.endsWith("/drive"));
    assert.deepEqual(
      lookups.map((r) => r.path),
      [`/v1.0/groups/${SUPPORT}/drive`, `/v1.0/groups/${WEALTH}/drive`],
    );
    assert.ok(lookups.every((r) => r.method === "GET" && r.authorized));
  });

  it("MEDIA_SHAREPOINT_DRIVE_ID's library, when configured, takes every team's files (the explicit override)", async () => {
    const store = new GraphMediaStore({ msGraphUrl: graph.url, credential, driveId: DRIVE });
    await store.keep(file(Buffer.from("%PDF override"), { teamGroupId: WEALTH, wamid: WaMessageId("wamid.o1") }));
    assert.equal([...graph.files.values()].find((f) => f.bytes.toString() === "%PDF override")?.driveId, DRIVE);
  });

  it("keeps nothing when the link does not know its team (never a guess), and says to link again", async () => {
    const before = graph.requests.length;
    const err = await new GraphMediaStore({ msGraphUrl: graph.url, credential }).keep(file(Buffer.from("x"))).catch((e: unknown) => e);
    assert.ok(err instanceof PermanentError);
    assert.equal(err.code, "media.no_team_site");
    assert.match(err.userMessage, /run `link` in the channel again/);
    assert.equal(graph.requests.length, before, "no request made");
  });

  it("a team whose group has no site is refused by Graph (404), permanently", async () => {
    const err = await new GraphMediaStore({ msGraphUrl: graph.url, credential })
      .keep(file(Buffer.from("x"), { teamGroupId: TeamsGroupId("00000000-0000-4000-8000-000000000404") }))
      .catch((e: unknown) => e);
    assert.ok(err instanceof PermanentError);
    assert.match(err.message, /Graph groupDrive answered HTTP 404: itemNotFound/);
  });
});
