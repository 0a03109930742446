import type { ContainerClient } from "@azure/storage-blob";
import type { DayManifest, WriterManifest } from "../../core/ports/webhook-journal";
import { daySealHash, folderOf, MANIFEST_NAME, SEGMENT_NAME, sha256Hex, type ManifestContent } from "./journal-format";

type Run = <T>(operation: string, action: (abortSignal: AbortSignal) => Promise<T>) => Promise<T>;

/** What a day's folder holds, from one listing (metadata included). */
export interface DayListing {
  readonly segments: ReadonlyArray<{ readonly name: string; readonly writer?: string; readonly size: number }>;
  readonly manifests: readonly string[];
  /** Blobs that are neither (reported by the verifier: nothing else belongs in the journal's folders). */
  readonly other: readonly string[];
}

/** Lists the folder of `day` (`YYYY-MM-DD`), names sorted. */
export async function listDayFolder(container: ContainerClient, day: string, run: Run): Promise<DayListing> {
  return run("journal.list", async (abortSignal) => {
    const segments: Array<{ name: string; writer?: string; size: number }> = [];
    const manifests: string[] = [];
    const other: string[] = [];
    for await (const item of container.listBlobsFlat({ prefix: folderOf(day), includeMetadata: true, abortSignal })) {
      if (SEGMENT_NAME.test(item.name)) {
        const writer = item.metadata?.["writer"];
        segments.push({ name: item.name, size: item.properties.contentLength ?? 0, ...(writer ? { writer } : {}) });
      } else if (MANIFEST_NAME.test(item.name)) manifests.push(item.name);
      else other.push(item.name);
    }
    const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    return { segments: segments.sort(byName), manifests: manifests.sort(), other: other.sort() };
  });
}

/** Downloads a blob; undefined when it does not exist. */
export async function downloadBlob(container: ContainerClient, name: string, run: Run): Promise<Buffer | undefined> {
  return run("journal.read", async (abortSignal) => {
    try {
      return await container.getBlobClient(name).downloadToBuffer(undefined, undefined, { abortSignal });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  });
}

/** Parses a manifest's bytes; undefined when they are not one. */
export function parseManifest(bytes: Buffer): ManifestContent | undefined {
  try {
    const value = JSON.parse(bytes.toString("utf8")) as ManifestContent;
    return value && value.kind === "manifest" && Array.isArray(value.segments) && typeof value.writer === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

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
