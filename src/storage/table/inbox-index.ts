import { odata } from "@azure/data-tables";
import type { InboxEntry, InboxState } from "../../core/model";
import { encodeKey } from "./keys";

/**
 * The index of unfinished inbox entries, kept in the entry's own partition (the business number) so that
 * an entry and its index row change in one entity group transaction. Index rows are full copies of their
 * entry under a RowKey that starts with `~` (no event key does: those start with `msg:`, `status:`, …) and
 * sorts in inbox order: `~<class>|<WhatsApp time>|<receipt time>|<key>`. One class per waiting state:
 * - `~o|` pending or posting: what the bridge loads and processes;
 * - `~h|` held for a suspended link; `~u|` unrouted (no link yet); `~f|` failed (kept for the reports);
 * - `~d|` flagged as a possible duplicate, in any state (`npm run reconcile` lists them).
 * A `done` entry has no index row (unless flagged), so finding work never reads finished entries: every
 * query names a partition and ranges over RowKeys only. The business numbers that have entries are listed
 * in the partition `~numbers` of the same table.
 */

export type IndexClass = "o" | "h" | "u" | "f";
export const FLAG_CLASS = "d";

/** The partition listing every business number with inbox entries (RowKey = the encoded number). */
export const NUMBERS_PARTITION = "~numbers";

export function classOf(state: InboxState): IndexClass | undefined {
  switch (state) {
    case "pending":
    case "posting":
      return "o";
    case "held":
      return "h";
    case "unrouted":
      return "u";
    case "failed":
      return "f";
    case "done":
      return undefined;
  }
}

const pad = (n: number, width: number) => String(Math.max(0, Math.floor(n))).padStart(width, "0");

/** The RowKey of an entry's index row of `cls` (`~<cls>|…`): inbox order is RowKey order. */
export function indexRowKey(cls: IndexClass | typeof FLAG_CLASS, entry: Pick<InboxEntry, "event" | "receivedAt" | "key">): string {
  return `~${cls}|${pad(entry.event.timestamp, 12)}|${pad(entry.receivedAt, 15)}|${encodeKey(entry.key)}`;
}

/** The OData filter of one class of index rows in one partition: keys only, never a property. */
export function classFilter(partitionKey: string, cls: IndexClass | typeof FLAG_CLASS): string {
  // `}` follows `|` in code-unit order: the range holds exactly the RowKeys starting with `~<cls>|`.
  return odata`PartitionKey eq ${partitionKey} and RowKey ge ${`~${cls}|`} and RowKey lt ${`~${cls}}`}`;
}
