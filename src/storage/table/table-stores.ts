import { TableClient, type TableServiceClientOptions } from "@azure/data-tables";
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import { PermanentError } from "../../core/errors";
import type { Stores } from "../../core/ports/stores";
import { getOrUndefined, TableAccess } from "./table-access";
import { TableConversationStore } from "./table-conversation-store";
import { eraseContact, findContact, type ErasureReport, type ErasureTables } from "./table-erasure";
import { forEachRow } from "./table-purge";
import { TableInboxStore } from "./table-inbox-store";
import { TableLinkStore } from "./table-link-store";
import { TableMessageMapStore } from "./table-message-map-store";
import { TableOutboxStore } from "./table-outbox-store";
import { TableMediaRetryStore } from "./table-media-retry-store";

/** How to reach Azure Table storage. Give exactly one of `connectionString` and `accountName`. */
export interface TableStoresOptions {
  /** Shared-key connection string (Azurite in tests and local modes; http is allowed for it). */
  readonly connectionString?: string;
  /** Storage account name, reached at `https://<account>.table.core.windows.net` with Entra ID. */
  readonly accountName?: string;
  /** Alphanumeric, starts with a letter, at most 50 characters; default `bridge`. Tests use a unique one. */
  readonly tablePrefix?: string;
  /** Token credential for `accountName`; default `DefaultAzureCredential` (managed identity in Azure). */
  readonly credential?: TokenCredential;
  /** SDK retries per request on network errors, 408/429/5xx; default 3. */
  readonly maxRetries?: number;
  /** Deadline of one store operation (all its requests and retries), default 15 000 ms. */
  readonly requestTimeoutMs?: number;
  /** Deadline of `ping`, default 5 000 ms (readiness probes wait a few seconds at most). */
  readonly pingTimeoutMs?: number;
}

/** Names of the seven tables, derived from the prefix. */
export interface TableNames {
  readonly links: string;
  readonly conversations: string;
  readonly threads: string;
  readonly messages: string;
  readonly inbox: string;
  readonly outbox: string;
  readonly mediaRetries: string;
}

const DEFAULT_PREFIX = "bridge";
const PREFIX_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,49}$/;
const ACCOUNT_PATTERN = /^[a-z0-9]{3,24}$/;

/**
 * `Stores` on Azure Table storage (or Azurite): one table per store, see each store's file for its key
 * layout and keys.ts for the key escaping. Call `initialize()` once before use (it creates the tables);
 * `createTableStores` does both. Every method may throw `TransientError("storage.unavailable")` or a
 * `PermanentError` (table-errors.ts); "not found" is `undefined`.
 */
export class TableStores implements Stores {
  readonly links: TableLinkStore;
  readonly conversations: TableConversationStore;
  readonly messages: TableMessageMapStore;
  readonly inbox: TableInboxStore;
  readonly outbox: TableOutboxStore;
  readonly mediaRetries: TableMediaRetryStore;
  readonly tableNames: TableNames;
  private readonly tables: readonly TableAccess[];
  private readonly byRole: ErasureTables;
  private readonly pingTable: TableAccess;

  /** Validates the options and builds the clients; does no I/O. Throws a PermanentError on bad options. */
  constructor(options: TableStoresOptions) {
    const prefix = options.tablePrefix ?? DEFAULT_PREFIX;
    if (!PREFIX_PATTERN.test(prefix)) {
      throw new PermanentError("storage.bad_config", `table prefix "${prefix}" must be 1–50 letters or digits, starting with a letter`);
    }
    this.tableNames = {
      links: `${prefix}links`,
      conversations: `${prefix}conversations`,
      threads: `${prefix}threads`,
      messages: `${prefix}messages`,
      inbox: `${prefix}inbox`,
      outbox: `${prefix}outbox`,
      mediaRetries: `${prefix}mediaretries`,
    };
    const timeoutMs = options.requestTimeoutMs ?? 15_000;
    const makeClient = tableClientFactory(options);
    const access = (name: string, ms = timeoutMs) => new TableAccess(makeClient(name), ms);
    const links = access(this.tableNames.links);
    const conversations = access(this.tableNames.conversations);
    const threads = access(this.tableNames.threads);
    const messages = access(this.tableNames.messages);
    const inbox = access(this.tableNames.inbox);
    const outbox = access(this.tableNames.outbox);
    const mediaRetries = access(this.tableNames.mediaRetries);
    this.tables = [links, conversations, threads, messages, inbox, outbox, mediaRetries];
    this.byRole = { links, conversations, threads, messages, inbox, outbox, mediaRetries };
    this.pingTable = access(this.tableNames.links, options.pingTimeoutMs ?? 5_000);
    this.links = new TableLinkStore(links);
    this.conversations = new TableConversationStore(conversations, threads);
    this.messages = new TableMessageMapStore(messages);
    this.inbox = new TableInboxStore(inbox);
    this.outbox = new TableOutboxStore(outbox);
    this.mediaRetries = new TableMediaRetryStore(mediaRetries);
  }

  /**
   * Creates the tables that do not exist yet (an existing table is fine: 409 TableAlreadyExists is
   * ignored) and moves links of the first layout into the current one.
   */
  async initialize(): Promise<void> {
    await Promise.all(this.tables.map((t) => t.run(`initialize(${t.name})`, (options) => t.client.createTable(options))));
    await this.links.migrate();
  }

  /**
   * Retention (RETENTION_DAYS): deletes the finished inbox entries and outbox rows older than
   * `olderThan` (epoch ms; see each store's `purgeFinished`). Returns how many of each were deleted.
   */
  async purgeFinished(olderThan: number): Promise<{ inbox: number; outbox: number }> {
    return { inbox: await this.inbox.purgeFinished(olderThan), outbox: await this.outbox.purgeFinished(olderThan) };
  }

  /**
   * Erasure (`npm run erase`): removes a contact's personal data from every table, given a phone number,
   * a BSUID, a group id or a conversation key; see table-erasure.ts. `dryRun` only counts.
   */
  eraseContact(contact: string, options: { readonly dryRun?: boolean } = {}): Promise<ErasureReport> {
    return eraseContact(this.byRole, contact, options.dryRun ?? false);
  }

  /** Every conversation's channel (conversation key → channel id), for reports. Scans the conversations. */
  async conversationChannels(): Promise<Map<string, string>> {
    const channels = new Map<string, string>();
    await forEachRow(this.byRole.conversations, "conversations.channels", undefined, (row) => {
      if (typeof row["contact"] === "string" && typeof row["channelId"] === "string") channels.set(row["contact"], row["channelId"]);
    });
    return channels;
  }

  /** The conversation keys and ids the tables know a contact by (its BSUID for a number, …). Scans. */
  findContact(contact: string): Promise<{ keys: string[]; ids: string[] }> {
    return findContact(this.byRole, contact);
  }

  /**
   * One cheap request: a point read of a row that never exists. Resolves when storage answers (404 is an
   * answer); throws TransientError when it does not, PermanentError when it refuses (e.g. no permission,
   * or the tables were never created).
   */
  async ping(): Promise<void> {
    const t = this.pingTable;
    await t.run("ping", (options) => getOrUndefined(t.client, "ping", "ping", options));
  }
}

/** Builds `TableStores` and creates its tables. */
export async function createTableStores(options: TableStoresOptions): Promise<TableStores> {
  const stores = new TableStores(options);
  await stores.initialize();
  return stores;
}

/** A TableClient per table name, for the account `options` names (also the compliance store's, table-compliance-store.ts). */
export function tableClientFactory(options: TableStoresOptions): (tableName: string) => TableClient {
  const clientOptions: TableServiceClientOptions = { retryOptions: { maxRetries: options.maxRetries ?? 3 } };
  if (options.connectionString && options.accountName) {
    throw new PermanentError("storage.bad_config", "give either a storage connection string or an account name, not both");
  }
  if (options.connectionString) {
    const connectionString = options.connectionString;
    // Azurite speaks plain http; the SDK refuses shared-key requests over http unless told otherwise.
    return (name) => TableClient.fromConnectionString(connectionString, name, { ...clientOptions, allowInsecureConnection: true });
  }
  if (options.accountName) {
    if (!ACCOUNT_PATTERN.test(options.accountName)) {
      throw new PermanentError("storage.bad_config", `storage account name "${options.accountName}" must be 3–24 lower-case letters or digits`);
    }
    const url = `https://${options.accountName}.table.core.windows.net`;
    const credential = options.credential ?? new DefaultAzureCredential();
    return (name) => new TableClient(url, name, credential, clientOptions);
  }
  throw new PermanentError("storage.bad_config", "storage needs a connection string or an account name");
}
