import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../src/config";

const LOCAL = { WHATSAPP_APP_SECRET: "s", WHATSAPP_VERIFY_TOKEN: "v", WHATSAPP_ACCESS_TOKEN: "t", BOT_AUTH_DISABLED: "true" };

describe("configuration of the media store", () => {
  it("defaults to a local folder, with a 60 s download limit and links that expire after 24 h", () => {
    assert.deepEqual(loadConfig(LOCAL).media, { kind: "local", directory: ".data/media", linkTtlMs: 86_400_000, downloadTimeoutMs: 60_000 });
  });

  it("uses SharePoint when a drive id is given, with Graph's default URL and folder", () => {
    const media = loadConfig({ ...LOCAL, MEDIA_SHAREPOINT_DRIVE_ID: "b!abc", MS_GRAPH_URL: "https://graph.microsoft.com/v1.0/" }).media;
    assert.deepEqual(media, {
      kind: "sharepoint",
      driveId: "b!abc",
      folder: "WhatsApp media",
      msGraphUrl: "https://graph.microsoft.com/v1.0",
      downloadTimeoutMs: 60_000,
    });
  });

  it("MEDIA_STORE=sharepoint without a drive id keeps each team's files in its own site (no single library)", () => {
    const media = loadConfig({ ...LOCAL, MEDIA_STORE: "sharepoint" }).media;
    assert.deepEqual(media, { kind: "sharepoint", folder: "WhatsApp media", msGraphUrl: "https://graph.microsoft.com/v1.0", downloadTimeoutMs: 60_000 });
  });

  it("refuses bad values, naming the variable", () => {
    const messageOf = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.message;
      }
      return assert.fail("expected a ConfigError");
    };
    assert.match(messageOf({ ...LOCAL, MEDIA_STORE: "s3" }), /MEDIA_STORE must be local or sharepoint/);
    assert.match(messageOf({ ...LOCAL, MEDIA_DOWNLOAD_TIMEOUT_MS: "10" }), /MEDIA_DOWNLOAD_TIMEOUT_MS must be at least 1000/);
    assert.match(messageOf({ ...LOCAL, MEDIA_PUBLIC_URL: "ftp://x" }), /MEDIA_PUBLIC_URL must be an http\(s\) URL/);
  });

  it("keeps an explicit local store and its public URL", () => {
    const media = loadConfig({
      ...LOCAL,
      MEDIA_STORE: "local",
      MEDIA_SHAREPOINT_DRIVE_ID: "b!abc",
      MEDIA_LOCAL_DIR: "/var/media",
      MEDIA_PUBLIC_URL: "https://bridge.example.com/",
      MEDIA_LINK_TTL_HOURS: "0.5",
    }).media;
    assert.deepEqual(media, {
      kind: "local",
      directory: "/var/media",
      publicUrl: "https://bridge.example.com",
      linkTtlMs: 1_800_000,
      downloadTimeoutMs: 60_000,
    });
  });
});
