/**
 * The layering rules of docs/architecture.md, "Layout", as data, so the test reads like the design. Folders are relative
 * to the project root.
 */

/** Adapter folders: each may import the core and the neutral HTTP route types, never another adapter. */
export const ADAPTER_FOLDERS = [
  "src/teams",
  "src/whatsapp/meta",
  "src/storage/table",
  "src/storage/memory",
  "src/storage/azurite",
  "src/storage/blob",
  "src/http",
  "src/observability",
  "src/media",
  // Not an adapter: the operator commands' own logic (export, report), given what it reads by them.
  "src/compliance",
] as const;

/** Shared by every adapter: pure types of the HTTP shell. */
export const SHARED_ADAPTER_FILES = ["src/http/http-route.ts"] as const;

/** Files that may know more than one adapter (the composition root and the entry point). */
export const COMPOSITION_FILES = [
  "src/compose.ts",
  "src/index.ts",
  "src/reconcile.ts",
  "src/operator-cli.ts",
  "src/verify.ts",
  "src/export.ts",
  "src/erase.ts",
  "src/report.ts",
  "src/record-checks.ts",
] as const;

/** Each SDK (by package-name pattern) and the only folders that may import it. */
export const SDK_HOMES: ReadonlyArray<{ readonly pattern: RegExp; readonly allowedIn: readonly string[] }> = [
  { pattern: /^(botbuilder|botframework-|@microsoft\/teams-ai|@microsoft\/teams\.|@microsoft\/agents-)/, allowedIn: ["src/teams"] },
  { pattern: /^@azure\/(data-tables|identity)/, allowedIn: ["src/storage", "src/media"] },
  { pattern: /^@azure\/storage-blob/, allowedIn: ["src/storage"] },
  { pattern: /^restify/, allowedIn: ["src/http"] },
  { pattern: /^pino/, allowedIn: ["src/observability"] },
  // Telemetry (OpenTelemetry, the Azure Monitor distro, the Azure SDKs' logger it redirects).
  { pattern: /^(@opentelemetry\/|@azure\/monitor-|@azure\/logger$)/, allowedIn: ["src/observability"] },
];

/** Only this file reads process.env; only these import it. */
export const CONFIG_FILE = "src/config.ts";
export const CONFIG_IMPORTERS = ["src/index.ts", "src/compose.ts", "src/reconcile.ts", "src/operator-cli.ts"] as const;

/**
 * Inside the core: the use cases (core/bridge) build on the foundations (ids, model, ports, rules,
 * notices…), never the other way round; and each folder of core/bridge imports only the folders listed
 * for it, so that a name says where a thing happens and nothing circles back (docs/architecture.md,
 * "Layout"). Files directly in core/bridge (the service, its context, the journal records, the template
 * offer) are shared by the folders and are not listed.
 */
export const CORE_FOUNDATION_NOT_INTO = "src/core/bridge";
export const BRIDGE_FOLDER_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  "src/core/bridge/thread-view": [],
  "src/core/bridge/scheduling": [],
  "src/core/bridge/outbox": ["thread-view", "scheduling"],
  "src/core/bridge/recovery": ["thread-view", "scheduling"],
  "src/core/bridge/from-whatsapp": ["thread-view", "scheduling", "outbox", "recovery"],
  "src/core/bridge/compliance": ["scheduling", "recovery"],
  "src/core/bridge/from-teams": ["thread-view", "scheduling", "outbox", "recovery", "from-whatsapp", "compliance"],
};

/** Files whose exported types cross ports: an id-like field there must use a branded type, not `string`. */
export const PORT_TYPE_FILES = ["src/core/ports", "src/core/model.ts", "src/core/staff-message.ts"] as const;
