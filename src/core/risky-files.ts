import { baseMimeType } from "./media-types";
import { neutralisePieces } from "./neutralise-text";

/**
 * Files from customers that can run code when opened: programs and scripts, documents with macros, disk
 * images (which carry programs past Windows' "downloaded from the internet" checks) and web pages. Such a
 * file is flagged in the thread and, by default, kept apart (docs/security.md, "Risky files from
 * customers"). Pure: the decision is made from the name, the declared and real types and, for SVG, the
 * bytes.
 */

/** What the bridge does with a risky file: see docs/security.md. The file is kept for the record in every case. */
export type RiskyFilePolicy = "quarantine" | "flag" | "block";

export interface RiskyFileSettings {
  readonly policy: RiskyFilePolicy;
  /** Extensions (lower case, no dot) treated as risky. */
  readonly extensions: ReadonlySet<string>;
}

/** Why an extension is risky, as staff read it after "its name ends in .xyz, ". */
export type RiskKind = "program" | "macro" | "disk-image" | "web-page";

const KIND_WORDS: Readonly<Record<RiskKind, string>> = {
  program: "a program or script that runs when opened",
  macro: "a document with macros (code that runs when it is opened)",
  "disk-image": "a disk image, which can carry programs past the checks Windows makes on downloaded files",
  "web-page": "a web page, which can run scripts when opened",
};

/** The default list, by kind; MEDIA_RISKY_EXTENSIONS replaces or adjusts it. */
export const RISKY_EXTENSIONS_BY_KIND: Readonly<Record<RiskKind, readonly string[]>> = {
  program: [
    "exe",
    "com",
    "scr",
    "pif",
    "cpl",
    "dll",
    "msi",
    "msp",
    "msix",
    "msixbundle",
    "appx",
    "appxbundle",
    "appinstaller",
    "bat",
    "cmd",
    "ps1",
    "psm1",
    "psd1",
    "vbs",
    "vbe",
    "js",
    "jse",
    "wsf",
    "wsh",
    "wsc",
    "hta",
    "jar",
    "jnlp",
    "sh",
    "bash",
    "command",
    "reg",
    "lnk",
    "scf",
    "inf",
    "chm",
    "msc",
    "apk",
  ],
  macro: ["docm", "dotm", "xlsm", "xltm", "xlam", "xla", "xll", "xlm", "xlsb", "pptm", "potm", "ppam", "ppsm", "sldm"],
  "disk-image": ["iso", "img", "vhd", "vhdx", "dmg"],
  "web-page": ["html", "htm", "xhtml", "xht", "shtml", "mht", "mhtml", "svg"],
};

export const DEFAULT_RISKY_EXTENSIONS: readonly string[] = Object.values(RISKY_EXTENSIONS_BY_KIND).flat();

export const DEFAULT_RISKY_FILES: RiskyFileSettings = { policy: "quarantine", extensions: new Set(DEFAULT_RISKY_EXTENSIONS) };

const KIND_OF_EXTENSION: ReadonlyMap<string, RiskKind> = new Map(
  (Object.entries(RISKY_EXTENSIONS_BY_KIND) as Array<[RiskKind, readonly string[]]>).flatMap(([kind, list]) => list.map((ext) => [ext, kind] as const)),
);

/** Declared types that name a risky kind of file, by the extension they stand for (the list decides). */
const RISKY_MIME: ReadonlyMap<string, string> = new Map([
  ["application/x-msdownload", "exe"],
  ["application/x-msdos-program", "exe"],
  ["application/x-dosexec", "exe"],
  ["application/vnd.microsoft.portable-executable", "exe"],
  ["application/x-executable", "exe"],
  ["application/x-msi", "msi"],
  ["application/x-ms-installer", "msi"],
  ["application/x-ms-shortcut", "lnk"],
  ["application/java-archive", "jar"],
  ["application/x-java-archive", "jar"],
  ["application/x-java-jnlp-file", "jnlp"],
  ["application/x-sh", "sh"],
  ["application/x-shellscript", "sh"],
  ["text/x-shellscript", "sh"],
  ["application/javascript", "js"],
  ["text/javascript", "js"],
  ["application/x-javascript", "js"],
  ["text/vbscript", "vbs"],
  ["application/x-bat", "bat"],
  ["application/hta", "hta"],
  ["application/vnd.android.package-archive", "apk"],
  ["application/x-iso9660-image", "iso"],
  ["application/x-cd-image", "iso"],
  ["application/x-apple-diskimage", "dmg"],
  ["application/x-raw-disk-image", "img"],
  ["text/html", "html"],
  ["application/xhtml+xml", "xhtml"],
  ["image/svg+xml", "svg"],
  ["message/rfc822", "mht"],
  ["multipart/related", "mht"],
]);
const MACRO_MIME = /macroenabled/i;

/** Declared types that say nothing about the file (so they never disagree with a name). */
const GENERIC_MIME = new Set(["application/octet-stream", "binary/octet-stream", "application/unknown", "application/binary", "application/x-download"]);

const WORD = ["application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"];
const EXCEL = ["application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"];
const POWERPOINT = ["application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation"];

/**
 * For common document and media extensions, the declared types that agree with them: generously (phones
 * declare an Office file by its family, old or new, or an OOXML one as the zip it is), so that only a
 * real disagreement is flagged.
 */
const AGREEING_MIME: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ["pdf", ["application/pdf", "application/x-pdf"]],
  ["doc", WORD],
  ["docx", [...WORD, "application/zip"]],
  ["xls", EXCEL],
  ["xlsx", [...EXCEL, "application/zip"]],
  ["ppt", POWERPOINT],
  ["pptx", [...POWERPOINT, "application/zip"]],
  ["txt", ["text/plain"]],
  ["csv", ["text/csv", "text/comma-separated-values", "text/plain", "application/csv", "application/vnd.ms-excel"]],
  ["jpg", ["image/jpeg", "image/jpg", "image/pjpeg"]],
  ["jpeg", ["image/jpeg", "image/jpg", "image/pjpeg"]],
  ["png", ["image/png"]],
  ["gif", ["image/gif"]],
  ["webp", ["image/webp"]],
  ["heic", ["image/heic", "image/heif"]],
  ["mp3", ["audio/mpeg", "audio/mp3"]],
  ["m4a", ["audio/mp4", "audio/x-m4a", "audio/aac"]],
  ["ogg", ["audio/ogg", "audio/opus"]],
  ["mp4", ["video/mp4", "audio/mp4"]],
  ["3gp", ["video/3gpp", "audio/3gpp"]],
  ["mov", ["video/quicktime"]],
  ["zip", ["application/zip", "application/x-zip-compressed", "application/x-zip"]],
]);

/** Markup in an SVG that can run script when the picture is opened in a browser. */
const SVG_ACTIVE = /<script\b|\bon[a-z]+\s*=|javascript:|<foreignobject\b|<iframe\b|<embed\b|<object\b|<use\b[^>]*href\s*=\s*["']?data:/i;

/** A file as the classification sees it. */
export interface FileFacts {
  /** The name as given (customer-supplied for documents). */
  readonly name: string;
  /** The type WhatsApp declared. */
  readonly declaredMime?: string;
  /** The type the bytes really are (magic bytes), when known. */
  readonly actualMime?: string;
  readonly bytes: Uint8Array;
}

export type RiskVerdict =
  | { readonly risky: false }
  /** `reasons`: one plain sentence each, for the thread. */
  | { readonly risky: true; readonly reasons: readonly string[] };

/**
 * The name as a person reads it, and as Windows treats it: hidden characters left out (they are shown as
 * markers elsewhere), trailing dots and spaces dropped. Its last extension, lower case, or "".
 */
function extensionsOf(name: string): { last: string; before: string; hidden: string[] } {
  const pieces = neutralisePieces(name);
  const hidden = pieces.filter((p) => p.hidden).map((p) => p.text);
  const visible = pieces
    .filter((p) => !p.hidden)
    .map((p) => p.text)
    .join("")
    .replace(/[.\s]+$/, "");
  const parts = visible.split(".");
  const ext = (s: string | undefined) => (s && parts.length > 1 && /^[a-z0-9]{1,16}$/i.test(s) ? s.toLowerCase() : "");
  return { last: ext(parts.at(-1)), before: parts.length > 2 ? ext(parts.at(-2)) : "", hidden };
}

/** Whether bytes that should be an SVG picture hold script (read as Latin-1: the markup is ASCII). */
function svgHasScript(bytes: Uint8Array): boolean {
  return SVG_ACTIVE.test(new TextDecoder("latin1").decode(bytes));
}

/** Why an extension is risky, in words; svg only when its bytes hold script. */
function extensionReason(ext: string, extensions: ReadonlySet<string>, facts: FileFacts): string | undefined {
  if (!ext || !extensions.has(ext)) return undefined;
  if (ext === "svg") return svgHasScript(facts.bytes) ? "its name ends in .svg, a picture that contains script" : undefined;
  const kind = KIND_OF_EXTENSION.get(ext);
  return `its name ends in .${ext}, ${kind ? KIND_WORDS[kind] : "a type of file your firm treats as risky"}`;
}

/**
 * Decides whether a customer's file is risky under `extensions`: by its real extension (after any
 * reversing or invisible characters, which are a reason of their own), by a declared or real type that
 * names a risky kind, or by a declared type that disagrees with its name.
 */
export function classifyFile(facts: FileFacts, extensions: ReadonlySet<string>): RiskVerdict {
  const reasons: string[] = [];
  const { last, before, hidden } = extensionsOf(facts.name);
  if (hidden.length > 0) reasons.push(`its name contains hidden or reversing characters (${hidden.join("")}) that can disguise what it is`);
  const byName = extensionReason(last, extensions, facts);
  if (byName) reasons.push(byName);
  if (byName && AGREEING_MIME.has(before)) reasons.push(`its name puts .${before} before the real extension, so that it looks like a .${before} file`);
  const declared = baseMimeType(facts.declaredMime);
  for (const mime of new Set([declared, baseMimeType(facts.actualMime)])) {
    if (!mime) continue;
    const standsFor = MACRO_MIME.test(mime) ? "docm" : RISKY_MIME.get(mime);
    if (!standsFor || !extensions.has(standsFor)) continue;
    // Already said by the name (.htm declared text/html).
    if (byName && KIND_OF_EXTENSION.get(standsFor) === KIND_OF_EXTENSION.get(last)) continue;
    if (standsFor === "svg" && !svgHasScript(facts.bytes)) continue;
    reasons.push(`its type is ${mime}, ${KIND_WORDS[KIND_OF_EXTENSION.get(standsFor) ?? "program"]}`);
  }
  const agreeing = AGREEING_MIME.get(last);
  if (declared && agreeing && !GENERIC_MIME.has(declared) && !agreeing.includes(declared)) {
    reasons.push(`WhatsApp declared it as ${declared}, which does not match its name (.${last})`);
  }
  return reasons.length > 0 ? { risky: true, reasons } : { risky: false };
}

/**
 * MEDIA_RISKY_EXTENSIONS: a comma-separated list that replaces the default (`exe,msi`), or changes it
 * (`+zip,-xlsb`: add zip, remove xlsb). Returns the extensions, or a problem in words.
 */
export function parseRiskyExtensions(value: string | undefined): { readonly extensions: ReadonlySet<string> } | { readonly problem: string } {
  const items = (value ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (items.length === 0) return { extensions: new Set(DEFAULT_RISKY_EXTENSIONS) };
  const bad = items.find((item) => !/^[+-]?\.?[a-z0-9]{1,16}$/.test(item));
  if (bad !== undefined) return { problem: `MEDIA_RISKY_EXTENSIONS has an entry that is not a file extension: ${bad.slice(0, 20)}` };
  const changes = items.filter((item) => item.startsWith("+") || item.startsWith("-"));
  const bare = (item: string) => item.replace(/^[+-]/, "").replace(/^\./, "");
  if (changes.length === 0) return { extensions: new Set(items.map(bare)) };
  if (changes.length !== items.length)
    return { problem: "MEDIA_RISKY_EXTENSIONS must either list extensions (replacing the default) or only +ext/-ext changes to the default, not both" };
  const extensions = new Set(DEFAULT_RISKY_EXTENSIONS);
  for (const item of items) item.startsWith("+") ? extensions.add(bare(item)) : extensions.delete(bare(item));
  return { extensions };
}
