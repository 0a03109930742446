import assert from "node:assert/strict";
import { loadParametersFile, loadTemplate, type Json, type ParametersFile, type Template, type TemplateModel } from "./arm-model";
import { loadSchemas, type SchemaSet } from "./arm-schemas";
import { buildModel, parametersFileProblems, referenceProblems } from "./reference-checks";
import { botProblems, keyVaultProblems, roleProblems, storageProblems, webAppProblems } from "./security-checks";

/* The checks of arm-template.test.ts, each run on a copy of the template broken in one place: it must fail. */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the template is edited freely to break one check at a time
type AnyJson = Record<string, any>;
const ofType = (t: Template, type: string, index = 0): AnyJson => t.resources.filter((r) => r.type === type)[index] as AnyJson;
const site = (t: Template) => ofType(t, "Microsoft.Web/sites");
const setting = (t: Template, name: string, value: string) => {
  site(t).properties.siteConfig.appSettings.find((s: { name: string }) => s.name === name).value = value;
};
const fileValues = () => Object.fromEntries(Object.entries(loadParametersFile().parameters).map(([k, v]) => [k, v.value]));

function problemsOf(check: (m: TemplateModel) => string[], template: Template): string[] {
  const built = buildModel(template, fileValues());
  return built.model ? check(built.model) : built.problems;
}

const storage = "Microsoft.Storage/storageAccounts";
const policyType = "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies";
const cases: Array<[string, (t: Template) => void, (m: TemplateModel) => string[], RegExp]> = [
  [
    "HTTPS not required",
    (t) => {
      ofType(t, storage).properties.supportsHttpsTrafficOnly = false;
    },
    storageProblems,
    /supportsHttpsTrafficOnly/,
  ],
  [
    "TLS 1.0 allowed",
    (t) => {
      ofType(t, storage).properties.minimumTlsVersion = "TLS1_0";
    },
    storageProblems,
    /minimumTlsVersion/,
  ],
  [
    "public blobs",
    (t) => {
      ofType(t, storage).properties.allowBlobPublicAccess = true;
    },
    storageProblems,
    /allowBlobPublicAccess/,
  ],
  [
    "shared keys on",
    (t) => {
      delete ofType(t, storage).properties.allowSharedKeyAccess;
    },
    storageProblems,
    /allowSharedKeyAccess/,
  ],
  [
    "no table service",
    (t) => {
      t.resources = t.resources.filter((r) => r.type !== `${storage}/tableServices`);
    },
    storageProblems,
    /table service/,
  ],
  [
    "WORM period hard-coded",
    (t) => {
      ofType(t, policyType).properties.immutabilityPeriodSinceCreationInDays = 2557;
    },
    storageProblems,
    /WORM period/,
  ],
  [
    "WORM default not 7 years",
    (t) => {
      t.parameters.journalRetentionDays!.defaultValue = 365;
    },
    storageProblems,
    /2557/,
  ],
  [
    "policy locked",
    (t) => {
      ofType(t, policyType).properties.state = "Locked";
    },
    storageProblems,
    /unlocked/,
  ],
  [
    "policy on the lease container",
    (t) => {
      ofType(t, policyType).name = "[format('{0}/default', variables('leaseContainerPath'))]";
    },
    storageProblems,
    /exactly one immutability policy/,
  ],
  [
    "journal container renamed",
    (t) => {
      t.parameters.journalContainerName!.defaultValue = "journal";
    },
    storageProblems,
    /webhook-journal/,
  ],
  [
    "vault with access policies",
    (t) => {
      ofType(t, "Microsoft.KeyVault/vaults").properties.enableRbacAuthorization = false;
    },
    keyVaultProblems,
    /enableRbacAuthorization/,
  ],
  [
    "vault without soft delete",
    (t) => {
      ofType(t, "Microsoft.KeyVault/vaults").properties.enableSoftDelete = false;
    },
    keyVaultProblems,
    /enableSoftDelete/,
  ],
  [
    "vault without purge protection",
    (t) => {
      delete ofType(t, "Microsoft.KeyVault/vaults").properties.enablePurgeProtection;
    },
    keyVaultProblems,
    /enablePurgeProtection/,
  ],
  [
    "plain HTTP",
    (t) => {
      site(t).properties.httpsOnly = false;
    },
    webAppProblems,
    /httpsOnly/,
  ],
  [
    "TLS 1.1",
    (t) => {
      site(t).properties.siteConfig.minTlsVersion = "1.1";
    },
    webAppProblems,
    /TLS 1.2/,
  ],
  [
    "FTPS on",
    (t) => {
      site(t).properties.siteConfig.ftpsState = "FtpsOnly";
    },
    webAppProblems,
    /ftpsState/,
  ],
  [
    "not always on",
    (t) => {
      site(t).properties.siteConfig.alwaysOn = false;
    },
    webAppProblems,
    /alwaysOn/,
  ],
  [
    "no health check",
    (t) => {
      delete site(t).properties.siteConfig.healthCheckPath;
    },
    webAppProblems,
    /healthCheckPath/,
  ],
  [
    "Node 20",
    (t) => {
      t.parameters.nodeRuntime!.defaultValue = "NODE|20-lts";
      (t.parameters.nodeRuntime!.allowedValues as string[]).push("NODE|20-lts");
    },
    webAppProblems,
    /default to NODE\|22-lts[\s\S]*Node 22 or 24/,
  ],
  [
    "another start command",
    (t) => {
      site(t).properties.siteConfig.appCommandLine = "node dist/src/index.js";
    },
    webAppProblems,
    /npm start/,
  ],
  [
    "SCM basic auth on",
    (t) => {
      site(t).resources[1].properties.allow = true;
    },
    webAppProblems,
    /scm basic-auth/,
  ],
  [
    "no Key Vault identity",
    (t) => {
      delete site(t).properties.keyVaultReferenceIdentity;
    },
    webAppProblems,
    /keyVaultReferenceIdentity/,
  ],
  ["NODE_ENV development", (t) => setting(t, "NODE_ENV", "development"), webAppProblems, /NODE_ENV/],
  ["bot app type SingleTenant", (t) => setting(t, "MicrosoftAppType", "SingleTenant"), webAppProblems, /MicrosoftAppType/],
  [
    "secret in clear",
    (t) => setting(t, "WHATSAPP_APP_SECRET", "[parameters('whatsappAppSecret')]"),
    webAppProblems,
    /WHATSAPP_APP_SECRET must be a Key Vault reference[\s\S]*in clear/,
  ],
  [
    "wrong secret referenced",
    (t) =>
      setting(
        t,
        "WHATSAPP_VERIFY_TOKEN",
        "[format('@Microsoft.KeyVault(SecretUri={0})', reference(resourceId('Microsoft.KeyVault/vaults/secrets', variables('keyVaultName'), variables('secretNames').accessToken)).secretUri)]",
      ),
    webAppProblems,
    /WHATSAPP_VERIFY_TOKEN/,
  ],
  ["no Application Insights", (t) => setting(t, "APPLICATIONINSIGHTS_CONNECTION_STRING", ""), webAppProblems, /APPLICATIONINSIGHTS_CONNECTION_STRING/],
  [
    "bot with a secret",
    (t) => {
      ofType(t, "Microsoft.BotService/botServices").properties.msaAppType = "SingleTenant";
    },
    botProblems,
    /msaAppType/,
  ],
  [
    "bot elsewhere",
    (t) => {
      ofType(t, "Microsoft.BotService/botServices").properties.endpoint = "https://example.com/api/messages";
    },
    botProblems,
    /endpoint/,
  ],
  [
    "Teams channel off",
    (t) => {
      ofType(t, "Microsoft.BotService/botServices/channels").properties.properties.isEnabled = false;
    },
    botProblems,
    /Teams channel/,
  ],
  [
    "Blob Data Owner instead",
    (t) => {
      t.variables.roles = { ...(t.variables.roles as Json), storageBlobDataContributor: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b" };
    },
    roleProblems,
    /Storage Blob Data Contributor \(ba92f5b4/,
  ],
  [
    "secrets role on the storage account",
    (t) => {
      ofType(t, "Microsoft.Authorization/roleAssignments", 2).scope = "[format('Microsoft.Storage/storageAccounts/{0}', variables('storageAccountName'))]";
    },
    roleProblems,
    /Key Vault Secrets User must be scoped/,
  ],
  [
    "role to a user",
    (t) => {
      ofType(t, "Microsoft.Authorization/roleAssignments", 0).properties.principalType = "User";
    },
    roleProblems,
    /ServicePrincipal/,
  ],
  [
    "role name not from guid()",
    (t) => {
      ofType(t, "Microsoft.Authorization/roleAssignments", 1).name = "11111111-2222-3333-4444-555555555555";
    },
    roleProblems,
    /deterministic guid\(\) name/,
  ],
  [
    "missing dependency",
    (t) => {
      ofType(t, "Microsoft.Storage/storageAccounts/blobServices/containers").dependsOn = [];
    },
    referenceProblems,
    /does not depend on it/,
  ],
  [
    "dependency on nothing",
    (t) => {
      site(t).dependsOn.push("[resourceId('Microsoft.Web/serverfarms', 'elsewhere')]");
    },
    referenceProblems,
    /not a resource of the template/,
  ],
  [
    "unknown resource",
    (t) => {
      site(t).properties.serverFarmId = "[resourceId('Microsoft.Web/serverfarms', 'elsewhere')]";
    },
    referenceProblems,
    /resourceId\(\) names .*elsewhere/,
  ],
  ["undeclared parameter", (t) => setting(t, "LOG_LEVEL", "[parameters('logLevel')]"), referenceProblems, /parameters\('logLevel'\)/],
  ["undeclared variable", (t) => setting(t, "LOG_LEVEL", "[variables('logLevel')]"), referenceProblems, /variables\('logLevel'\)/],
  [
    "unused parameter",
    (t) => {
      t.parameters.unused = { type: "string", defaultValue: "" };
    },
    referenceProblems,
    /parameter unused is never used/,
  ],
];

describe("Azure deployment template checks fail on a template broken on purpose", () => {
  for (const [label, breakIt, check, expected] of cases) {
    it(label, () => {
      const template = structuredClone(loadTemplate());
      breakIt(template);
      const problems = problemsOf(check, template);
      assert.match(problems.join("\n"), expected, `problems: ${JSON.stringify(problems)}`);
    });
  }

  describe("schemas and the parameters file", function () {
    this.timeout(60_000);
    let schemas: SchemaSet;
    before(() => {
      schemas = loadSchemas();
    });
    const resource = (t: Template, type: string) => t.resources.find((r) => r.type === type)!;

    it("a value the provider schema does not allow", () => {
      const t = structuredClone(loadTemplate());
      (resource(t, storage).properties as AnyJson).minimumTlsVersion = "TLS9";
      assert.match(schemas.resource(resource(t, storage)).join("\n"), /minimumTlsVersion/);
    });
    it("an apiVersion without a schema file", () => {
      const t = structuredClone(loadTemplate());
      resource(t, storage).apiVersion = "2099-01-01";
      assert.match(schemas.resource(resource(t, storage)).join("\n"), /no schema for Microsoft.Storage\/storageAccounts at apiVersion 2099-01-01/);
    });
    it("a template without contentVersion", () => {
      const t: AnyJson = structuredClone(loadTemplate());
      delete t.contentVersion;
      assert.match(schemas.template(t).join("\n"), /contentVersion/);
    });
    it("a Teams channel without isEnabled", () => {
      const t = structuredClone(loadTemplate());
      const channel = resource(t, "Microsoft.BotService/botServices/channels");
      delete ((channel.properties as AnyJson).properties as AnyJson).isEnabled;
      assert.match(schemas.resource(channel).join("\n"), /isEnabled/);
    });
    it("a parameters file entry without a value", () => {
      const file: AnyJson = structuredClone(loadParametersFile());
      file.parameters.namePrefix = { val: "x" };
      assert.notDeepEqual(schemas.parameters(file), []);
    });
    it("parameters of the wrong type, undeclared, secret, or missing", () => {
      const file: ParametersFile = structuredClone(loadParametersFile());
      file.parameters.instanceCount = { value: "2" };
      file.parameters.nope = { value: "x" };
      file.parameters.whatsappAppSecret = { value: "in-a-file-0123456789" };
      delete file.parameters.bridgeAdmins;
      const problems = parametersFileProblems(loadTemplate(), file).join("\n");
      for (const expected of [/instanceCount is string/, /nope is not a parameter/, /whatsappAppSecret is secure/, /bridgeAdmins has no default/])
        assert.match(problems, expected);
    });
  });
});
