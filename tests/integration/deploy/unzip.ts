import { createWriteStream, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import yauzl from "yauzl";

/**
 * Unpacks `zipPath` into `dest` with yauzl (an unzipper independent of the writer under test, which
 * rejects unsafe names and wrong sizes), checking each file's CRC-32 too and keeping its Unix mode.
 * Resolves with the number of files written.
 */
export function unzip(zipPath: string, dest: string): Promise<number> {
  return new Promise((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true }, (openError, zip) => {
      if (openError || !zip) return reject(openError ?? new Error("no zip"));
      let files = 0;
      zip.on("error", reject);
      zip.on("end", () => resolve(files));
      zip.on("entry", (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith("/")) return zip.readEntry();
        const target = join(dest, entry.fileName);
        mkdirSync(dirname(target), { recursive: true });
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error("no stream"));
          let crc = 0;
          stream.on("data", (chunk: Buffer) => {
            crc = crc32(chunk, crc);
          });
          const mode = (entry.externalFileAttributes >>> 16) & 0o777;
          stream
            .pipe(createWriteStream(target, { mode: mode || 0o644 }))
            .on("error", reject)
            .on("finish", () => {
              if (crc >>> 0 !== entry.crc32) return reject(new Error(`CRC-32 mismatch for ${entry.fileName}`));
              files += 1;
              zip.readEntry();
            });
        });
      });
      zip.readEntry();
    });
  });
}
