import { createHash } from "node:crypto";
import { neutraliseName } from "../core/neutralise-text";

/**
 * A customer-supplied file name made safe to store and to put in a URL or a SharePoint path: bidi
 * controls and invisible characters shown as markers (`invoice[U+202E]fdp.exe`, so the stored name
 * cannot pass for `invoiceexe.pdf` either; src/core/neutralise-text.ts), no path separators or control
 * characters, no characters SharePoint refuses (`" * : < > ? / \ |`), no leading dots or trailing
 * dots/spaces, at most 120 characters (the extension kept). Never empty.
 */
export function safeFileName(name: string, fallback = "file"): string {
  const cleaned = neutraliseName(name.normalize("NFC"))
    .replace(/["*:<>?/\\|#%]/g, "_")
    .replace(/\s+/g, " ")
    .replace(/^[.\s]+/, "")
    .replace(/[.\s]+$/, "")
    .trim();
  if (!cleaned) return fallback;
  const chars = Array.from(cleaned);
  if (chars.length <= 120) return cleaned;
  const dot = cleaned.lastIndexOf(".");
  const ext = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : "";
  return (
    Array.from(cleaned.slice(0, cleaned.length - ext.length))
      .slice(0, 120 - ext.length)
      .join("") + ext
  );
}

/** A contact's folder: a short hash of the contact key, so no phone number appears in paths or links. */
export function contactFolder(contact: string): string {
  return `customer-${createHash("sha256").update(contact).digest("hex").slice(0, 12)}`;
}

/** A stored file's name: a short hash of its message id first, so one message's file is always the same file. */
export function storedFileName(wamid: string, name: string): string {
  return `${createHash("sha256").update(wamid).digest("hex").slice(0, 8)}-${safeFileName(name)}`;
}
