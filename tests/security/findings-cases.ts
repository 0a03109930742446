import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import { BusinessNumberId, contactKeyOf, WaPhone, type ConversationKey } from "../../src/core/ids";
import { BoundedCache } from "../../src/core/bounded-cache";
import { MAX_BUCKETS, OutboundPacer } from "../../src/core/bridge/outbox/pacer";
import { ConfigError, loadConfig, readEnvironment } from "../../src/config";
import { BOTBUILDER_OVERRIDE_KEYS, PLACEHOLDER_SECRETS } from "../../src/config-guards";
import { startBridge } from "../../src/compose";
import { createLogger } from "../../src/observability/logger";
import { EXAMPLE_BUSINESS, textMessage } from "../../tools/sign-webhook";
import { getAzurite, uniqueTablePrefix } from "../support/azurite";
import { ADMIN_AAD, CHANNEL_ID, STAFF_AAD, TEAM_GROUP_ID, TEAM_ID, type Harness } from "../support/bridge-harness";
import { ManualClock } from "../fakes/manual-clock";
import { securityCase } from "./support/casebook";
import { closeHarness, customer, openHarness, sendActivity, shown } from "./support/hostile-world";

/** The findings about settings, staff, memory and logs that the casebook does not number. */

const ROOT = resolve(__dirname, "../../..");
const AUTH_ON = {
  WHATSAPP_APP_SECRET: "3f9a2c1b04de7e55a1",
  WHATSAPP_VERIFY_TOKEN: "verify-7d1e0c55b2a94f",
  WHATSAPP_ACCESS_TOKEN: "EAAG-system-user-token",
  MicrosoftAppId: "app",
  MicrosoftAppPassword: "a-real-client-secret",
  MicrosoftAppType: "SingleTenant",
  MicrosoftAppTenantId: "tenant-1",
};
const PROD = { ...AUTH_ON, NODE_ENV: "production", AZURE_STORAGE_ACCOUNT_NAME: "bridgestore", MEDIA_STORE: "sharepoint" };
const LOCAL_OFF = { WHATSAPP_APP_SECRET: "s", WHATSAPP_VERIFY_TOKEN: "v", WHATSAPP_ACCESS_TOKEN: "t", BOT_AUTH_DISABLED: "true" };
const HUGO = customer("4930123456789", "Hugo Brandt");

/** The one-line message of the ConfigError `env` raises (the bridge then never listens). */
function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.ok(!err.message.includes("\n"), "one line");
    return err.message;
  }
  return assert.fail(`accepted: ${JSON.stringify(env)}`);
}

export function findingsCases(): void {
  describe("settings fail closed", function () {
    securityCase(
      "F1",
      "BOT_AUTH_DISABLED=true off loopback, with a bot password, a managed identity, on Azure, or in production (any spelling)",
      "refused at start with one line naming why",
      async () => {
        const refused: Array<[Record<string, string>, RegExp]> = [
          [{ HOST: "0.0.0.0" }, /unless the bridge listens on loopback only/],
          [{ MicrosoftAppPassword: "a-real-client-secret" }, /when MicrosoftAppPassword is set/],
          [{ IDENTITY_ENDPOINT: "http://169.254.129.2:8081/msi/token" }, /managed identity is present/],
          [{ WEBSITE_SITE_NAME: "contoso-bridge" }, /on an Azure host/],
          [{ CONTAINER_APP_NAME: "bridge" }, /on an Azure host/],
          [{ NODE_ENV: "Production" }, /NODE_ENV=Production \(production\)/],
          [{ NODE_ENV: "prod" }, /NODE_ENV=prod \(production\)/],
        ];
        for (const [extra, expected] of refused) assert.match(refusal({ ...LOCAL_OFF, ...extra }), expected, JSON.stringify(extra));
        assert.equal(loadConfig(LOCAL_OFF).http.host, "127.0.0.1", "accepted on loopback only");
        return `${refused.length} of ${refused.length} refused (HOST=0.0.0.0, password, IDENTITY_ENDPOINT, WEBSITE_SITE_NAME, CONTAINER_APP_NAME, NODE_ENV=Production/prod); accepted on 127.0.0.1 only`;
      },
    );

    securityCase(
      "F3",
      "placeholder secrets (.env.example's, change-me…) and secrets under 16 characters, with auth on",
      "refused naming the variable, never the value",
      async () => {
        const example = readFileSync(join(ROOT, ".env.example"), "utf8");
        let count = 0;
        for (const placeholder of PLACEHOLDER_SECRETS) {
          const message = refusal({ ...AUTH_ON, WHATSAPP_APP_SECRET: placeholder });
          assert.match(message, /WHATSAPP_APP_SECRET/);
          assert.ok(!message.includes(placeholder), "the value is not repeated");
          count++;
        }
        assert.ok(
          [...PLACEHOLDER_SECRETS].some((p) => example.includes(p)),
          ".env.example's values are on the list",
        );
        assert.match(refusal({ ...AUTH_ON, MicrosoftAppPassword: "change-me-please" }), /MicrosoftAppPassword/);
        assert.match(refusal({ ...AUTH_ON, WHATSAPP_VERIFY_TOKEN: "short-token" }), /WHATSAPP_VERIFY_TOKEN.*16/);
        return `${count} placeholders and change-me… refused by name; an 11-character verify token refused`;
      },
    );

    securityCase("F4", "a .env file beside a production bridge", "not read when the real environment says production", async () => {
      const path = join(mkdtempSync(join(tmpdir(), "bridge-env-")), ".env");
      writeFileSync(path, "BOT_AUTH_DISABLED=true\nWHATSAPP_APP_SECRET=from-the-file\n");
      const production = readEnvironment(path, { NODE_ENV: "Production" });
      const local = readEnvironment(path, {});
      assert.deepEqual(production, { NODE_ENV: "Production" });
      assert.equal(local.BOT_AUTH_DISABLED, "true");
      return `production: ${Object.keys(production).length} variable (NODE_ENV only); outside production the file is read`;
    });

    securityCase("F5", "botbuilder's test override keys in production", "each refused by name", async () => {
      for (const key of BOTBUILDER_OVERRIDE_KEYS)
        assert.match(refusal({ ...PROD, [key]: "https://issuer.example" }), new RegExp(`${key} is refused in production`));
      return `${BOTBUILDER_OVERRIDE_KEYS.length} keys refused (${BOTBUILDER_OVERRIDE_KEYS.join(", ")})`;
    });

    securityCase("F6b", "the local media store as a silent default in production", "MEDIA_STORE must be chosen; local then has expiring links", async () => {
      const { MEDIA_STORE: _chosen, ...unchosen } = PROD;
      assert.match(refusal(unchosen), /MEDIA_STORE is required when NODE_ENV=production/);
      const local = loadConfig({ ...PROD, MEDIA_STORE: "local" }).media;
      assert.equal(local.kind === "local" ? local.linkTtlMs : 0, 24 * 3_600_000);
      return "refused unless MEDIA_STORE is set; MEDIA_STORE=local gives links valid 24 h (the link checks are F6)";
    });

    securityCase("F7", "customers' files in SharePoint", "each team's own site (no drive id needed); the guide asks for Sites.Selected only", async () => {
      const media = loadConfig(PROD).media;
      assert.equal(media.kind, "sharepoint");
      assert.equal(media.kind === "sharepoint" ? media.driveId : "x", undefined, "no one library for every team");
      const guide = readFileSync(join(ROOT, "docs/admin-guide.md"), "utf8");
      assert.match(guide, /\*\*`Sites\.Selected`\*\*, and nothing\s+broader: not `Sites\.ReadWrite\.All`/);
      return "sharepoint without MEDIA_SHAREPOINT_DRIVE_ID: per-team site (the upload path is tests/integration/e2e/team-media-site.test.ts); admin guide: Sites.Selected, not Sites.ReadWrite.All";
    });
  });

  describe("auth off with any tenant", function () {
    this.timeout(30_000);
    let h: Harness;
    before(async () => {
      h = await openHarness({ authDisabled: true, env: { ALLOWED_TENANT_IDS: "" } });
    });
    after(async () => closeHarness(h));

    securityCase("F2", "BOT_AUTH_DISABLED=true with no ALLOWED_TENANT_IDS (loopback)", "starts, and warns that any tenant is accepted", async () => {
      const warning = h.logger.lines.find((l) => l.event === "teams.any_tenant_accepted");
      assert.equal(warning?.level, "warn");
      assert.match(h.logText(), /"event":"teams\.any_tenant_accepted"/);
      return `teams.any_tenant_accepted (${warning?.level}): "${String(warning?.fields.note).slice(0, 60)}…"`;
    });
  });

  describe("BRIDGE_STAFF and standard channels only", function () {
    this.timeout(30_000);
    let h: Harness;
    const PRIVATE = { id: "19:private-deals@thread.tacv2", name: "Private deals" };
    before(async () => {
      h = await openHarness({ env: { BRIDGE_STAFF: ADMIN_AAD } });
      h.connector.roster.addTeam({
        id: TEAM_ID,
        name: "Support",
        aadGroupId: TEAM_GROUP_ID,
        channels: [
          { id: CHANNEL_ID, name: "WhatsApp", type: "standard" },
          { ...PRIVATE, type: "private" },
        ],
      });
    });
    after(async () => closeHarness(h));

    const answer = async (activity: Record<string, unknown>) => {
      const conversation = String((activity.conversation as { id: string }).id);
      const before = h.connector.posts.filter((p) => p.conversationId === conversation).length;
      assert.equal((await sendActivity(h, activity)).status, 200);
      await h.bridge.bridge.idle();
      const posts = h.connector.posts.filter((p) => p.conversationId === conversation);
      return posts.length > before ? shown(String(posts.at(-1)!.activity.text)) : "";
    };

    securityCase("F10", "link in a private channel and in a shared one", "refused with the reason; nothing linked", async () => {
      const inPrivate = await answer(h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true, channel: PRIVATE }));
      const inShared = await answer(
        h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, {
          from: ADMIN_AAD,
          mentionBot: true,
          channel: { id: "19:partners@thread.tacv2", name: "Partners", type: "shared" },
        }),
      );
      assert.match(inPrivate, /This is a private channel/);
      assert.match(inShared, /This is a shared channel/);
      assert.equal(await h.bridge.stores.links.get(BusinessNumberId(EXAMPLE_BUSINESS.phoneNumberId)), undefined);
      return 'private: "This is a private channel…"; shared: "This is a shared channel…"; no link stored';
    });

    securityCase("F9", "a team member not named in BRIDGE_STAFF replies", "refused with a notice, nothing sent; the listed person sends", async () => {
      assert.match(
        await answer(h.channelMessage(`link ${EXAMPLE_BUSINESS.phoneNumberId}`, { from: ADMIN_AAD, mentionBot: true })),
        /is linked to this channel/,
      );
      assert.equal(
        await h.postWebhook(h.envelope(textMessage({ from: HUGO, text: "Hallo?", id: "wamid.staff.f9", timestamp: Math.floor(Date.now() / 1000) }))),
        200,
      );
      await h.connector.waitFor((s) => s.created.length === 1 && s.posts.some((p) => p.conversationId === s.created[0]!.conversationId), 10_000);
      await h.bridge.bridge.idle();
      const thread = h.connector.created[0]!.conversationId;
      const before = h.metaGraph.sent.length;
      const notice = await answer(h.channelMessage("Ich kümmere mich.", { thread, from: STAFF_AAD }));
      assert.match(notice, /only the staff named by your bridge admin can write to customers/);
      assert.equal(h.metaGraph.sent.length, before);
      await answer(h.channelMessage("Ada here.", { thread, from: ADMIN_AAD }));
      await h.metaGraph.waitForSends(before + 1, 10_000);
      return `member not listed: notice, WhatsApp sends +0; listed admin: sent (${h.metaGraph.sent.length - before})`;
    });
  });

  describe("memory and logs", function () {
    this.timeout(30_000);

    securityCase("F15", "a flood of 20,000 distinct contacts and cache keys", "the maps stay at their caps", async () => {
      const business = BusinessNumberId(EXAMPLE_BUSINESS.phoneNumberId);
      const pacer = new OutboundPacer({ pairIntervalMs: 6_000, pairBurst: 10, perNumberPerSecond: 1e9 }, new ManualClock());
      for (let n = 0; n < 20_000; n++) {
        await pacer.send(business, contactKeyOf(business, { phone: WaPhone(`4477${String(n).padStart(8, "0")}`) }) as ConversationKey, async () => {});
      }
      const cache = new BoundedCache<boolean>({ capacity: 2_000, ttlMs: 300_000, now: () => 0 });
      for (let n = 0; n < 20_000; n++) cache.set(`29:${n}`, true);
      assert.ok(pacer.bucketCount <= MAX_BUCKETS + 1);
      assert.ok(cache.size <= 2_000);
      return `pacer buckets ${pacer.bucketCount} (cap ${MAX_BUCKETS} + the number); roster cache ${cache.size} (cap 2,000); every map of docs/security.md "Bounded in-memory maps" is flooded in tests/unit/core/bounded-maps.test.ts`;
    });

    securityCase(
      "F18",
      "secrets nested 20 levels deep, in strings and under secret-named keys",
      "scrubbed at every depth; nothing deeper than 12 written raw",
      async () => {
        const lines: string[] = [];
        const logger = createLogger({
          level: "debug",
          destination: {
            write: (line: string) => {
              lines.push(line);
            },
          },
        });
        let nested: Record<string, unknown> = { appSecret: "deep-secret-value-1", note: "call +447700900123 with Bearer abc.def.ghi" };
        for (let depth = 0; depth < 20; depth++) nested = { level: depth, inner: nested, list: [{ access_token: `tok-${depth}-secret` }] };
        logger.warn("security.probe", {
          nested,
          shallow: "call +447700900123 with Bearer abc.def.ghi",
          url: "https://x.example/?sig=c2lnbmF0dXJlLXNlY3JldA&access_token=EAAGsecret",
        });
        const out = lines.join("");
        for (const secret of ["deep-secret-value-1", "tok-0-secret", "tok-19-secret", "c2lnbmF0dXJlLXNlY3JldA", "EAAGsecret", "abc.def.ghi", "447700900123"])
          assert.ok(!out.includes(secret), secret);
        assert.match(out, /0123/, "the last four digits stay");
        return `0 of 7 planted secrets in the line (${out.length} characters), 20 levels deep`;
      },
    );

    securityCase(
      "F19",
      "a log reader that stops reading",
      "at most 1 MiB waits, the rest is dropped; requests are still served; stop() ends promptly",
      async () => {
        // A pipe whose reader never reads: every write is accepted into its buffer and never drained.
        const stalled = new Writable({
          highWaterMark: 16 * 1024,
          write: () => {
            /* never calls back: the reader stopped */
          },
        });
        const logger = createLogger({ level: "debug", stdout: stalled });
        const azurite = await getAzurite();
        const config = {
          ...loadConfig({
            ...LOCAL_OFF,
            AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
            MEDIA_LOCAL_DIR: mkdtempSync(join(tmpdir(), "stalled-")),
            LOG_LEVEL: "debug",
          }),
          http: { host: "127.0.0.1", port: 0 },
        };
        const bridge = await startBridge(config, { logger, tablePrefix: uniqueTablePrefix("stall") });
        let statuses: number[];
        let stopMs: number;
        let waiting: number;
        try {
          // 4 MB of lines: four times what may wait for the stalled reader.
          for (let i = 0; i < 8_000; i++) logger.debug("security.filler", { i, padding: "x".repeat(400) });
          waiting = stalled.writableLength;
          statuses = [];
          for (let i = 0; i < 5; i++) {
            const batch = await Promise.all(
              Array.from({ length: 40 }, () =>
                fetch(`${bridge.url}/api/whatsapp/webhook`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }).then(async (r) => {
                  await r.arrayBuffer();
                  return r.status;
                }),
              ),
            );
            statuses.push(...batch);
          }
        } finally {
          const started = Date.now();
          await bridge.stop();
          stopMs = Date.now() - started;
        }
        assert.ok(
          statuses.every((s) => s === 401),
          "every request answered",
        );
        assert.ok(waiting >= 900 * 1024 && stalled.writableLength <= 1024 * 1024 + 64 * 1024, `${waiting} then ${stalled.writableLength} bytes waiting`);
        assert.ok(stopMs < 25_000);
        return `8,000 lines (4 MB) logged to a stalled reader: ${Math.round(stalled.writableLength / 1024)} KiB waiting (cap 1 MiB), the rest dropped; ${statuses.length} requests answered 401 meanwhile; stop() in ${stopMs} ms`;
      },
    );
  });
}
