import { endOfDay, manifestName, type ChainLink, type ManifestContent, type ManifestSegment, type SegmentHeader } from "./journal-format";

/**
 * How long after midnight (UTC) a writer keeps a day open for entries stamped before midnight that reach
 * it late (the webhook stamps the receipt time before the batch is written). A day is sealed once the
 * writer files an entry stamped this far past its end, when asked for the day's seal, or on close.
 */
export const SEAL_GRACE_MS = 60_000;

/**
 * One writer's chain, in memory: the sequence number and SHA-256 of its last stored segment (the next
 * segment names it), the segments stored since each day was last sealed, and its last manifest (the next
 * manifest names it). Pure bookkeeping: the journal does the I/O and calls these in order, one batch at
 * a time, so the chain has no forks.
 */
export class WriterChain {
  private seq = 0;
  private head: ChainLink | null = null;
  private abandonedLinks: ChainLink[] = [];
  private lastManifest: ChainLink | null = null;
  /** Segments stored per day (`YYYY-MM-DD`) and not yet in a manifest. */
  private readonly open = new Map<string, ManifestSegment[]>();
  /** Manifests written per day, for the next one's number. */
  private readonly sealedCount = new Map<string, number>();

  constructor(readonly writer: string) {}

  /** The header of the next segment: it names the last stored one, and any whose fate is unknown. */
  nextHeader(): SegmentHeader {
    return {
      kind: "segment",
      v: 1,
      writer: this.writer,
      seq: this.seq + 1,
      prev: this.head,
      ...(this.abandonedLinks.length > 0 ? { abandoned: [...this.abandonedLinks] } : {}),
    };
  }

  /** A segment built from `header` is stored: it becomes the head. */
  stored(header: SegmentHeader, segment: ChainLink, day: string, entries: number): void {
    this.seq = header.seq;
    this.head = segment;
    // Named in this header: pinned by hash from now on.
    this.abandonedLinks = [];
    this.open.set(day, [...(this.open.get(day) ?? []), { ...segment, seq: header.seq, entries }]);
  }

  /**
   * Storing a segment failed (it may exist all the same: a timed-out upload can still land). It is not
   * the head; the next header and manifest name it as abandoned, pinned by hash.
   */
  failed(segment: ChainLink): void {
    this.abandonedLinks.push(segment);
  }

  /** Days with unsealed segments that an entry stamped `at` shows to be over (with the grace). */
  daysOverAt(at: number): string[] {
    return [...this.open.keys()].filter((day) => endOfDay(day) + SEAL_GRACE_MS <= at).sort();
  }

  /** Days with unsealed segments. */
  openDays(): string[] {
    return [...this.open.keys()].sort();
  }

  /** Segments stored in `day` and not sealed yet. */
  unsealedIn(day: string): number {
    return this.open.get(day)?.length ?? 0;
  }

  /** True once a segment was stored. */
  get started(): boolean {
    return this.seq > 0;
  }

  /**
   * The manifest that would seal `day` now, and its name; undefined when nothing of that day is open.
   * `final`: the writer's last (it ends the writer; it may list no segment when every day was sealed).
   */
  manifestFor(day: string, sealedAt: number, final = false): { name: string; content: ManifestContent } | undefined {
    const segments = this.open.get(day) ?? [];
    if (segments.length === 0 && !final) return undefined;
    const n = (this.sealedCount.get(day) ?? 0) + 1;
    return {
      name: manifestName(day, this.writer, n),
      content: {
        kind: "manifest",
        v: 1,
        writer: this.writer,
        day,
        n,
        previous: this.lastManifest,
        segments,
        abandoned: [...this.abandonedLinks],
        sealedAt: new Date(sealedAt).toISOString(),
        ...(final ? { final: true as const } : {}),
      },
    };
  }

  /** The manifest of `day` is stored: its segments are sealed, and the next manifest names this one. */
  sealed(day: string, manifest: ChainLink, n: number): void {
    this.open.delete(day);
    this.sealedCount.set(day, n);
    this.lastManifest = manifest;
  }
}
