/**
 * Scripted misbehaviour of the stand-in's media download URL, for the bridge's failure tests: an error
 * status, a redirect (which the bridge must not follow), or a slow answer.
 */
export type MediaDownloadFault = { readonly status: number; readonly body?: string } | { readonly redirectTo: string } | { readonly delayMs: number };

/** The queue of faults: each download takes the next one, if any. */
export class MediaFaults {
  private readonly queue: MediaDownloadFault[] = [];
  /** Download requests seen, faulty or not. */
  downloads = 0;

  add(fault: MediaDownloadFault, times: number): void {
    for (let i = 0; i < times; i++) this.queue.push(fault);
  }

  /** Counts a download and takes its fault. */
  take(): MediaDownloadFault | undefined {
    this.downloads++;
    return this.queue.shift();
  }

  reset(): void {
    this.queue.length = 0;
    this.downloads = 0;
  }
}

/** The answer for a status or redirect fault (a delay fault answers normally, later). */
export function faultAnswer(fault: MediaDownloadFault): { status: number; body: string; headers: Record<string, string> } | undefined {
  if ("redirectTo" in fault) return { status: 302, body: "", headers: { location: fault.redirectTo } };
  if ("status" in fault) return { status: fault.status, body: fault.body ?? "media host failure", headers: { "content-type": "text/plain; charset=utf-8" } };
  return undefined;
}
