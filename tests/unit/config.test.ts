import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../src/config";

/** Local mode with bot auth off: short secrets are fine there (nothing is reachable but loopback). */
const LOCAL = { WHATSAPP_APP_SECRET: "s", WHATSAPP_VERIFY_TOKEN: "v", WHATSAPP_ACCESS_TOKEN: "t", BOT_AUTH_DISABLED: "true" };
const STRONG = { WHATSAPP_APP_SECRET: "3f9a2c1b04de7e55a1", WHATSAPP_VERIFY_TOKEN: "verify-7d1e0c55b2a94f", WHATSAPP_ACCESS_TOKEN: "EAAG-system-user-token" };
const PROD = {
  ...STRONG,
  NODE_ENV: "production",
  MicrosoftAppId: "app",
  MicrosoftAppPassword: "a-real-client-secret",
  MicrosoftAppType: "SingleTenant",
  MicrosoftAppTenantId: "tenant-1",
  AZURE_STORAGE_ACCOUNT_NAME: "bridgestore",
  MEDIA_SHAREPOINT_DRIVE_ID: "b!team-site-documents",
};

function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.ok(!err.message.includes("\n"), "one line");
    return err.message;
  }
  assert.fail("expected a ConfigError");
}

describe("loadConfig", () => {
  it("local defaults: loopback, embedded storage, reply mode all, note prefix //", () => {
    const c = loadConfig(LOCAL);
    assert.equal(c.mode, "local");
    assert.deepEqual(c.http, { port: 3978, host: "127.0.0.1" });
    assert.deepEqual(c.storage, { kind: "embedded", location: ".data/azurite" });
    assert.equal(c.bridge.replyMode, "all");
    assert.equal(c.bridge.notePrefix, "//");
    assert.equal(c.allowedTenantIds, "any");
    assert.equal(c.whatsapp.metaGraphUrl, "https://graph.facebook.com/v25.0");
    assert.ok(c.teamsServiceUrlHosts.includes("smba.trafficmanager.net"));
  });

  it("production: 0.0.0.0, tenants default to the app's tenant", () => {
    const c = loadConfig(PROD);
    assert.equal(c.mode, "production");
    assert.equal(c.http.host, "0.0.0.0");
    assert.deepEqual([...(c.allowedTenantIds as Set<string>)], ["tenant-1"]);
    assert.deepEqual(c.storage, { kind: "account", accountName: "bridgestore" });
    assert.equal(c.bot.auth.MicrosoftAppPassword, "a-real-client-secret");
  });

  it("outside production, botbuilder's override keys pass through (tests point them at a local issuer)", () => {
    const c = loadConfig({ ...PROD, NODE_ENV: "", ToBotFromChannelTokenIssuer: "https://issuer.example" });
    assert.equal(c.mode, "local");
    assert.equal(c.bot.auth.ToBotFromChannelTokenIssuer, "https://issuer.example");
  });

  it("names each missing variable in one line", () => {
    assert.match(errorOf({}), /WHATSAPP_APP_SECRET is required.*WHATSAPP_VERIFY_TOKEN is required.*WHATSAPP_ACCESS_TOKEN is required/);
    assert.match(errorOf(STRONG), /MicrosoftAppId is required/);
    assert.match(errorOf({ ...PROD, AZURE_STORAGE_ACCOUNT_NAME: "" }), /AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_NAME is required/);
  });

  it("names malformed variables", () => {
    assert.match(errorOf({ ...LOCAL, PORT: "eighty" }), /PORT must be a number/);
    assert.match(errorOf({ ...LOCAL, PORT: "70000" }), /PORT must be between 1 and 65535/);
    assert.match(errorOf({ ...LOCAL, REPLY_MODE: "some" }), /REPLY_MODE must be all or mention/);
    assert.match(errorOf({ ...LOCAL, WHATSAPP_GRAPH_URL: "graph" }), /WHATSAPP_GRAPH_URL must be an http\(s\) URL/);
    assert.match(errorOf({ ...LOCAL, BOT_AUTH_DISABLED: "yes" }), /BOT_AUTH_DISABLED must be true or false/);
    assert.match(errorOf({ ...PROD, MicrosoftAppType: "Single" }), /MicrosoftAppType must be SingleTenant, UserAssignedMsi or MultiTenant/);
  });

  it("refuses disabled bot auth in production, and checks the app type's requirements", () => {
    assert.match(errorOf({ ...PROD, BOT_AUTH_DISABLED: "true" }), /BOT_AUTH_DISABLED=true is refused when NODE_ENV=production/);
    assert.match(errorOf({ ...PROD, MicrosoftAppTenantId: "" }), /MicrosoftAppTenantId is required when MicrosoftAppType=SingleTenant/);
    assert.match(errorOf({ ...PROD, MicrosoftAppType: "UserAssignedMsi" }), /MicrosoftAppPassword must be empty/);
  });

  it("treats empty values as unset", () => {
    const c = loadConfig({ ...LOCAL, PORT: "", REPLY_MODE: " ", AZURE_STORAGE_CONNECTION_STRING: "" });
    assert.equal(c.http.port, 3978);
    assert.equal(c.bridge.replyMode, "all");
    assert.equal(c.storage.kind, "embedded");
  });

  it("telemetry: off without APPLICATIONINSIGHTS_CONNECTION_STRING; with it, named by this instance; a malformed one refused", () => {
    assert.equal(loadConfig(LOCAL).telemetry, undefined);
    assert.equal(loadConfig({ ...LOCAL, APPLICATIONINSIGHTS_CONNECTION_STRING: "" }).telemetry, undefined);
    const connectionString =
      "InstrumentationKey=1B2C3D4E-0000-4000-8000-00000000A1A1;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/;LiveEndpoint=https://westeurope.livediagnostics.monitor.azure.com/";
    const c = loadConfig({ ...LOCAL, APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString, WEBSITE_INSTANCE_ID: "instance-7" });
    assert.deepEqual(c.telemetry, { connectionString, serviceInstanceId: "instance-7" });
    assert.equal(c.outbox.instanceName, "instance-7");
    assert.throws(
      () => loadConfig({ ...LOCAL, APPLICATIONINSIGHTS_CONNECTION_STRING: "https://westeurope-5.in.applicationinsights.azure.com/" }),
      /APPLICATIONINSIGHTS_CONNECTION_STRING must be an Application Insights connection string/,
    );
  });

  it("parses lists", () => {
    const c = loadConfig({ ...LOCAL, BRIDGE_ADMINS: " a , b,,", ALLOWED_TENANT_IDS: "t1,t2", REPLY_MODE: "mention", NOTE_PREFIX: "!!" });
    assert.deepEqual(c.bridge.admins, ["a", "b"]);
    assert.deepEqual([...(c.allowedTenantIds as Set<string>)], ["t1", "t2"]);
    assert.equal(c.bridge.replyMode, "mention");
    assert.equal(c.bridge.notePrefix, "!!");
  });

  it("BRIDGE_STAFF: object ids of people and one group marked group:, told apart by the prefix; unset means every team member", () => {
    assert.equal(loadConfig(LOCAL).bridge.staff, undefined);
    const person = "5A5A5A5A-0000-4000-8000-000000000057";
    const group = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";
    const c = loadConfig({ ...LOCAL, BRIDGE_STAFF: ` ${person} , group:${group},` });
    assert.deepEqual(c.bridge.staff, { people: [person.toLowerCase()], group });
    assert.deepEqual(loadConfig({ ...LOCAL, BRIDGE_STAFF: `GROUP:${group}` }).bridge.staff, { people: [], group });
    assert.match(
      errorOf({ ...LOCAL, BRIDGE_STAFF: "ada@contoso.com" }),
      /BRIDGE_STAFF entries must be Entra object ids \(or group:<object id>\); “ada@contoso\.com” is not/,
    );
    assert.match(errorOf({ ...LOCAL, BRIDGE_STAFF: `group:${group},group:${person}` }), /BRIDGE_STAFF may name one group/);
    assert.match(errorOf({ ...LOCAL, BRIDGE_STAFF: "group:sales" }), /BRIDGE_STAFF entries must be Entra object ids/);
  });

  it("business rules: defaults, lists, and clear errors", () => {
    const c = loadConfig(LOCAL);
    assert.deepEqual(c.policy, { cardNumbers: true, ibans: true, blockedWords: [], blockedPatterns: [] });
    assert.deepEqual(c.pacing, { perNumberPerSecond: 80, pairIntervalMs: 6000, pairBurst: 10 });
    assert.deepEqual(c.bridge.consentKeywords.stop, ["STOP", "UNSUBSCRIBE", "STOPP", "ARRÊT", "BAJA", "PARAR"]);
    assert.equal(c.bridge.firstContactNotice, undefined);
    const custom = loadConfig({
      ...LOCAL,
      POLICY_CARD_NUMBERS: "false",
      POLICY_BLOCKED_WORDS: "guaranteed, risk-free",
      POLICY_BLOCKED_PATTERNS: '["insider\\\\s+tip"]',
      STOP_KEYWORDS: "ALTO",
      START_KEYWORDS: "VOLVER",
      FIRST_CONTACT_NOTICE: "This chat is recorded.",
      WHATSAPP_PAIR_BURST: "3",
    });
    assert.equal(custom.policy.cardNumbers, false);
    assert.deepEqual(custom.policy.blockedWords, ["guaranteed", "risk-free"]);
    assert.deepEqual(custom.policy.blockedPatterns, ["insider\\s+tip"]);
    assert.deepEqual(custom.bridge.consentKeywords, { stop: ["ALTO"], start: ["VOLVER"] });
    assert.equal(custom.bridge.firstContactNotice, "This chat is recorded.");
    assert.equal(custom.pacing.pairBurst, 3);
    assert.match(errorOf({ ...LOCAL, POLICY_BLOCKED_PATTERNS: "insider tip" }), /POLICY_BLOCKED_PATTERNS must be a JSON array/);
    assert.match(errorOf({ ...LOCAL, POLICY_BLOCKED_PATTERNS: '["(unclosed"]' }), /POLICY_BLOCKED_PATTERNS has an invalid regular expression/);
    assert.match(errorOf({ ...LOCAL, WHATSAPP_PAIR_BURST: "100" }), /WHATSAPP_PAIR_BURST must be at most 45/);
    assert.match(errorOf({ ...LOCAL, POLICY_IBANS: "maybe" }), /POLICY_IBANS must be true or false/);
  });

  it("reliability: journal and lease containers, lease timing, inbox polling", () => {
    assert.deepEqual(loadConfig(LOCAL).reliability, {
      journalContainer: "webhook-journal",
      leaseContainer: "bridge-leases",
      leaseDurationSeconds: 30,
      leaseRenewMs: 10_000,
      inboxPollMs: 5_000,
      inboxMaxInMemory: 2_000,
      linkProbeMs: 60_000,
    });
    const custom = loadConfig({
      ...LOCAL,
      JOURNAL_CONTAINER: "wa-journal-1",
      LEASE_CONTAINER: "wa-locks",
      LEASE_DURATION_SECONDS: "15",
      LEASE_RENEW_SECONDS: "2.5",
      INBOX_POLL_SECONDS: "0.5",
      INBOX_MAX_IN_MEMORY: "500",
      LINK_PROBE_SECONDS: "5",
    });
    assert.deepEqual(custom.reliability, {
      journalContainer: "wa-journal-1",
      leaseContainer: "wa-locks",
      leaseDurationSeconds: 15,
      leaseRenewMs: 2_500,
      inboxPollMs: 500,
      inboxMaxInMemory: 500,
      linkProbeMs: 5_000,
    });
    assert.match(errorOf({ ...LOCAL, LINK_PROBE_SECONDS: "1" }), /LINK_PROBE_SECONDS must be at least 5/);
    assert.match(errorOf({ ...LOCAL, LEASE_DURATION_SECONDS: "10" }), /LEASE_DURATION_SECONDS must be between 15 and 60/);
    assert.match(errorOf({ ...LOCAL, LEASE_DURATION_SECONDS: "90" }), /LEASE_DURATION_SECONDS must be between 15 and 60/);
    assert.match(
      errorOf({ ...LOCAL, LEASE_DURATION_SECONDS: "20", LEASE_RENEW_SECONDS: "15" }),
      /LEASE_RENEW_SECONDS must be at most half of LEASE_DURATION_SECONDS \(10\)/,
    );
    assert.match(errorOf({ ...LOCAL, JOURNAL_CONTAINER: "Journal_Blobs" }), /JOURNAL_CONTAINER must be a blob container name/);
    assert.match(errorOf({ ...LOCAL, LEASE_CONTAINER: "webhook-journal" }), /LEASE_CONTAINER must differ from JOURNAL_CONTAINER/);
    assert.match(errorOf({ ...LOCAL, INBOX_POLL_SECONDS: "0" }), /INBOX_POLL_SECONDS must be at least 0.1/);
    assert.match(errorOf({ ...LOCAL, INBOX_MAX_IN_MEMORY: "5" }), /INBOX_MAX_IN_MEMORY must be at least 10/);
  });

  it("risky files: quarantine by default with the built-in list; a policy and a list or +/- changes", () => {
    const defaults = loadConfig(LOCAL).bridge.riskyFiles;
    assert.equal(defaults.policy, "quarantine");
    assert.ok(defaults.extensions.includes("exe") && defaults.extensions.includes("docm") && defaults.extensions.includes("iso"));
    assert.deepEqual(loadConfig({ ...LOCAL, MEDIA_RISKY_FILES: "flag", MEDIA_RISKY_EXTENSIONS: "exe,msi" }).bridge.riskyFiles, {
      policy: "flag",
      extensions: ["exe", "msi"],
    });
    const adjusted = loadConfig({ ...LOCAL, MEDIA_RISKY_FILES: "block", MEDIA_RISKY_EXTENSIONS: "+zip,-xlsb" }).bridge.riskyFiles;
    assert.equal(adjusted.policy, "block");
    assert.ok(adjusted.extensions.includes("zip") && !adjusted.extensions.includes("xlsb") && adjusted.extensions.includes("exe"));
    assert.match(errorOf({ ...LOCAL, MEDIA_RISKY_FILES: "delete" }), /MEDIA_RISKY_FILES must be quarantine, flag or block/);
    assert.match(errorOf({ ...LOCAL, MEDIA_RISKY_EXTENSIONS: "exe,+zip" }), /MEDIA_RISKY_EXTENSIONS must either list extensions/);
  });
});
