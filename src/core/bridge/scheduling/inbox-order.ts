import type { InboxEntry } from "../../model";

/** Inbox order: WhatsApp timestamp, then time received, then key (so that the order is total). */
export function compareInboxEntries(a: InboxEntry, b: InboxEntry): number {
  return a.event.timestamp - b.event.timestamp || a.receivedAt - b.receivedAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * Keeps the `limit` oldest entries (inbox order) of a listing that streams past, and counts them all:
 * a backlog of any size is read with bounded memory (at most twice `limit` entries held at once).
 */
export class OldestEntries {
  private held: InboxEntry[] = [];
  private seen = 0;

  constructor(private readonly limit: number) {}

  offer(entry: InboxEntry): void {
    this.seen++;
    this.held.push(entry);
    if (this.held.length >= 2 * Math.max(1, this.limit)) this.held = this.held.sort(compareInboxEntries).slice(0, this.limit);
  }

  /** The oldest entries, oldest first, and how many were offered in all. */
  result(): { entries: InboxEntry[]; total: number } {
    return { entries: this.held.sort(compareInboxEntries).slice(0, this.limit), total: this.seen };
  }
}
