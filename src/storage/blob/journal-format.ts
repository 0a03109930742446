import { createHash } from "node:crypto";
import type { JournalRecord, RawDelivery } from "../../core/ports/webhook-journal";

/*
 * What the journal container holds (docs/data-and-compliance.md, "The journal"), in one place so the
 * writer and the verifier cannot disagree:
 *
 * - segments `journal/yyyy/mm/dd/<HHmmssSSS>-<16 hex>.jsonl`: NDJSON. Line 0 is the header naming the
 *   writer, its sequence number and the SHA-256 of the same writer's previous segment (the chain); every
 *   other line is one delivery (raw bytes as base64) or one record, each with its own SHA-256. Segments
 *   written before the chain existed have no header: every line is a delivery.
 * - manifests `journal/yyyy/mm/dd/manifest-<writer>-<n>.json`: one writer's sealed list of its segments
 *   in that folder, with their SHA-256, chained to the writer's previous manifest. `n` counts from 1: a
 *   second manifest of the same day only exists when something was filed there after the first.
 *
 * Nothing is ever rewritten: both are created with If-None-Match: *, so the container can be WORM.
 */

/** A segment or manifest, pinned by name and SHA-256 of its stored bytes. */
export interface ChainLink {
  readonly name: string;
  readonly sha256: string;
}

export interface SegmentHeader {
  readonly kind: "segment";
  readonly v: 1;
  readonly writer: string;
  /** 1 for the writer's first segment; +1 for each segment stored after it. */
  readonly seq: number;
  /** The writer's previous stored segment; null for its first. */
  readonly prev: ChainLink | null;
  /** Segments this writer tried to store and was told it could not: if one exists after all, it must match. */
  readonly abandoned?: readonly ChainLink[];
}

export interface DeliveryLine {
  readonly kind?: "delivery";
  readonly receivedAt: string;
  readonly signature: string;
  /** SHA-256 of the body bytes. */
  readonly sha256: string;
  /** The body bytes, base64. */
  readonly body: string;
}

export interface RecordLine {
  readonly kind: "record";
  readonly record: JournalRecord;
  /** SHA-256 of `JSON.stringify(record)`. */
  readonly sha256: string;
}

export type ParsedLine =
  | { readonly kind: "header"; readonly header: SegmentHeader }
  | { readonly kind: "delivery"; readonly line: DeliveryLine; readonly body: Buffer; readonly receivedAt: number; readonly intact: boolean }
  | { readonly kind: "record"; readonly record: JournalRecord; readonly intact: boolean }
  | { readonly kind: "invalid"; readonly reason: string };

export interface ManifestSegment extends ChainLink {
  readonly seq: number;
  readonly entries: number;
}

export interface ManifestContent {
  readonly kind: "manifest";
  readonly v: 1;
  readonly writer: string;
  /** `YYYY-MM-DD`: the folder it seals. */
  readonly day: string;
  readonly n: number;
  /** The writer's previous manifest (any day); null for its first. */
  readonly previous: ChainLink | null;
  readonly segments: readonly ManifestSegment[];
  readonly abandoned: readonly ChainLink[];
  readonly sealedAt: string;
  /** The writer's last manifest (written on close): a later segment of this writer can only be an insertion. */
  readonly final?: true;
}

export const SEGMENT_NAME = /^journal\/\d{4}\/\d{2}\/\d{2}\/\d{9}-[0-9a-f]{16}\.jsonl$/;
export const MANIFEST_NAME = /^journal\/\d{4}\/\d{2}\/\d{2}\/manifest-([A-Za-z0-9._-]{1,100})-(\d{1,6})\.json$/;
/** A writer name as it appears in blob names and metadata. */
export const WRITER_NAME = /^[A-Za-z0-9._-]{1,100}$/;
const DAY_MS = 86_400_000;

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** `YYYY-MM-DD`, the UTC day of `at` (epoch ms). */
export function dayOf(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** `journal/yyyy/mm/dd/`: the folder of a UTC day (`YYYY-MM-DD`). */
export function folderOf(day: string): string {
  return `journal/${day.replace(/-/g, "/")}/`;
}

/** The day (`YYYY-MM-DD`) a journal blob is filed under. */
export function dayOfName(name: string): string {
  return name.slice(8, 18).replace(/\//g, "-");
}

/** Epoch ms of the first instant after the UTC day `day`. */
export function endOfDay(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`) + DAY_MS;
}

export function manifestName(day: string, writer: string, n: number): string {
  return `${folderOf(day)}manifest-${writer}-${n}.json`;
}

/** A writer name from an instance name and a boot id: only characters safe in blob names, bounded. */
export function writerName(instance: string, bootId: string): string {
  const clean = (s: string, max: number) =>
    s
      .replace(/[^A-Za-z0-9_-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, max) || "x";
  return `${clean(instance, 60)}.${clean(bootId, 32)}`;
}

export function deliveryLine(delivery: RawDelivery, receivedAt: number): DeliveryLine {
  const body = Buffer.from(delivery.body.buffer, delivery.body.byteOffset, delivery.body.byteLength);
  return {
    kind: "delivery",
    receivedAt: new Date(receivedAt).toISOString(),
    signature: delivery.signature,
    sha256: sha256Hex(body),
    body: body.toString("base64"),
  };
}

export function recordLine(record: JournalRecord): RecordLine {
  return { kind: "record", record, sha256: sha256Hex(JSON.stringify(record)) };
}

/** Parses one stored line and checks its own SHA-256 (`intact`); never throws. */
export function parseLine(text: string): ParsedLine {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { kind: "invalid", reason: "not JSON" };
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return { kind: "invalid", reason: "not an object" };
  if (value["kind"] === "segment") {
    const header = value as unknown as SegmentHeader;
    const linkOk = (l: unknown) =>
      l === null || (typeof l === "object" && typeof (l as ChainLink).name === "string" && typeof (l as ChainLink).sha256 === "string");
    if (typeof header.writer !== "string" || !Number.isInteger(header.seq) || !linkOk(header.prev))
      return { kind: "invalid", reason: "malformed segment header" };
    return { kind: "header", header };
  }
  if (value["kind"] === "record") {
    const record = value["record"];
    if (!record || typeof record !== "object") return { kind: "invalid", reason: "record line without a record" };
    return { kind: "record", record: record as JournalRecord, intact: sha256Hex(JSON.stringify(record)) === value["sha256"] };
  }
  if (value["kind"] !== undefined && value["kind"] !== "delivery") return { kind: "invalid", reason: "unknown line kind" };
  const line = value as unknown as DeliveryLine;
  const body = Buffer.from(typeof line.body === "string" ? line.body : "", "base64");
  const receivedAt = typeof line.receivedAt === "string" ? Date.parse(line.receivedAt) : NaN;
  return {
    kind: "delivery",
    line,
    body,
    receivedAt: Number.isFinite(receivedAt) ? receivedAt : 0,
    intact: sha256Hex(body) === line.sha256 && typeof line.signature === "string",
  };
}

/** The lines of a segment's bytes (NDJSON; the last line ends with a newline). */
export function linesOf(content: Buffer): string[] {
  return content
    .toString("utf8")
    .split("\n")
    .filter((line) => line.length > 0);
}

/** The time of a record or delivery line, epoch ms. */
export function timeOfRecord(record: JournalRecord): number {
  return typeof record.at === "number" && Number.isFinite(record.at) ? record.at : 0;
}

/** The day seal's hash: SHA-256 over `<name> <sha256>\n` of each manifest, sorted by name. */
export function daySealHash(manifests: readonly ChainLink[]): string {
  const sorted = [...manifests].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return sha256Hex(sorted.map((m) => `${m.name} ${m.sha256}\n`).join(""));
}
