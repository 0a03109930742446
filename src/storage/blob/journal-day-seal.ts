import type { ContainerClient } from "@azure/storage-blob";
import type { DayManifest, WriterManifest } from "../../core/ports/webhook-journal";
import { downloadBlob, listDayFolder, parseManifest, type Run } from "./journal-blobs";
import { daySealHash, MANIFEST_NAME, sha256Hex } from "./journal-format";

/**
 * The seal of one day as stored now: every manifest in its folder (hashed as stored) and the segments no
 * manifest lists, by writer. Undefined when the folder has no manifest.
 */
export async function readDaySeal(container: ContainerClient, day: string, run: Run): Promise<DayManifest | undefined> {
  const listing = await listDayFolder(container, day, run);
  if (listing.manifests.length === 0) return undefined;
  const manifests: WriterManifest[] = [];
  const covered = new Set<string>();
  for (const name of listing.manifests) {
    const bytes = await downloadBlob(container, name, run);
    if (!bytes) continue;
    const content = parseManifest(bytes);
    for (const segment of content?.segments ?? []) covered.add(segment.name);
    manifests.push({
      name,
      writer: content?.writer ?? MANIFEST_NAME.exec(name)?.[1] ?? "?",
      sha256: sha256Hex(bytes),
      segments: content?.segments.length ?? 0,
      entries: (content?.segments ?? []).reduce((sum, s) => sum + (s.entries ?? 0), 0),
    });
  }
  const unsealed = new Map<string, number>();
  for (const segment of listing.segments) {
    if (covered.has(segment.name)) continue;
    const writer = segment.writer ?? "(written before segments were chained)";
    unsealed.set(writer, (unsealed.get(writer) ?? 0) + 1);
  }
  return {
    day,
    sha256: daySealHash(manifests),
    manifests,
    unsealed: [...unsealed].map(([writer, segments]) => ({ writer, segments })).sort((a, b) => (a.writer < b.writer ? -1 : 1)),
  };
}
