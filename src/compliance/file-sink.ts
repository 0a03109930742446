import { createHash, type Hash } from "node:crypto";
import { closeSync, openSync, readSync, writeSync } from "node:fs";

/**
 * A file written front to back through a small buffer, hashing what it writes (SHA-256) and counting
 * bytes, so a manifest needs no second read and memory stays flat whatever the file's size.
 */
export class FileSink {
  private readonly fd: number;
  private readonly hash: Hash = createHash("sha256");
  private chunks: Buffer[] = [];
  private pending = 0;
  /** Bytes written so far (the offset of the next write). */
  bytes = 0;

  /** Creates `path`; refuses one that exists (an export never overwrites). */
  constructor(
    readonly path: string,
    private readonly flushAt = 256 * 1024,
  ) {
    this.fd = openSync(path, "wx");
  }

  /** Appends `text` (UTF-8); returns the offset it starts at and its length in bytes. */
  write(text: string): { offset: number; length: number } {
    const data = Buffer.from(text, "utf8");
    const offset = this.bytes;
    this.chunks.push(data);
    this.pending += data.length;
    this.bytes += data.length;
    if (this.pending >= this.flushAt) this.flush();
    return { offset, length: data.length };
  }

  /** Writes what is buffered, closes the file and returns its size and SHA-256 (hex). */
  close(): { bytes: number; sha256: string } {
    this.flush();
    closeSync(this.fd);
    return { bytes: this.bytes, sha256: this.hash.digest("hex") };
  }

  private flush(): void {
    if (this.pending === 0) return;
    const data = Buffer.concat(this.chunks, this.pending);
    this.hash.update(data);
    for (let at = 0; at < data.length;) at += writeSync(this.fd, data, at, data.length - at);
    this.chunks = [];
    this.pending = 0;
  }
}

/** Reads `length` bytes at `offset` of an open file, as UTF-8. */
export function readSlice(fd: number, offset: number, length: number): string {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, offset + done);
    if (n === 0) break;
    done += n;
  }
  return buffer.toString("utf8", 0, done);
}
