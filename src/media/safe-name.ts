import { createHash } from "node:crypto";

/**
 * A customer-supplied file name made safe to store and to put in a URL or a SharePoint path: no path
 * separators, control or bidi characters, no characters SharePoint refuses (`" * : < > ? / \ |`), no
 * leading dots or trailing dots/spaces, at most 120 characters (the extension kept). Never empty.
 */
export function safeFileName(name: string, fallback = "file"): string {
  const cleaned = name
    .normalize("NFC")
    .replace(/[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, "")
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
  return Array.from(cleaned.slice(0, cleaned.length - ext.length)).slice(0, 120 - ext.length).join("") + ext;
}

/** A contact's folder: a short hash of the contact key, so no phone number appears in paths or links. */
export function contactFolder(contact: string): string {
  return `customer-${createHash("sha256").update(contact).digest("hex").slice(0, 12)}`;
}

/** A stored file's name: a short hash of its message id first, so one message's file is always the same file. */
export function storedFileName(wamid: string, name: string): string {
  return `${createHash("sha256").update(wamid).digest("hex").slice(0, 8)}-${safeFileName(name)}`;
}
