/**
 * The deployment's security and runtime settings, each checked explicitly on the evaluated template.
 * Every function returns the problems it finds (empty = fine), so the tests can show that each check
 * fails on a template broken on purpose.
 */
import { SUBSCRIPTION_ID, TENANT_ID, type Value } from "./arm-expressions";
import { SECURE_TEST_VALUE, type ModelResource, type TemplateModel } from "./arm-model";
import { isReferenceTo } from "./reference-checks";

/** Built-in role ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles). */
export const ROLES = {
  storageTableDataContributor: "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  storageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
} as const;

/** App settings served from Key Vault, and the secure parameter each secret is given from. */
export const VAULT_SETTINGS = {
  WHATSAPP_APP_SECRET: "whatsappAppSecret",
  WHATSAPP_ACCESS_TOKEN: "whatsappAccessToken",
  WHATSAPP_VERIFY_TOKEN: "whatsappVerifyToken",
} as const;

type Check = (problems: string[], ok: boolean, message: string) => void;
const check: Check = (problems, ok, message) => {
  if (!ok) problems.push(message);
};
const props = (r: ModelResource | undefined, model: TemplateModel): Record<string, Value> =>
  r ? (model.evaluate(r.raw.properties ?? {}) as Record<string, Value>) : {};

function only(model: TemplateModel, type: string, problems: string[]): ModelResource | undefined {
  const found = model.byType(type);
  check(problems, found.length === 1, `expected one ${type}, found ${found.length}`);
  return found[0];
}

export const identityOf = (model: TemplateModel) => model.byType("Microsoft.ManagedIdentity/userAssignedIdentities")[0];

export function storageProblems(model: TemplateModel): string[] {
  const problems: string[] = [];
  const account = only(model, "Microsoft.Storage/storageAccounts", problems);
  const p = props(account, model);
  check(problems, p.supportsHttpsTrafficOnly === true, "storage: supportsHttpsTrafficOnly must be true");
  check(problems, p.minimumTlsVersion === "TLS1_2", "storage: minimumTlsVersion must be TLS1_2");
  check(problems, p.allowBlobPublicAccess === false, "storage: allowBlobPublicAccess must be false");
  check(problems, p.allowSharedKeyAccess === false, "storage: allowSharedKeyAccess must be false (Entra ID only)");
  check(problems, model.byType("Microsoft.Storage/storageAccounts/tableServices").length === 1, "storage: the table service is missing");

  const declared = model.template.parameters;
  check(
    problems,
    declared.journalContainerName?.defaultValue === "webhook-journal",
    "storage: journalContainerName must default to webhook-journal (JOURNAL_CONTAINER's default)",
  );
  check(
    problems,
    declared.leaseContainerName?.defaultValue === "bridge-leases",
    "storage: leaseContainerName must default to bridge-leases (LEASE_CONTAINER's default)",
  );
  const containers = model.byType("Microsoft.Storage/storageAccounts/blobServices/containers");
  const containerPath = (param: string) => `${account?.name}/default/${String(model.evaluate(`[parameters('${param}')]`))}`;
  const journal = containers.find((c) => c.name === containerPath("journalContainerName"));
  const lease = containers.find((c) => c.name === containerPath("leaseContainerName"));
  check(
    problems,
    containers.length === 2 && journal !== undefined && lease !== undefined,
    "storage: expected the journal and the lease containers, named from their parameters",
  );
  check(problems, journal?.name !== lease?.name, "storage: the journal and lease containers must differ");
  for (const c of containers) check(problems, props(c, model).publicAccess === "None", `storage: container ${c.name} must have publicAccess None`);

  const policies = model.byType("Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies");
  check(
    problems,
    policies.length === 1 && journal !== undefined && policies[0]!.id.toLowerCase().startsWith(`${journal.id.toLowerCase()}/`),
    "storage: exactly one immutability policy, on the journal container (the lease container stays mutable)",
  );
  const policy = policies[0];
  const period = declared.journalRetentionDays;
  check(
    problems,
    policy?.raw.properties !== undefined &&
      (policy.raw.properties as Record<string, unknown>).immutabilityPeriodSinceCreationInDays === "[parameters('journalRetentionDays')]",
    "storage: the WORM period must be the journalRetentionDays parameter",
  );
  check(problems, period?.type === "int" && period.defaultValue === 2557, "storage: journalRetentionDays must be an int defaulting to 2557 days (7 years)");
  // Locking is a separate action (POST .../lock with the policy's etag): the template must not do it.
  const text = JSON.stringify(model.template);
  check(
    problems,
    !/"locked"|\/lock\b|deploymentScripts/i.test(text) && !("state" in props(policy, model)),
    "storage: the template must leave the immutability policy unlocked",
  );
  return problems;
}

export function keyVaultProblems(model: TemplateModel): string[] {
  const problems: string[] = [];
  const vault = only(model, "Microsoft.KeyVault/vaults", problems);
  const p = props(vault, model);
  check(problems, p.enableRbacAuthorization === true, "key vault: enableRbacAuthorization must be true");
  check(problems, p.enableSoftDelete === true, "key vault: enableSoftDelete must be true");
  check(problems, p.enablePurgeProtection === true, "key vault: enablePurgeProtection must be true");
  check(problems, p.tenantId === TENANT_ID, "key vault: tenantId must be the subscription's tenant");
  check(problems, !Array.isArray(p.accessPolicies) || p.accessPolicies.length === 0, "key vault: no access policies (RBAC only)");
  return problems;
}

/** The web app's app settings, evaluated, by name. */
export function appSettings(model: TemplateModel): Map<string, Value> {
  const site = model.byType("Microsoft.Web/sites")[0];
  const list = (props(site, model).siteConfig as { appSettings?: Array<{ name: string; value: Value }> } | undefined)?.appSettings ?? [];
  return new Map(list.map((s) => [s.name, s.value]));
}

export function webAppProblems(model: TemplateModel): string[] {
  const problems: string[] = [];
  const plan = only(model, "Microsoft.Web/serverfarms", problems);
  const site = only(model, "Microsoft.Web/sites", problems);
  const identity = identityOf(model);
  check(problems, plan?.raw.kind === "linux" && props(plan, model).reserved === true, "web app: the plan must be Linux (kind linux, reserved true)");
  const p = props(site, model);
  const config = (p.siteConfig ?? {}) as Record<string, Value>;
  check(problems, p.httpsOnly === true, "web app: httpsOnly must be true");
  check(problems, config.minTlsVersion === "1.2" && config.scmMinTlsVersion === "1.2", "web app: minimum TLS 1.2 (site and SCM)");
  check(problems, config.ftpsState === "Disabled", "web app: ftpsState must be Disabled");
  check(problems, config.alwaysOn === true, "web app: alwaysOn must be true");
  check(problems, config.healthCheckPath === "/healthz", "web app: healthCheckPath must be /healthz");
  check(problems, config.linuxFxVersion === "NODE|22-lts", "web app: linuxFxVersion must be NODE|22-lts");
  check(problems, model.template.parameters.nodeRuntime?.defaultValue === "NODE|22-lts", "web app: nodeRuntime must default to NODE|22-lts");
  const runtimes = model.template.parameters.nodeRuntime?.allowedValues as string[] | undefined;
  check(problems, !runtimes || runtimes.every((r) => /^NODE\|(22|24)-lts$/.test(r)), "web app: only Node 22 or 24 LTS may be chosen");
  check(problems, config.appCommandLine === "npm start", "web app: the start command must be npm start");
  const identities = (site ? model.evaluate(site.raw.identity ?? {}) : {}) as { type?: string; userAssignedIdentities?: Record<string, unknown> };
  check(
    problems,
    identities.type === "UserAssigned" && identity !== undefined && Object.keys(identities.userAssignedIdentities ?? {}).join() === identity.id,
    "web app: must run as the user-assigned identity only",
  );
  check(
    problems,
    identity !== undefined && p.keyVaultReferenceIdentity === identity.id,
    "web app: keyVaultReferenceIdentity must be the user-assigned identity",
  );
  for (const kind of ["ftp", "scm"]) {
    const policy = model.resources.find((r) => r.type === "Microsoft.Web/sites/basicPublishingCredentialsPolicies" && r.name.endsWith(`/${kind}`));
    check(problems, policy !== undefined && props(policy, model).allow === false, `web app: ${kind} basic-auth publishing must be off`);
  }

  const settings = appSettings(model);
  const setting = (name: string) => settings.get(name);
  check(problems, setting("NODE_ENV") === "production", "app settings: NODE_ENV must be production");
  check(problems, setting("MicrosoftAppType") === "UserAssignedMsi", "app settings: MicrosoftAppType must be UserAssignedMsi");
  check(
    problems,
    identity !== undefined && isReferenceTo(setting("MicrosoftAppId"), identity.id, "clientId"),
    "app settings: MicrosoftAppId must be the identity's clientId",
  );
  check(
    problems,
    identity !== undefined && isReferenceTo(setting("AZURE_CLIENT_ID"), identity.id, "clientId"),
    "app settings: AZURE_CLIENT_ID must be the identity's clientId",
  );
  check(problems, setting("MicrosoftAppTenantId") === TENANT_ID, "app settings: MicrosoftAppTenantId must be the tenant");
  check(
    problems,
    setting("AZURE_STORAGE_ACCOUNT_NAME") === model.byType("Microsoft.Storage/storageAccounts")[0]?.name,
    "app settings: AZURE_STORAGE_ACCOUNT_NAME must name the storage account",
  );
  check(problems, !settings.has("AZURE_STORAGE_CONNECTION_STRING"), "app settings: no storage connection string (shared keys are off)");
  const containerName = (param: string) => model.evaluate(`[parameters('${param}')]`);
  check(problems, setting("JOURNAL_CONTAINER") === containerName("journalContainerName"), "app settings: JOURNAL_CONTAINER must be the journal container");
  check(problems, setting("LEASE_CONTAINER") === containerName("leaseContainerName"), "app settings: LEASE_CONTAINER must be the lease container");
  check(problems, setting("BOT_AUTH_DISABLED") === undefined || setting("BOT_AUTH_DISABLED") === "false", "app settings: bot authentication must stay on");
  check(problems, setting("SCM_DO_BUILD_DURING_DEPLOYMENT") === "false", "app settings: the zip is deployed built (SCM_DO_BUILD_DURING_DEPLOYMENT=false)");
  const insights = model.byType("Microsoft.Insights/components")[0];
  const workspace = model.byType("Microsoft.OperationalInsights/workspaces")[0];
  check(
    problems,
    workspace !== undefined && props(insights, model).WorkspaceResourceId === workspace.id,
    "Application Insights must keep its data in the Log Analytics workspace",
  );
  check(
    problems,
    insights !== undefined && isReferenceTo(setting("APPLICATIONINSIGHTS_CONNECTION_STRING"), insights.id, "ConnectionString"),
    "app settings: APPLICATIONINSIGHTS_CONNECTION_STRING must come from the Application Insights resource",
  );

  for (const [name, parameter] of Object.entries(VAULT_SETTINGS)) {
    const secret = model
      .byType("Microsoft.KeyVault/vaults/secrets")
      .find((s) => (s.raw.properties as Record<string, unknown> | undefined)?.value === `[parameters('${parameter}')]`);
    const secure = model.template.parameters[parameter]?.type === "securestring";
    const expected = secret ? `@Microsoft.KeyVault(SecretUri=<reference(${secret.id}).secretUri>)` : "(no secret)";
    check(
      problems,
      secure && secret !== undefined && setting(name) === expected,
      `app settings: ${name} must be a Key Vault reference to the secret holding the securestring ${parameter}`,
    );
  }
  for (const [name, value] of settings) check(problems, !String(value).includes(SECURE_TEST_VALUE), `app settings: ${name} carries a secret in clear`);
  return problems;
}

export function botProblems(model: TemplateModel): string[] {
  const problems: string[] = [];
  const bot = only(model, "Microsoft.BotService/botServices", problems);
  const identity = identityOf(model);
  const site = model.byType("Microsoft.Web/sites")[0];
  const p = props(bot, model);
  check(problems, bot?.raw.kind === "azurebot", "bot: kind must be azurebot");
  check(problems, p.msaAppType === "UserAssignedMSI", "bot: msaAppType must be UserAssignedMSI");
  check(problems, identity !== undefined && isReferenceTo(p.msaAppId, identity.id, "clientId"), "bot: msaAppId must be the identity's clientId");
  check(problems, identity !== undefined && p.msaAppMSIResourceId === identity.id, "bot: msaAppMSIResourceId must be the identity");
  check(problems, p.msaAppTenantId === TENANT_ID, "bot: msaAppTenantId must be the tenant");
  check(
    problems,
    site !== undefined && p.endpoint === `https://<reference(${site.id}).defaultHostName>/api/messages`,
    "bot: the endpoint must be https://<web app host>/api/messages",
  );
  const channel = only(model, "Microsoft.BotService/botServices/channels", problems);
  const c = props(channel, model) as { channelName?: Value; properties?: { isEnabled?: Value } };
  check(
    problems,
    channel?.name === `${bot?.name}/MsTeamsChannel` && c.channelName === "MsTeamsChannel" && c.properties?.isEnabled === true,
    "bot: the Microsoft Teams channel must be enabled",
  );
  return problems;
}

export function roleProblems(model: TemplateModel): string[] {
  const problems: string[] = [];
  const identity = identityOf(model);
  const storage = model.byType("Microsoft.Storage/storageAccounts")[0];
  const vault = model.byType("Microsoft.KeyVault/vaults")[0];
  const assignments = model.byType("Microsoft.Authorization/roleAssignments");
  const expected = [
    { role: ROLES.storageTableDataContributor, label: "Storage Table Data Contributor", scope: storage },
    { role: ROLES.storageBlobDataContributor, label: "Storage Blob Data Contributor", scope: storage },
    { role: ROLES.keyVaultSecretsUser, label: "Key Vault Secrets User", scope: vault },
  ];
  check(problems, assignments.length === expected.length, `roles: expected ${expected.length} role assignments, found ${assignments.length}`);
  for (const { role, label, scope } of expected) {
    const a = assignments.find(
      (x) => props(x, model).roleDefinitionId === `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
    );
    const p = props(a, model);
    check(problems, a !== undefined, `roles: ${label} (${role}) is not assigned`);
    if (!a) continue;
    check(
      problems,
      scope !== undefined && a.id.toLowerCase().startsWith(`${scope.id.toLowerCase()}/providers/`),
      `roles: ${label} must be scoped to ${scope?.type}`,
    );
    check(
      problems,
      identity !== undefined && isReferenceTo(p.principalId, identity.id, "principalId") && p.principalType === "ServicePrincipal",
      `roles: ${label} must go to the identity's principalId as a ServicePrincipal`,
    );
    check(problems, /^\[guid\(/.test(String(a.raw.name)) && /^[0-9a-f-]{36}$/.test(a.name), `roles: ${label} must have a deterministic guid() name`);
  }
  check(problems, new Set(assignments.map((a) => a.name)).size === assignments.length, "roles: assignment names must differ");
  return problems;
}
