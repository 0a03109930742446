import type { BlobJournalReader } from "./journal-reader";
import { parseManifest } from "./journal-blobs";
import { dayOfName, linesOf, parseLine, sha256Hex, type ChainLink, type ManifestContent, type SegmentHeader } from "./journal-format";

/** Names the secret whose HMAC matches a delivery's signature header, or undefined when none does. */
export type SignatureCheck = (body: Buffer, header: string) => string | undefined;

/** A finding that makes the journal fail verification: something is missing, altered, inserted or unsigned. */
export interface Break {
  readonly kind: "missing" | "altered" | "inserted" | "unreadable" | "signature" | "stray";
  /** The blob (or `<segment>#<line>`) it is about. */
  readonly what: string;
  readonly detail: string;
}

/** What the verifier keeps of one segment once its bytes are checked (the bytes are dropped). */
export interface ScannedSegment {
  readonly name: string;
  readonly day: string;
  readonly sha256: string;
  /** Absent for segments written before the chain existed. */
  readonly header?: SegmentHeader;
  readonly entries: number;
  /** Labels of the secrets that verified its deliveries (empty: it holds none, or none verified). */
  readonly secrets: readonly string[];
  /** Its deliveries that no given secret verifies. */
  readonly unverified: number;
}

export interface ScannedManifest extends ChainLink {
  readonly content: ManifestContent;
}

export type EntryKind = "delivery" | "outbound" | "status" | "internal";

/** Everything read from the days of a range, before the chains are walked. */
export interface Scan {
  readonly segments: Map<string, ScannedSegment>;
  readonly manifests: ScannedManifest[];
  /** Every manifest blob of each day as stored, readable or not: what the day's seal hashes. */
  readonly seals: Map<string, ChainLink[]>;
  readonly breaks: Break[];
  readonly entries: Record<EntryKind, number>;
  readonly signatures: { readonly verifiedBy: Map<string, number>; failed: number };
  first?: number;
  last?: number;
}

/**
 * Reads every segment and manifest filed from `from` to `to` (`YYYY-MM-DD`, inclusive), one blob in
 * memory at a time: each line's own SHA-256, each delivery's signature, the header of each segment, and
 * the SHA-256 of every blob as stored. Line-level findings go into `breaks`; the chains are walked later
 * (journal-verifier.ts).
 */
export async function scanJournal(
  reader: BlobJournalReader,
  range: { readonly from: string; readonly to: string },
  checkSignature: SignatureCheck,
): Promise<Scan> {
  const scan: Scan = {
    segments: new Map(),
    manifests: [],
    seals: new Map(),
    breaks: [],
    entries: { delivery: 0, outbound: 0, status: 0, internal: 0 },
    signatures: { verifiedBy: new Map(), failed: 0 },
  };
  for (const day of await reader.days()) {
    if (day < range.from || day > range.to) continue;
    const listing = await reader.listDay(day);
    for (const name of listing.other)
      scan.breaks.push({ kind: "stray", what: name, detail: "a blob in the journal's folders that is neither a segment nor a manifest" });
    for (const { name } of listing.segments) {
      const bytes = await reader.download(name);
      if (bytes) scan.segments.set(name, scanSegment(name, bytes, scan, checkSignature));
    }
    for (const name of listing.manifests) {
      const bytes = await reader.download(name);
      if (!bytes) continue;
      scan.seals.set(day, [...(scan.seals.get(day) ?? []), { name, sha256: sha256Hex(bytes) }]);
      const content = parseManifest(bytes);
      if (!content) scan.breaks.push({ kind: "unreadable", what: name, detail: "not a manifest" });
      else scan.manifests.push({ name, sha256: sha256Hex(bytes), content });
    }
  }
  return scan;
}

function scanSegment(name: string, bytes: Buffer, scan: Scan, checkSignature: SignatureCheck): ScannedSegment {
  const lines = linesOf(bytes);
  const secrets = new Set<string>();
  let header: SegmentHeader | undefined;
  let entries = 0;
  let unverified = 0;
  const seen = (at: number) => {
    if (!at) return;
    scan.first = scan.first === undefined ? at : Math.min(scan.first, at);
    scan.last = scan.last === undefined ? at : Math.max(scan.last, at);
  };
  lines.forEach((text, i) => {
    const where = `${name}#${i}`;
    const line = parseLine(text);
    switch (line.kind) {
      case "invalid":
        return void scan.breaks.push({ kind: "unreadable", what: where, detail: line.reason });
      case "header":
        if (i === 0) header = line.header;
        else scan.breaks.push({ kind: "unreadable", what: where, detail: "a segment header after the first line" });
        return;
      case "record": {
        entries++;
        const kind = line.record.kind;
        if (kind === "outbound" || kind === "status" || kind === "internal") scan.entries[kind]++;
        else scan.breaks.push({ kind: "unreadable", what: where, detail: "a record of an unknown kind" });
        if (!line.intact) scan.breaks.push({ kind: "altered", what: where, detail: "the record does not match the SHA-256 kept with it" });
        return seen(line.record.at);
      }
      case "delivery": {
        entries++;
        scan.entries.delivery++;
        seen(line.receivedAt);
        if (!line.intact) return void scan.breaks.push({ kind: "altered", what: where, detail: "the body does not match the SHA-256 kept with it" });
        const secret = checkSignature(line.body, line.line.signature);
        if (secret === undefined) {
          unverified++;
          scan.signatures.failed++;
          return void scan.breaks.push({ kind: "signature", what: where, detail: "no given app secret verifies its X-Hub-Signature-256" });
        }
        secrets.add(secret);
        scan.signatures.verifiedBy.set(secret, (scan.signatures.verifiedBy.get(secret) ?? 0) + 1);
      }
    }
  });
  return { name, day: dayOfName(name), sha256: sha256Hex(bytes), ...(header ? { header } : {}), entries, secrets: [...secrets], unverified };
}
