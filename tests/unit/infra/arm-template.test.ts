import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../../src/config";
import { Runtime, TENANT_ID, type Value } from "./arm-expressions";
import { loadParametersFile, loadTemplate, modelWithParametersFile, ROOT, type TemplateModel } from "./arm-model";
import { loadSchemas, type SchemaSet } from "./arm-schemas";
import { parametersFileProblems, referenceProblems } from "./reference-checks";
import { appSettings, botProblems, keyVaultProblems, roleProblems, storageProblems, VAULT_SETTINGS, webAppProblems } from "./security-checks";

/** App settings read by Azure's SDK or by App Service itself rather than by src/config.ts. */
const PLATFORM_SETTINGS = ["WEBSITES_PORT", "SCM_DO_BUILD_DURING_DEPLOYMENT", "AZURE_CLIENT_ID", "AZURE_TOKEN_CREDENTIALS"];
/** What production cannot run without, or must be told (src/config.ts). */
const PRODUCTION_SETTINGS = [
  "NODE_ENV",
  "MicrosoftAppType",
  "MicrosoftAppId",
  "MicrosoftAppTenantId",
  "WHATSAPP_APP_SECRET",
  "WHATSAPP_ACCESS_TOKEN",
  "WHATSAPP_VERIFY_TOKEN",
  "WHATSAPP_BUSINESS_ACCOUNT_ID",
  "AZURE_STORAGE_ACCOUNT_NAME",
  "JOURNAL_CONTAINER",
  "LEASE_CONTAINER",
  "BRIDGE_ADMINS",
  "ALLOWED_TENANT_IDS",
];

/** Plausible values for what Azure fills in at deployment (Key Vault references resolve to the secret). */
function concrete(value: Value | undefined): string {
  if (value instanceof Runtime)
    return value.path.endsWith(".clientId") ? "3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b" : "InstrumentationKey=00000000-0000-0000-0000-000000000000";
  const text = String(value ?? "");
  return text.startsWith("@Microsoft.KeyVault(") ? "resolved-secret-value-0123456789" : text;
}

describe("Azure deployment template (infra/azuredeploy.json)", function () {
  this.timeout(60_000);
  let schemas: SchemaSet;
  let model: TemplateModel;
  const template = loadTemplate();
  before(() => {
    schemas = loadSchemas();
    model = modelWithParametersFile();
  });

  it("has the shape of a deployment template, and the parameters file that of a parameters file", () => {
    assert.deepEqual(schemas.template(template), []);
    assert.deepEqual(schemas.parameters(loadParametersFile()), []);
    assert.deepEqual(parametersFileProblems(template, loadParametersFile()), []);
  });

  it("validates every resource against its provider's schema at its apiVersion, and uses every schema file kept", () => {
    const used = new Set(["2019-04-01/deploymentTemplate.json", "2019-04-01/deploymentParameters.json", "common/definitions.json"]);
    for (const resource of template.resources) {
      assert.deepEqual(schemas.resource(resource), [], `${String(resource.type)}@${String(resource.apiVersion)}`);
      used.add(schemas.providerFile(String(resource.type), String(resource.apiVersion))!);
    }
    assert.deepEqual([...schemas.files].sort(), [...used].sort());
    assert.ok(model.resources.length >= 20, `only ${model.resources.length} resources`);
  });

  it("resolves every parameter, variable and resource id, and declares every dependency", () => {
    assert.deepEqual(referenceProblems(model), []);
  });

  it("storage: HTTPS and TLS 1.2 only, no public blobs, no shared keys, an unlocked WORM policy on the journal alone", () => {
    assert.deepEqual(storageProblems(model), []);
  });

  it("Key Vault: RBAC, soft delete, purge protection", () => {
    assert.deepEqual(keyVaultProblems(model), []);
  });

  it("web app: Linux, Node 22 LTS, HTTPS and TLS 1.2, no FTP, always on, /healthz, the identity, secrets from Key Vault", () => {
    assert.deepEqual(webAppProblems(model), []);
  });

  it("bot: a managed-identity Azure Bot pointing at the web app, with the Teams channel", () => {
    assert.deepEqual(botProblems(model), []);
  });

  it("roles: table and blob data on the storage account, secrets on the vault, to the identity only", () => {
    assert.deepEqual(roleProblems(model), []);
  });

  it("sets the variables production needs, and only ones the bridge, Azure's SDK or App Service read", () => {
    const documented = new Set([...readFileSync(join(ROOT, ".env.example"), "utf8").matchAll(/^#?\s*([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((m) => m[1]!));
    const settings = appSettings(model);
    assert.deepEqual(
      [...settings.keys()].filter((k) => !documented.has(k) && !PLATFORM_SETTINGS.includes(k)),
      [],
    );
    assert.deepEqual(
      PRODUCTION_SETTINGS.filter((k) => !settings.has(k)),
      [],
    );
  });

  it("gives settings that pass the bridge's own configuration check in production mode", () => {
    const env = Object.fromEntries([...appSettings(model)].map(([k, v]) => [k, concrete(v)]));
    const config = loadConfig(env);
    assert.equal(config.mode, "production");
    assert.deepEqual(config.storage, { kind: "account", accountName: model.byType("Microsoft.Storage/storageAccounts")[0]!.name });
    assert.equal(config.bot.authDisabled, false);
    assert.equal(config.bot.auth.MicrosoftAppType, "UserAssignedMsi");
    assert.deepEqual(config.allowedTenantIds, new Set([TENANT_ID]));
    assert.deepEqual(config.bridge.admins, ["00000000-0000-0000-0000-000000000000"]);
    assert.deepEqual({ port: config.http.port, host: config.http.host }, { port: 8080, host: "0.0.0.0" });
    assert.deepEqual(config.reliability.journalContainer, "webhook-journal");
    assert.deepEqual(config.reliability.leaseContainer, "bridge-leases");
    assert.equal(config.whatsapp.appSecret, "resolved-secret-value-0123456789");
    // Production refuses the local media store unless it is chosen: the template chooses it when no drive id is given.
    assert.equal(config.media.kind, env.MEDIA_SHAREPOINT_DRIVE_ID ? "sharepoint" : "local");
    assert.equal(env.MEDIA_STORE, config.media.kind);
    assert.deepEqual(Object.keys(VAULT_SETTINGS).sort(), ["WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"]);
  });
});
