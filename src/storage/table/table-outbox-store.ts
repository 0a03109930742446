import { odata } from "@azure/data-tables";
import { randomUUID } from "node:crypto";
import { PermanentError } from "../../core/errors";
import type { FormattedText } from "../../core/formatted-text";
import { AadObjectId, BusinessNumberId, TeamsMessageId, WaMessageId, type ConversationKey, type TeamsThreadRef, type TemplateKey } from "../../core/ids";
import type { NewOutboxEntry, OutboxEntry, OutboxKind, OutboxPatch, OutboxState, OutboxStore } from "../../core/ports/outbox-store";
import type { TemplateValues } from "../../core/templates";
import { clip, EntityReader, MAX_JSON_PROPERTY_CHARS, toJsonProperty, toNumberProperty, withoutUndefined, type StoredEntity } from "./entity-codec";
import { encodeKey } from "./keys";
import { createOwn, getOrUndefined, type TableAccess } from "./table-access";
import { hasStatus } from "./table-errors";
import { before, deleteWhere, numberOf } from "./table-purge";

const STATES: readonly OutboxState[] = ["queued", "sending", "recording", "sent", "failed", "uncertain"];
const KINDS: readonly Exclude<OutboxKind, "reply">[] = ["template", "automatic"];
/** The partition indexing unfinished rows (RowKey `<thread>|<message id>`): no thread ref starts with `~`. */
const OPEN = "~open";
/** States after which a row needs nothing more: it leaves the index. */
const FINISHED: ReadonlySet<OutboxState> = new Set(["sent", "failed"]);
/**
 * A reply's body (FormattedText as JSON) is split over `body0`…`body7`, 32 K characters each: an entity
 * holds at most 1 MiB, and UTF-16 takes two bytes a character, so 8 × 32 K leaves room for the rest.
 */
const MAX_BODY_CHUNKS = 8;
export const MAX_OUTBOX_BODY_CHARS = MAX_BODY_CHUNKS * MAX_JSON_PROPERTY_CHARS;
const DETAIL_MAX_CHARS = 2000;

/**
 * Outbox table: PartitionKey = Teams thread ref, RowKey = Teams message id (a redelivered activity maps
 * to the same row). Unfinished rows (queued, sending, recording, uncertain) are indexed in the partition `~open`
 * (RowKey `<thread>|<message id>`), so `list` reads the index and the rows it names, never the finished
 * ones. Rows and their index live in different partitions, so the index row is written before a row
 * becomes unfinished and removed after it is finished: it may name a row that is finished (a crash
 * between the two writes), which `list` then removes; it never misses an unfinished one.
 *
 * - `create` is one `createEntity` with a random `opId`: 409 means the reply was accepted before, unless
 *   the row carries our own opId (an SDK retry of a create that had in fact succeeded).
 * - `update` is a Merge conditional on the row's ETag (`version`). It writes a fresh `opId` too, so a
 *   412 caused by the SDK retrying our own successful update is still reported as success.
 * - Empty `wamids`, `detail`, `recordPost` and `journalRef` are stored as "[]" and "" (a Merge cannot
 *   remove a property) and read back as absent.
 */
export class TableOutboxStore implements OutboxStore {
  constructor(private readonly table: TableAccess) {}

  async create(entry: NewOutboxEntry): Promise<{ created: true; entry: OutboxEntry } | { created: false; existing: OutboxEntry }> {
    const opId = randomUUID();
    const entity = {
      partitionKey: encodeKey(entry.thread),
      rowKey: encodeKey(entry.teamsMessageId),
      business: entry.business,
      contact: entry.contact,
      thread: entry.thread,
      teamsMessageId: entry.teamsMessageId,
      ...bodyProperties(entry.body),
      ...withoutUndefined({
        kind: entry.kind,
        author: entry.author,
        authorName: entry.authorName,
        replyTo: entry.replyTo,
        label: entry.label,
        template: entry.template && toJsonProperty("outbox.create", "template", entry.template),
      }),
      // Every changeable property exists from the start, so later Merges and reads never meet a missing one.
      ...changeProperties({
        ...entry,
        wamids: entry.wamids ?? [],
        detail: entry.detail ?? "",
        recordPost: entry.recordPost ?? ("" as TeamsMessageId),
        journalRef: entry.journalRef ?? "",
      }),
      createdAt: toNumberProperty(entry.createdAt),
      opId,
    };
    await this.index(entry.thread, entry.teamsMessageId);
    return this.table.run("outbox.create", async (options) => {
      const outcome = await createOwn(this.table.client, entity, options);
      if (outcome.kind === "vanished") throw new PermanentError("storage.outbox_vanished", "outbox.create: the row reported as existing could not be read");
      if (outcome.kind === "taken") return { created: false, existing: this.toEntry(outcome.row) } as const;
      return { created: true, entry: outcome.row ? this.toEntry(outcome.row) : { ...normalise(entry), version: outcome.etag ?? "" } } as const;
    });
  }

  async get(thread: TeamsThreadRef, teamsMessageId: TeamsMessageId): Promise<OutboxEntry | undefined> {
    const row = await this.table.get("outbox.get", encodeKey(thread), encodeKey(teamsMessageId));
    return row && this.toEntry(row);
  }

  async update(entry: OutboxEntry, patch: OutboxPatch): Promise<OutboxEntry | undefined> {
    const opId = randomUUID();
    const partitionKey = encodeKey(entry.thread);
    const rowKey = encodeKey(entry.teamsMessageId);
    const changes = { partitionKey, rowKey, ...changeProperties(patch), opId };
    // Back to an unfinished state (a rate-limited reply queued again): indexed before it is.
    if (patch.state && !FINISHED.has(patch.state)) await this.index(entry.thread, entry.teamsMessageId);
    const updated = await this.table.run("outbox.update", async (options) => {
      try {
        const result = await this.table.client.updateEntity(changes, "Merge", { ...options, etag: entry.version });
        return { ...normalise({ ...entry, ...withoutUndefined(patch) }), version: result.etag ?? "" };
      } catch (err) {
        if (hasStatus(err, 404)) return undefined;
        if (!hasStatus(err, 412)) throw err;
      }
      const current = await getOrUndefined(this.table.client, partitionKey, rowKey, options);
      return current?.["opId"] === opId ? this.toEntry(current) : undefined;
    });
    // Finished: off the index (if this fails, `list` removes it later).
    if (updated && FINISHED.has(updated.state)) await this.unindex(entry.thread, entry.teamsMessageId).catch(() => undefined);
    return updated;
  }

  async list(states: readonly OutboxState[]): Promise<OutboxEntry[]> {
    if (states.length === 0) return [];
    const index = await this.table.query("outbox.list", odata`PartitionKey eq ${OPEN}`);
    const entries: OutboxEntry[] = [];
    for (const row of index) {
      const thread = String(row["thread"]) as TeamsThreadRef;
      const teamsMessageId = TeamsMessageId(String(row["teamsMessageId"]));
      const entry = await this.get(thread, teamsMessageId);
      if (!entry || FINISHED.has(entry.state)) await this.unindex(thread, teamsMessageId);
      else if (states.includes(entry.state)) entries.push(entry);
    }
    return entries.sort((a, b) => a.createdAt - b.createdAt || (a.teamsMessageId < b.teamsMessageId ? -1 : a.teamsMessageId > b.teamsMessageId ? 1 : 0));
  }

  private async index(thread: TeamsThreadRef, teamsMessageId: TeamsMessageId): Promise<void> {
    await this.table.upsert("outbox.index", { partitionKey: OPEN, rowKey: `${encodeKey(thread)}|${encodeKey(teamsMessageId)}`, thread, teamsMessageId });
  }

  private async unindex(thread: TeamsThreadRef, teamsMessageId: TeamsMessageId): Promise<void> {
    await this.table.run("outbox.unindex", async (options) => {
      try {
        await this.table.client.deleteEntity(OPEN, `${encodeKey(thread)}|${encodeKey(teamsMessageId)}`, options);
      } catch (err) {
        if (!hasStatus(err, 404)) throw err;
      }
    });
  }

  /**
   * Deletes the replies that are finished (`sent` or `failed`) and last changed before `olderThan`
   * (epoch ms). `queued`, `sending` and `uncertain` rows stay whatever their age: they still need work
   * or a person's look. Scans the finished rows: retention only. Returns how many were deleted.
   */
  purgeFinished(olderThan: number): Promise<number> {
    const filter = `(${odata`state eq ${"sent"}`} or ${odata`state eq ${"failed"}`}) and ${before("updatedAt", olderThan)}`;
    return deleteWhere(
      this.table,
      "outbox.purgeFinished",
      filter,
      (row) => (row["state"] === "sent" || row["state"] === "failed") && (numberOf(row, "updatedAt") ?? Infinity) < olderThan,
    );
  }

  private toEntry(row: StoredEntity): OutboxEntry {
    const r = new EntityReader(row, this.table.name);
    const chunks = r.number("bodyChunks");
    let json = "";
    for (let i = 0; i < chunks; i++) json += r.string(`body${i}`);
    const body = parseJson<FormattedText>(json, this.table.name);
    const author = r.optionalString("author");
    const authorName = r.optionalString("authorName");
    const replyTo = r.optionalString("replyTo");
    const wamids = r.json<string[]>("wamids");
    const detail = r.optionalString("detail");
    const kind = r.optionalString("kind");
    const label = r.optionalString("label");
    const template = r.optionalString("template") === undefined ? undefined : r.json<{ id: TemplateKey; values: TemplateValues }>("template");
    const recordPost = r.optionalString("recordPost");
    const journalRef = r.optionalString("journalRef");
    return {
      business: BusinessNumberId(r.string("business")),
      contact: r.string("contact") as ConversationKey,
      thread: r.string("thread") as TeamsThreadRef,
      teamsMessageId: TeamsMessageId(r.string("teamsMessageId")),
      ...(kind !== undefined ? { kind: r.oneOf("kind", KINDS) } : {}),
      ...(author ? { author: AadObjectId(author) } : {}),
      ...(authorName !== undefined ? { authorName } : {}),
      body,
      ...(template ? { template } : {}),
      ...(label !== undefined ? { label } : {}),
      ...(replyTo ? { replyTo: WaMessageId(replyTo) } : {}),
      state: r.oneOf("state", STATES),
      attempts: r.number("attempts"),
      resends: r.number("resends"),
      createdAt: r.number("createdAt"),
      updatedAt: r.number("updatedAt"),
      owner: r.string("owner"),
      ...(wamids.length > 0 ? { wamids: wamids.map(WaMessageId) } : {}),
      ...(detail ? { detail } : {}),
      ...(recordPost ? { recordPost: TeamsMessageId(recordPost) } : {}),
      ...(journalRef ? { journalRef } : {}),
      version: row.etag,
    };
  }
}

/** The body as `bodyChunks` + `body0…`, each within one string property, never splitting a surrogate pair. */
function bodyProperties(body: FormattedText): Record<string, unknown> {
  const json = JSON.stringify(body);
  if (json.length > MAX_OUTBOX_BODY_CHARS) {
    throw new PermanentError(
      "storage.value_too_large",
      `outbox.create: the body is ${json.length} characters as JSON; at most ${MAX_OUTBOX_BODY_CHARS} are kept`,
    );
  }
  const chunks: string[] = [];
  for (let at = 0; at < json.length;) {
    let end = Math.min(json.length, at + MAX_JSON_PROPERTY_CHARS);
    if (end < json.length && /[\uD800-\uDBFF]/.test(json[end - 1]!)) end--;
    chunks.push(json.slice(at, end));
    at = end;
  }
  if (chunks.length > MAX_BODY_CHUNKS) {
    throw new PermanentError("storage.value_too_large", `outbox.create: the body needs ${chunks.length} properties; at most ${MAX_BODY_CHUNKS} are kept`);
  }
  return { bodyChunks: chunks.length, ...Object.fromEntries(chunks.map((c, i) => [`body${i}`, c])) };
}

/** The changeable properties present in `patch`, in their stored form. */
function changeProperties(patch: OutboxPatch): Record<string, unknown> {
  return withoutUndefined({
    state: patch.state,
    attempts: patch.attempts === undefined ? undefined : toNumberProperty(patch.attempts),
    resends: patch.resends === undefined ? undefined : toNumberProperty(patch.resends),
    updatedAt: patch.updatedAt === undefined ? undefined : toNumberProperty(patch.updatedAt),
    owner: patch.owner,
    wamids: patch.wamids === undefined ? undefined : toJsonProperty("outbox", "wamids", patch.wamids),
    detail: patch.detail === undefined ? undefined : clip(patch.detail, DETAIL_MAX_CHARS),
    recordPost: patch.recordPost,
    journalRef: patch.journalRef,
  });
}

/** The entry as `toEntry` would read it back: empty `wamids`/`detail`/`recordPost`/`journalRef` absent, `detail` clipped. */
function normalise<T extends OutboxPatch & object>(row: T): T {
  const { wamids, detail, recordPost, journalRef, ...rest } = row;
  return {
    ...rest,
    ...(wamids && wamids.length > 0 ? { wamids } : {}),
    ...(detail ? { detail: clip(detail, DETAIL_MAX_CHARS) } : {}),
    ...(recordPost ? { recordPost } : {}),
    ...(journalRef ? { journalRef } : {}),
  } as T;
}

function parseJson<T>(text: string, table: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new PermanentError("storage.corrupt_entity", `a row of table ${table} has a malformed body`);
  }
}
