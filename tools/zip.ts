/**
 * A minimal zip writer (no zip64): local headers, then the central directory. Entries are stored or
 * deflated (node:zlib), with a fixed timestamp so the same files give the same archive, and Unix
 * permissions so executables stay executable when App Service unpacks the deployment zip.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { crc32, deflateRawSync } from "node:zlib";

export interface ZipEntry {
  /** Path inside the archive, with forward slashes. */
  readonly name: string;
  readonly data: Buffer;
  /** Unix permission bits (default 0o644). */
  readonly mode?: number;
}

/** 1980-01-01 00:00, the earliest DOS date: every entry gets it. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const UTF8_NAMES = 0x0800;
const MAX_ENTRIES = 0xffff;
const MAX_OFFSET = 0xffffffff;

/** Writes `entries` to `path`, deflating each that shrinks when `deflate` is set. Returns the entry count. */
export function writeZip(path: string, entries: Iterable<ZipEntry>, options: { deflate?: boolean } = {}): number {
  const fd = openSync(path, "w");
  try {
    const centrals: Buffer[] = [];
    let offset = 0;
    const write = (buffer: Buffer) => {
      writeSync(fd, buffer);
      offset += buffer.length;
    };
    for (const entry of entries) {
      if (centrals.length / 2 >= MAX_ENTRIES) throw new Error(`more than ${MAX_ENTRIES} files: this writer has no zip64`);
      const name = Buffer.from(entry.name, "utf8");
      const crc = crc32(entry.data) >>> 0;
      const deflated = options.deflate ? deflateRawSync(entry.data) : undefined;
      const useDeflate = deflated !== undefined && deflated.length < entry.data.length;
      const body = useDeflate ? deflated : entry.data;
      const method = useDeflate ? 8 : 0;
      if (offset + body.length > MAX_OFFSET) throw new Error("archive larger than 4 GiB: this writer has no zip64");

      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(UTF8_NAMES, 6);
      local.writeUInt16LE(method, 8);
      local.writeUInt16LE(DOS_TIME, 10);
      local.writeUInt16LE(DOS_DATE, 12);
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(body.length, 18);
      local.writeUInt32LE(entry.data.length, 22);
      local.writeUInt16LE(name.length, 26);

      const central = Buffer.alloc(46);
      central.writeUInt32LE(0x02014b50, 0);
      central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the external attributes carry the mode
      central.writeUInt16LE(20, 6);
      central.writeUInt16LE(UTF8_NAMES, 8);
      central.writeUInt16LE(method, 10);
      central.writeUInt16LE(DOS_TIME, 12);
      central.writeUInt16LE(DOS_DATE, 14);
      central.writeUInt32LE(crc, 16);
      central.writeUInt32LE(body.length, 20);
      central.writeUInt32LE(entry.data.length, 24);
      central.writeUInt16LE(name.length, 28);
      central.writeUInt32LE(((0o100000 | (entry.mode ?? 0o644)) << 16) >>> 0, 38);
      central.writeUInt32LE(offset, 42);

      write(local);
      write(name);
      write(body);
      centrals.push(central, name);
    }
    const centralStart = offset;
    for (const buffer of centrals) write(buffer);
    const count = centrals.length / 2;
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(count, 8);
    end.writeUInt16LE(count, 10);
    end.writeUInt32LE(offset - centralStart, 12);
    end.writeUInt32LE(centralStart, 16);
    write(end);
    return count;
  } finally {
    closeSync(fd);
  }
}
