import { PermanentError } from "../../core/errors";
import type { TeamsMessageId, TeamsThreadRef } from "../../core/ids";
import type { NewOutboxEntry, OutboxEntry, OutboxPatch, OutboxState, OutboxStore, UnfinishedOutboxState } from "../../core/ports/outbox-store";
import { clip, copy, definedFields, MAX_JSON_PROPERTY_CHARS } from "./memory-rules";

/** A row's `detail` is a diagnostic: longer ones are clipped, like the Table store does. */
const DETAIL_MAX_CHARS = 2000;

/**
 * The Table outbox splits a reply's body over at most this many 32 K-character properties (an entity holds
 * 1 MiB of UTF-16 at most); restated here (adapters may not import each other) so both refuse alike.
 */
export const MAX_OUTBOX_BODY_CHARS = 8 * MAX_JSON_PROPERTY_CHARS;

/** The outbox in a Map; `version` is a counter, so updates are conditional exactly as with ETags. */
export class MemoryOutboxStore implements OutboxStore {
  private readonly rows = new Map<string, OutboxEntry>();
  private versions = 0;

  async create(entry: NewOutboxEntry): Promise<{ created: true; entry: OutboxEntry } | { created: false; existing: OutboxEntry }> {
    const length = JSON.stringify(entry.body).length;
    if (length > MAX_OUTBOX_BODY_CHARS) {
      throw new PermanentError("storage.value_too_large", `outbox.create: the body is ${length} characters as JSON; at most ${MAX_OUTBOX_BODY_CHARS} are kept`);
    }
    // The template's values are one stored property in the Table store.
    const values = entry.template ? JSON.stringify(entry.template).length : 0;
    if (values > MAX_JSON_PROPERTY_CHARS) {
      throw new PermanentError(
        "storage.value_too_large",
        `outbox.create: template is ${values} characters as JSON; a stored property holds at most ${MAX_JSON_PROPERTY_CHARS}`,
      );
    }
    const id = rowKey(entry.thread, entry.teamsMessageId);
    // Check and set happen in one synchronous step, so concurrent creates cannot both succeed.
    const existing = this.rows.get(id);
    if (existing) return { created: false, existing: copy(existing) };
    const stored = this.normalise({ ...entry, version: this.nextVersion() });
    this.rows.set(id, stored);
    return { created: true, entry: copy(stored) };
  }

  async get(thread: TeamsThreadRef, teamsMessageId: TeamsMessageId): Promise<OutboxEntry | undefined> {
    const row = this.rows.get(rowKey(thread, teamsMessageId));
    return row && copy(row);
  }

  async update(entry: OutboxEntry, patch: OutboxPatch): Promise<OutboxEntry | undefined> {
    const id = rowKey(entry.thread, entry.teamsMessageId);
    const current = this.rows.get(id);
    if (!current || current.version !== entry.version) return undefined;
    const next = this.normalise({ ...current, ...definedFields(patch), version: this.nextVersion() });
    this.rows.set(id, next);
    return copy(next);
  }

  async list(states: readonly UnfinishedOutboxState[]): Promise<OutboxEntry[]> {
    const wanted = new Set<OutboxState>(states);
    return [...this.rows.values()]
      .filter((r) => wanted.has(r.state))
      .sort(compareOutbox)
      .map(copy);
  }

  private nextVersion(): string {
    return String(++this.versions);
  }

  /** Empty `wamids`, `detail`, `recordPost`, `journalRef` are stored as absent and `detail` clipped, as the Table store reads them back. */
  private normalise(row: OutboxEntry): OutboxEntry {
    const { wamids, detail, recordPost, journalRef, ...rest } = definedFields(row);
    return copy({
      ...rest,
      ...(wamids && wamids.length > 0 ? { wamids } : {}),
      ...(detail ? { detail: clip(detail, DETAIL_MAX_CHARS) } : {}),
      ...(recordPost ? { recordPost } : {}),
      ...(journalRef ? { journalRef } : {}),
    });
  }
}

/** Outbox order: accepted first, then by Teams message id (so that the order is total). */
export function compareOutbox(a: OutboxEntry, b: OutboxEntry): number {
  return a.createdAt - b.createdAt || (a.teamsMessageId < b.teamsMessageId ? -1 : a.teamsMessageId > b.teamsMessageId ? 1 : 0);
}

function rowKey(thread: string, id: string): string {
  return `${thread}\u0000${id}`;
}
