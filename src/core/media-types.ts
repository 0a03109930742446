import type { MediaKind } from "./messages";

/**
 * Facts about media files the core decides with: Meta's size limits per type (docs/protocols.md A12) and
 * the real type of a file read from its first bytes ("magic bytes"), so that a file declared as an image
 * but holding a zip or an executable is caught (docs/security.md, adversarial case 33). Pure: no I/O.
 */

const MB = 1024 * 1024;

/** The largest file WhatsApp lets a customer send, per type (docs/protocols.md A12); anything larger is refused unread. */
export const MEDIA_SIZE_CAPS: Readonly<Record<MediaKind, number>> = {
  image: 5 * MB,
  audio: 16 * MB,
  video: 16 * MB,
  document: 100 * MB,
  // 100 KB static, 500 KB animated: the larger, since `animated` is the customer's word.
  sticker: 500 * 1024,
};

/** Images up to this size are also shown inline in the thread (older Teams guidance: 1 MB per picture). */
export const INLINE_IMAGE_MAX_BYTES = 1 * MB;

/** The MIME type without parameters, lower case: `audio/ogg; codecs=opus` → `audio/ogg`. */
export function baseMimeType(mimeType: string | undefined): string | undefined {
  const base = mimeType?.split(";")[0]?.trim().toLowerCase();
  return base || undefined;
}

const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0) =>
  bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);
const ascii = (text: string) => Array.from(text, (c) => c.charCodeAt(0));

/**
 * What the bytes really are, by their signature: a MIME type, `application/zip` for any zip container
 * (which includes .docx/.xlsx/.pptx), `application/x-cfb` for old Office files, `application/x-executable`
 * for Windows and Linux programs, `text/plain` for text without control bytes, or undefined when no
 * signature matches.
 */
export function sniffMediaType(bytes: Uint8Array): string | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) return "image/gif";
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return "image/webp";
  if (startsWith(bytes, ascii("%PDF-"))) return "application/pdf";
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return "application/zip";
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return "application/x-cfb";
  if (startsWith(bytes, ascii("MZ")) || startsWith(bytes, [0x7f, 0x45, 0x4c, 0x46])) return "application/x-executable";
  if (startsWith(bytes, ascii("OggS"))) return "audio/ogg";
  if (startsWith(bytes, ascii("#!AMR"))) return "audio/amr";
  if (startsWith(bytes, ascii("ID3"))) return "audio/mpeg";
  if (startsWith(bytes, ascii("ftyp"), 4)) {
    const brand = String.fromCharCode(...bytes.slice(8, 12));
    if (brand.startsWith("3g")) return "video/3gpp";
    if (brand.startsWith("M4A")) return "audio/mp4";
    return "video/mp4";
  }
  // MPEG audio frame sync (MP3) or ADTS (AAC): 11 / 12 set bits.
  if (bytes.length >= 2 && bytes[0] === 0xff && (bytes[1]! & 0xf6) === 0xf0) return "audio/aac";
  if (bytes.length >= 2 && bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0) return "audio/mpeg";
  if (looksLikeText(bytes)) return "text/plain";
  return undefined;
}

/** No NUL or other control bytes (tab, newlines, form feed and escape aside) in the first 4 KB. */
function looksLikeText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  const head = bytes.subarray(0, 4096);
  for (const b of head) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) return false;
  return true;
}

const OOXML = /^application\/vnd\.openxmlformats-officedocument\./;
const OLD_OFFICE = new Set(["application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"]);

/** The real types acceptable for a declared type; undefined when the declared type has no known signature. */
function acceptableFor(declared: string): ReadonlySet<string> | undefined {
  if (declared.startsWith("image/")) return new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);
  if (declared === "application/pdf") return new Set(["application/pdf"]);
  if (OOXML.test(declared) || declared === "application/zip") return new Set(["application/zip"]);
  if (OLD_OFFICE.has(declared)) return new Set(["application/x-cfb"]);
  if (declared.startsWith("audio/")) return new Set(["audio/ogg", "audio/amr", "audio/mpeg", "audio/aac", "audio/mp4", "video/mp4", "video/3gpp"]);
  if (declared.startsWith("video/")) return new Set(["video/mp4", "video/3gpp"]);
  if (declared === "text/plain") return new Set(["text/plain"]);
  return undefined;
}

/** The outcome of comparing a file's declared type with its bytes. */
export type TypeCheck = { readonly ok: true; readonly actual?: string } | { readonly ok: false; readonly actual?: string; readonly declared: string };

/**
 * Checks that the bytes are what the declared type says. A declared type this function knows a
 * signature for must match it; an executable never passes, whatever was declared; an unknown declared
 * type (a customer may send any document) passes unless the bytes are an executable.
 */
export function checkMediaType(declaredMime: string | undefined, bytes: Uint8Array): TypeCheck {
  const actual = sniffMediaType(bytes);
  const declared = baseMimeType(declaredMime) ?? "application/octet-stream";
  const withActual = actual ? { actual } : {};
  if (actual === "application/x-executable") return { ok: false, declared, ...withActual };
  const acceptable = acceptableFor(declared);
  if (!acceptable) return { ok: true, ...withActual };
  return actual !== undefined && acceptable.has(actual) ? { ok: true, actual } : { ok: false, declared, ...withActual };
}

const EXTENSION_OF: Readonly<Record<string, string>> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif",
  "audio/ogg": "ogg",
  "audio/mpeg": "mp3",
  "audio/aac": "aac",
  "audio/amr": "amr",
  "audio/mp4": "m4a",
  "video/mp4": "mp4",
  "video/3gpp": "3gp",
  "application/pdf": "pdf",
  "text/plain": "txt",
};

/**
 * A file name for media that has none (images, voice notes, …): `<kind>-<time>.<ext>`. Document names
 * come from the customer and are kept as given (the store makes them safe for its own storage).
 */
export function mediaFileName(kind: MediaKind, mimeType: string | undefined, timestampSeconds: number, given?: string): string {
  if (given && given.trim()) return given.trim();
  const ext = EXTENSION_OF[baseMimeType(mimeType) ?? ""] ?? "bin";
  const stamp = new Date(timestampSeconds * 1000)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${kind}-${stamp}.${ext}`;
}

/** Bytes as people read them: `812 B`, `23.4 KB`, `4.1 MB`. */
export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < MB) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / MB).toFixed(1)} MB`;
}
