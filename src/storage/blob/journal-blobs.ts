import type { ContainerClient } from "@azure/storage-blob";
import { createHash } from "node:crypto";
import { blobStatusOf } from "./blob-errors";
import { folderOf, MANIFEST_NAME, SEGMENT_NAME, type ManifestContent } from "./journal-format";

/** Runs a storage action with a deadline, translating failures into core errors (the journal's `run`). */
export type Run = <T>(operation: string, action: (abortSignal: AbortSignal) => Promise<T>) => Promise<T>;

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
      if (blobStatusOf(err) === 404) return undefined;
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
 * Creates a blob that must not exist yet. A 409/412 is our own create if the blob there has our bytes
 * (the SDK retried a create that had in fact succeeded); otherwise the name is taken by someone else's
 * blob, never overwritten: `nameOf` is asked again (a segment draws a new random suffix). `onUncertain`
 * hears of each name whose upload failed without an answer saying it did not happen.
 */
export async function createOnce(
  container: ContainerClient,
  run: Run,
  operation: string,
  nameOf: () => string,
  content: Buffer,
  contentType: string,
  metadata: Record<string, string>,
  onUncertain?: (name: string) => void,
): Promise<string> {
  const md5 = createHash("md5").update(content).digest();
  return run(operation, async (abortSignal) => {
    for (let attempt = 1; ; attempt++) {
      const name = nameOf();
      const blob = container.getBlockBlobClient(name);
      try {
        await blob.upload(content, content.byteLength, {
          abortSignal,
          conditions: { ifNoneMatch: "*" },
          metadata,
          blobHTTPHeaders: { blobContentType: contentType, blobContentMD5: md5 },
        });
        return name;
      } catch (err) {
        const status = blobStatusOf(err);
        if (status !== 409 && status !== 412) {
          if (status === undefined || status === 408 || status >= 500) onUncertain?.(name);
          throw err;
        }
        const existing = await blob.getProperties({ abortSignal });
        if (existing.contentMD5 && Buffer.from(existing.contentMD5).equals(md5)) return name;
        if (attempt >= 3) throw err;
      }
    }
  });
}
