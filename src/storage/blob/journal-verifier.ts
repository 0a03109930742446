import type { BlobJournalReader } from "./journal-reader";
import { daySealHash, dayOfName } from "./journal-format";
import { scanJournal, type Break, type EntryKind, type Scan, type ScannedSegment, type SignatureCheck } from "./journal-scan";

export type { Break, SignatureCheck } from "./journal-scan";

/** What `npm run verify` found in a range of days. */
export interface VerifyReport {
  readonly from: string;
  readonly to: string;
  readonly segments: number;
  /** Segments written before segments were chained (their lines are checked, their place cannot be). */
  readonly legacySegments: number;
  readonly manifests: number;
  readonly writers: number;
  readonly entries: Readonly<Record<EntryKind, number>>;
  readonly first?: number;
  readonly last?: number;
  readonly signatures: { readonly verifiedBy: ReadonlyArray<readonly [string, number]>; readonly failed: number };
  /** Consecutive segments of a day verified by the same secret(s), in name order. */
  readonly secretRuns: ReadonlyArray<{ readonly first: string; readonly last: string; readonly count: number; readonly secrets: string }>;
  /** Every finding that fails verification. */
  readonly breaks: readonly Break[];
  /** Segments no manifest lists yet (their writer is still running, or ended without sealing). */
  readonly unsealed: ReadonlyArray<{ readonly writer: string; readonly segments: number; readonly days: readonly string[] }>;
  readonly notes: readonly string[];
  /**
   * Each day's seal as the stored manifests give it (the SHA-256 `WebhookJournal.dayManifest` computes,
   * and the compliance channel's daily post shows), for the days that have a manifest.
   */
  readonly days: ReadonlyArray<{ readonly day: string; readonly sha256: string; readonly manifests: number }>;
}

/** Reads and checks the journal from `from` to `to` (`YYYY-MM-DD`, inclusive). Does I/O; read-only. */
export async function verifyJournal(
  reader: BlobJournalReader,
  range: { readonly from: string; readonly to: string },
  checkSignature: SignatureCheck,
): Promise<VerifyReport> {
  const scan = await scanJournal(reader, range, checkSignature);
  const walked = walkChains(scan, range.from);
  const all = [...scan.segments.values()];
  return {
    ...range,
    segments: all.length,
    legacySegments: all.filter((s) => !s.header).length,
    manifests: scan.manifests.length,
    writers: new Set(all.flatMap((s) => (s.header ? [s.header.writer] : []))).size,
    entries: scan.entries,
    ...(scan.first === undefined ? {} : { first: scan.first }),
    ...(scan.last === undefined ? {} : { last: scan.last }),
    signatures: { verifiedBy: [...scan.signatures.verifiedBy].sort(), failed: scan.signatures.failed },
    secretRuns: secretRuns(all),
    breaks: [...scan.breaks, ...walked.breaks],
    unsealed: walked.unsealed,
    notes: walked.notes,
    days: [...scan.seals].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, links]) => ({ day, sha256: daySealHash(links), manifests: links.length })),
  };
}

/**
 * Walks each writer's chain of segments and of manifests. Fails: a named segment or manifest that is
 * missing or whose SHA-256 differs (removed or altered); two segments claiming one place, a segment no
 * chain or manifest accounts for below what its writer sealed, or after its writer's final manifest
 * (inserted). A link into a day before `from` is not followed (noted).
 */
export function walkChains(scan: Scan, from: string): { breaks: Break[]; unsealed: VerifyReport["unsealed"]; notes: string[] } {
  const breaks: Break[] = [];
  const notes: string[] = [];
  const inRange = (name: string) => dayOfName(name) >= from;
  const entering = new Set<string>();

  // Segments whose upload the writer was told failed: not in the chain, but pinned by hash.
  const pinned = new Map<string, string>();
  for (const s of scan.segments.values()) for (const link of s.header?.abandoned ?? []) pinned.set(link.name, link.sha256);
  for (const m of scan.manifests) for (const link of m.content.abandoned ?? []) pinned.set(link.name, link.sha256);
  const chained: ScannedSegment[] = [];
  for (const s of scan.segments.values()) {
    if (!s.header) continue;
    const pin = pinned.get(s.name);
    if (pin === undefined) chained.push(s);
    else if (pin === s.sha256)
      notes.push(
        `${s.name}: stored although its writer was told it failed (its deliveries were refused, so Meta sent them again); it matches the hash its writer kept`,
      );
    else breaks.push({ kind: "altered", what: s.name, detail: "does not match the SHA-256 its writer kept for it" });
  }

  // Referenced: named by a successor's header or listed in a manifest.
  const referenced = new Set<string>();
  for (const s of chained) {
    const { writer, seq, prev } = s.header!;
    if (!prev) {
      if (seq !== 1) breaks.push({ kind: "unreadable", what: s.name, detail: `segment ${seq} of writer ${writer} names no previous segment` });
      continue;
    }
    referenced.add(prev.name);
    if (!inRange(prev.name)) {
      entering.add(writer);
      continue;
    }
    const target = scan.segments.get(prev.name);
    if (!target) breaks.push({ kind: "missing", what: prev.name, detail: `named by ${s.name} as segment ${seq - 1} of writer ${writer}` });
    else if (target.sha256 !== prev.sha256) breaks.push({ kind: "altered", what: prev.name, detail: `does not match the SHA-256 that ${s.name} names` });
    else if (target.header?.writer !== writer || target.header.seq !== seq - 1)
      breaks.push({ kind: "inserted", what: prev.name, detail: `is not segment ${seq - 1} of writer ${writer}, yet ${s.name} names it` });
  }

  const manifestsByName = new Map(scan.manifests.map((m) => [m.name, m]));
  const sealed = new Map<string, { maxSeq: number; final: boolean; names: Set<string> }>();
  for (const m of scan.manifests) {
    const { writer } = m.content;
    const mine = sealed.get(writer) ?? { maxSeq: 0, final: false, names: new Set<string>() };
    sealed.set(writer, mine);
    if (m.content.final) mine.final = true;
    if (!m.name.includes(`/manifest-${writer}-`)) breaks.push({ kind: "inserted", what: m.name, detail: `claims writer ${writer}, which its name does not` });
    for (const listed of m.content.segments) {
      mine.names.add(listed.name);
      mine.maxSeq = Math.max(mine.maxSeq, listed.seq);
      const target = scan.segments.get(listed.name);
      if (!target) breaks.push({ kind: "missing", what: listed.name, detail: `listed by ${m.name}` });
      else if (target.sha256 !== listed.sha256) breaks.push({ kind: "altered", what: listed.name, detail: `does not match the SHA-256 that ${m.name} lists` });
    }
    const previous = m.content.previous;
    if (previous && inRange(previous.name)) {
      const target = manifestsByName.get(previous.name);
      if (!target) breaks.push({ kind: "missing", what: previous.name, detail: `named by ${m.name} as the previous manifest of writer ${writer}` });
      else if (target.sha256 !== previous.sha256)
        breaks.push({ kind: "altered", what: previous.name, detail: `does not match the SHA-256 that ${m.name} names` });
    }
  }

  const places = new Map<string, ScannedSegment[]>();
  for (const s of chained) places.set(`${s.header!.writer}#${s.header!.seq}`, [...(places.get(`${s.header!.writer}#${s.header!.seq}`) ?? []), s]);
  const unsealed = new Map<string, { segments: number; days: Set<string> }>();
  for (const s of chained) {
    const { writer, seq } = s.header!;
    const mine = sealed.get(writer);
    const claimants = places.get(`${writer}#${seq}`)!;
    const accounted = referenced.has(s.name) || mine?.names.has(s.name);
    if (claimants.length > 1 && !accounted) {
      breaks.push({
        kind: "inserted",
        what: s.name,
        detail: `claims to be segment ${seq} of writer ${writer}, which ${claimants.find((c) => c !== s)!.name} is`,
      });
    } else if (!mine?.names.has(s.name)) {
      if (mine && seq < mine.maxSeq)
        breaks.push({ kind: "inserted", what: s.name, detail: `not in the manifests of writer ${writer}, which sealed its later segments` });
      else if (mine?.final) breaks.push({ kind: "inserted", what: s.name, detail: `claims writer ${writer}, whose final manifest ended it before` });
      else {
        const entry = unsealed.get(writer) ?? { segments: 0, days: new Set<string>() };
        entry.segments++;
        entry.days.add(s.day);
        unsealed.set(writer, entry);
      }
    }
  }
  for (const writer of [...entering].sort()) notes.push(`writer ${writer}: its chain begins before ${from} (not followed)`);
  const legacy = [...scan.segments.values()].filter((s) => !s.header).length;
  if (legacy > 0) notes.push(`${legacy} segment(s) written before segments were chained: their lines are checked, their place cannot be`);
  return {
    breaks,
    unsealed: [...unsealed].map(([writer, u]) => ({ writer, segments: u.segments, days: [...u.days].sort() })).sort((a, b) => (a.writer < b.writer ? -1 : 1)),
    notes,
  };
}

function secretRuns(segments: readonly ScannedSegment[]): VerifyReport["secretRuns"] {
  const runs: Array<{ first: string; last: string; count: number; secrets: string }> = [];
  for (const s of [...segments].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const labels = [...s.secrets].sort().concat(s.unverified > 0 ? ["NO GIVEN SECRET"] : []);
    const secrets = labels.length > 0 ? labels.join(" + ") : "no signed delivery";
    const run = runs.at(-1);
    if (run && run.secrets === secrets && dayOfName(run.last) === s.day) {
      run.last = s.name;
      run.count++;
    } else runs.push({ first: s.name, last: s.name, count: 1, secrets });
  }
  return runs;
}
