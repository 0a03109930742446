import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseEnv } from "node:util";
import { ConfigError, isProductionEnv, loadConfig, readEnvironment } from "../../src/config";
import { BOTBUILDER_OVERRIDE_KEYS, PLACEHOLDER_SECRETS, SECRET_VARIABLES } from "../../src/config-guards";

/** Settings that would open the bridge to callers it cannot authenticate are refused (docs/security.md). */

const LOCAL_OFF = { WHATSAPP_APP_SECRET: "s", WHATSAPP_VERIFY_TOKEN: "v", WHATSAPP_ACCESS_TOKEN: "t", BOT_AUTH_DISABLED: "true" };
/** Bot auth on, local mode (as the end-to-end harness runs). */
const AUTH_ON = {
  WHATSAPP_APP_SECRET: "3f9a2c1b04de7e55a1",
  WHATSAPP_VERIFY_TOKEN: "verify-7d1e0c55b2a94f",
  WHATSAPP_ACCESS_TOKEN: "EAAG-system-user-token",
  MicrosoftAppId: "app",
  MicrosoftAppPassword: "a-real-client-secret",
  MicrosoftAppType: "SingleTenant",
  MicrosoftAppTenantId: "tenant-1",
};
const PROD = { ...AUTH_ON, NODE_ENV: "production", AZURE_STORAGE_ACCOUNT_NAME: "bridgestore", MEDIA_SHAREPOINT_DRIVE_ID: "b!docs" };
const ROOT = resolve(__dirname, "../../..");

function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.ok(!err.message.includes("\n"), "one line");
    return err.message;
  }
  return assert.fail("expected a ConfigError");
}

describe("configuration fails closed", () => {
  it("production is NODE_ENV production or prod, in any case", () => {
    for (const value of ["production", "Production", "PRODUCTION", "prod", "PROD", " Prod "]) {
      assert.equal(isProductionEnv(value), true, value);
      assert.equal(loadConfig({ ...PROD, NODE_ENV: value }).mode, "production", value);
    }
    for (const value of [undefined, "", "development", "test", "produktion", "preprod"]) assert.equal(isProductionEnv(value), false, String(value));
    assert.match(errorOf({ ...LOCAL_OFF, NODE_ENV: "PROD" }), /BOT_AUTH_DISABLED=true is refused when NODE_ENV=PROD \(production\)/);
  });

  describe("BOT_AUTH_DISABLED=true", () => {
    it("is accepted on loopback only, with no sign of a real deployment", () => {
      for (const host of ["127.0.0.1", "::1", "localhost", "LOCALHOST"]) assert.equal(loadConfig({ ...LOCAL_OFF, HOST: host }).bot.authDisabled, true, host);
      assert.equal(loadConfig(LOCAL_OFF).http.host, "127.0.0.1", "local mode listens on loopback by default");
      for (const host of ["0.0.0.0", "::", "192.168.1.20", "bridge.example.com"]) {
        assert.match(
          errorOf({ ...LOCAL_OFF, HOST: host }),
          new RegExp(`BOT_AUTH_DISABLED=true is refused unless the bridge listens on loopback only \\(HOST=${host.replace(/\./g, "\\.")};`),
        );
      }
    });

    it("is refused with a bot password, a managed identity, on an Azure host, or in production, naming why", () => {
      const cases: Array<[Record<string, string>, RegExp]> = [
        [{ MicrosoftAppPassword: "a-real-client-secret" }, /BOT_AUTH_DISABLED=true is refused when MicrosoftAppPassword is set/],
        [
          { MicrosoftAppType: "UserAssignedMsi", MicrosoftAppId: "id", MicrosoftAppTenantId: "t" },
          /BOT_AUTH_DISABLED=true is refused when a managed identity is present \(MicrosoftAppType=UserAssignedMsi is set\)/,
        ],
        [{ IDENTITY_ENDPOINT: "http://169.254.129.2:8081/msi/token" }, /refused when a managed identity is present \(IDENTITY_ENDPOINT is set\)/],
        [{ MSI_ENDPOINT: "http://127.0.0.1:41741/MSI/token/" }, /refused when a managed identity is present \(MSI_ENDPOINT is set\)/],
        [{ WEBSITE_SITE_NAME: "contoso-bridge" }, /BOT_AUTH_DISABLED=true is refused on an Azure host \(WEBSITE_SITE_NAME is set\)/],
        [{ CONTAINER_APP_NAME: "bridge" }, /BOT_AUTH_DISABLED=true is refused on an Azure host \(CONTAINER_APP_NAME is set\)/],
        [{ NODE_ENV: "production", HOST: "127.0.0.1" }, /BOT_AUTH_DISABLED=true is refused when NODE_ENV=production/],
      ];
      for (const [extra, expected] of cases) assert.match(errorOf({ ...LOCAL_OFF, ...extra }), expected, JSON.stringify(extra));
    });

    it("accepts any tenant only when no ALLOWED_TENANT_IDS is given (the bridge then warns at start, see entry-point test)", () => {
      assert.equal(loadConfig(LOCAL_OFF).allowedTenantIds, "any");
      assert.deepEqual([...(loadConfig({ ...LOCAL_OFF, ALLOWED_TENANT_IDS: "t1" }).allowedTenantIds as Set<string>)], ["t1"]);
    });
  });

  describe("secrets, whenever bot authentication is on (always in production)", () => {
    it("refuses a value starting change-me and every placeholder in the list, naming the variable and never the value", () => {
      for (const name of SECRET_VARIABLES) {
        for (const value of ["change-me", "Change-Me-please-0123456789", ...PLACEHOLDER_SECRETS]) {
          const message = errorOf({ ...AUTH_ON, [name]: value });
          assert.match(message, new RegExp(`${name} is still a placeholder from \\.env\\.example`), `${name}=${value}`);
          assert.ok(!message.includes(value), "the value is not echoed");
        }
      }
    });

    it("refuses every secret placeholder that .env.example holds (parsed from the file)", () => {
      const example = parseEnv(readFileSync(join(ROOT, ".env.example"), "utf8"));
      const secretLooking = Object.keys(example).filter((name) => /secret|token|password|_key$|accountkey|connection_string/i.test(name));
      for (const name of secretLooking)
        assert.ok(
          (SECRET_VARIABLES as readonly string[]).includes(name) || !example[name],
          `${name} has a value in .env.example but is not checked as a secret`,
        );
      const placeholders = SECRET_VARIABLES.filter((name) => example[name]);
      assert.ok(placeholders.length >= 3, "the example's WhatsApp secrets are found");
      for (const name of placeholders) {
        assert.ok(PLACEHOLDER_SECRETS.includes(example[name]!), `${name}'s placeholder is in PLACEHOLDER_SECRETS`);
        assert.match(errorOf({ ...AUTH_ON, [name]: example[name]! }), new RegExp(`${name} is still a placeholder`));
        assert.match(errorOf({ ...PROD, [name]: example[name]! }), new RegExp(`${name} is still a placeholder`));
      }
      // The example as shipped still works for a local try-out: auth off, on loopback.
      assert.equal(loadConfig(example).bot.authDisabled, true);
    });

    it("refuses a WHATSAPP_APP_SECRET or WHATSAPP_VERIFY_TOKEN shorter than 16 characters", () => {
      assert.match(
        errorOf({ ...AUTH_ON, WHATSAPP_APP_SECRET: "fifteen-chars-x" }),
        /WHATSAPP_APP_SECRET must be at least 16 characters when bot authentication is on/,
      );
      assert.match(errorOf({ ...AUTH_ON, WHATSAPP_VERIFY_TOKEN: "short" }), /WHATSAPP_VERIFY_TOKEN must be at least 16 characters/);
      assert.match(errorOf({ ...PROD, WHATSAPP_VERIFY_TOKEN: "short" }), /WHATSAPP_VERIFY_TOKEN must be at least 16 characters/);
      assert.equal(loadConfig({ ...AUTH_ON, WHATSAPP_APP_SECRET: "sixteen-chars-xx" }).whatsapp.appSecret, "sixteen-chars-xx");
      assert.equal(loadConfig(LOCAL_OFF).whatsapp.appSecret, "s", "auth off on loopback: anything goes");
    });
  });

  it("refuses botbuilder's test override keys in production, naming them", () => {
    for (const key of BOTBUILDER_OVERRIDE_KEYS) {
      assert.match(errorOf({ ...PROD, [key]: "https://issuer.example" }), new RegExp(`${key} is refused in production`));
      assert.equal(loadConfig({ ...AUTH_ON, [key]: "https://issuer.example" }).bot.auth[key], "https://issuer.example", "allowed outside production");
    }
    assert.match(errorOf({ ...PROD, OAuthUrl: "x", CallerId: "y" }), /OAuthUrl, CallerId are refused in production/);
  });

  it("refuses the local media store in production unless MEDIA_STORE=local is chosen", () => {
    const { MEDIA_SHAREPOINT_DRIVE_ID: _drive, ...withoutDrive } = PROD;
    assert.match(
      errorOf(withoutDrive),
      /MEDIA_STORE is required when NODE_ENV=production: sharepoint \(each linked team's files in its own SharePoint site\) or local/,
    );
    assert.equal(loadConfig({ ...withoutDrive, MEDIA_STORE: "sharepoint" }).media.kind, "sharepoint", "each team's own site: no drive id needed");
    const chosen = loadConfig({ ...withoutDrive, MEDIA_STORE: "local", MEDIA_LINK_TTL_HOURS: "2" }).media;
    assert.equal(chosen.kind, "local");
    assert.equal(chosen.kind === "local" && chosen.linkTtlMs, 2 * 3_600_000);
    assert.equal(loadConfig(LOCAL_OFF).media.kind, "local", "still the default outside production");
    assert.match(errorOf({ ...LOCAL_OFF, MEDIA_LINK_TTL_HOURS: "0" }), /MEDIA_LINK_TTL_HOURS must be positive/);
  });

  describe("readEnvironment", () => {
    const dotEnv = () => {
      const path = join(mkdtempSync(join(tmpdir(), "bridge-env-")), ".env");
      writeFileSync(path, "WHATSAPP_APP_SECRET=from-the-file\nLOG_LEVEL=debug\n");
      return path;
    };

    it("fills in .env underneath the real environment outside production", () => {
      const env = readEnvironment(dotEnv(), { LOG_LEVEL: "warn" });
      assert.equal(env.WHATSAPP_APP_SECRET, "from-the-file");
      assert.equal(env.LOG_LEVEL, "warn", "the real environment wins");
    });

    it("does not read .env when the real environment says production (in any spelling)", () => {
      for (const nodeEnv of ["production", "Prod"]) {
        const env = readEnvironment(dotEnv(), { NODE_ENV: nodeEnv, LOG_LEVEL: "warn" });
        assert.deepEqual(env, { NODE_ENV: nodeEnv, LOG_LEVEL: "warn" });
      }
    });
  });
});
