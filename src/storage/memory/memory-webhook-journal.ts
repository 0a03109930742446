import { createHash } from "node:crypto";
import type {
  DayManifest,
  JournaledDelivery,
  JournaledRecord,
  JournalRecord,
  JournalRef,
  RawDelivery,
  WebhookJournal,
  WriterManifest,
} from "../../core/ports/webhook-journal";

/** As the Blob journal: a day is sealed once an entry stamped a minute past its end is filed. */
const SEAL_GRACE_MS = 60_000;
const DAY_MS = 86_400_000;

type Content = { readonly hash: string } & ({ readonly delivery: JournaledDelivery } | { readonly record: JournaledRecord });
type Kept = Content & { readonly day: string };

const dayOf = (at: number) => new Date(at).toISOString().slice(0, 10);
const sha256 = (text: string | Uint8Array) => createHash("sha256").update(text).digest("hex");

/**
 * In-memory `WebhookJournal` for unit tests and benchmarks, with the Blob journal's semantics (the same
 * contract suite runs against both): every append or record is kept on its own, filed under the UTC day
 * of its time (`journal/yyyy/mm/dd/…`), nothing is ever overwritten, and each day is sealed by a manifest
 * (here: a hash over the day's entries) once it is over, when asked for, or on `close()`.
 */
export class MemoryWebhookJournal implements WebhookJournal {
  private readonly entries = new Map<JournalRef, Kept>();
  /** Refs not sealed yet, per day. */
  private readonly open = new Map<string, JournalRef[]>();
  private readonly manifests = new Map<string, WriterManifest[]>();
  private sequence = 0;

  constructor(private readonly options: { readonly writer?: string; readonly now?: () => number } = {}) {}

  private get writer(): string {
    return this.options.writer ?? "memory";
  }

  async append(delivery: RawDelivery, receivedAt: number): Promise<JournalRef> {
    const ref = this.nextRef(receivedAt);
    const kept: JournaledDelivery = { ref, body: Uint8Array.from(delivery.body), signature: delivery.signature, receivedAt };
    this.keep(ref, receivedAt, { delivery: kept, hash: sha256(delivery.body) });
    return ref;
  }

  async read(ref: JournalRef): Promise<JournaledDelivery | undefined> {
    const found = this.entries.get(ref);
    return found && "delivery" in found ? { ...found.delivery, body: Uint8Array.from(found.delivery.body) } : undefined;
  }

  async record(entry: JournalRecord): Promise<JournalRef> {
    const ref = this.nextRef(entry.at);
    const copy = JSON.parse(JSON.stringify(entry)) as JournalRecord;
    this.keep(ref, entry.at, { record: { ref, record: copy }, hash: sha256(JSON.stringify(copy)) });
    return ref;
  }

  async readRecord(ref: JournalRef): Promise<JournaledRecord | undefined> {
    const found = this.entries.get(ref);
    return found && "record" in found ? { ref, record: JSON.parse(JSON.stringify(found.record.record)) as JournalRecord } : undefined;
  }

  async dayManifest(day: number): Promise<DayManifest | undefined> {
    const name = dayOf(day);
    if (Date.parse(`${name}T00:00:00Z`) + DAY_MS + SEAL_GRACE_MS <= (this.options.now ?? Date.now)()) this.seal(name);
    const manifests = this.manifests.get(name) ?? [];
    if (manifests.length === 0) return undefined;
    const unsealed = this.open.get(name)?.length ?? 0;
    return {
      day: name,
      sha256: sha256(
        [...manifests]
          .sort((a, b) => (a.name < b.name ? -1 : 1))
          .map((m) => `${m.name} ${m.sha256}\n`)
          .join(""),
      ),
      manifests: [...manifests],
      unsealed: unsealed > 0 ? [{ writer: this.writer, segments: unsealed }] : [],
    };
  }

  /** Seals every open day (as the Blob journal does on shutdown). */
  async close(): Promise<void> {
    for (const day of [...this.open.keys()]) this.seal(day);
  }

  /** Every journaled delivery, in the order they were appended (tests). */
  all(): JournaledDelivery[] {
    return [...this.entries.values()].flatMap((kept) => ("delivery" in kept ? [kept.delivery] : []));
  }

  /** Every record, in the order they were recorded (tests). */
  records(): JournaledRecord[] {
    return [...this.entries.values()].flatMap((kept) => ("record" in kept ? [kept.record] : []));
  }

  private nextRef(at: number): JournalRef {
    return `journal/${dayOf(at).replace(/-/g, "/")}/${String(++this.sequence).padStart(9, "0")}-memory.jsonl#0`;
  }

  private keep(ref: JournalRef, at: number, kept: Content): void {
    const day = dayOf(at);
    this.entries.set(ref, { ...kept, day });
    this.open.set(day, [...(this.open.get(day) ?? []), ref]);
    for (const openDay of [...this.open.keys()]) {
      if (Date.parse(`${openDay}T00:00:00Z`) + DAY_MS + SEAL_GRACE_MS <= at) this.seal(openDay);
    }
  }

  private seal(day: string): void {
    const refs = this.open.get(day);
    if (!refs || refs.length === 0) return;
    this.open.delete(day);
    const list = this.manifests.get(day) ?? [];
    const content = refs.map((ref) => `${ref} ${this.entries.get(ref)!.hash}\n`).join("");
    list.push({
      name: `journal/${day.replace(/-/g, "/")}/manifest-${this.writer}-${list.length + 1}.json`,
      writer: this.writer,
      sha256: sha256(content),
      segments: refs.length,
      entries: refs.length,
    });
    this.manifests.set(day, list);
  }
}
