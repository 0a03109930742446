import { PermanentError } from "../../core/errors";

/**
 * Table keys (PartitionKey, RowKey) may not contain `/`, `\`, `#`, `?` or control characters
 * (U+0000–U+001F, U+007F–U+009F), and hold at most 1,024 characters (docs/reliability.md, "Table storage limits"). wamids are
 * base64 (`/`, `+`, `=`) and other ids are opaque, so every key goes through `encodeKey`: the forbidden
 * characters and `%` itself become `%XX` (two upper-case hex digits, like URL escaping), everything else
 * is kept. The escaping is reversible (`decodeKey`) and injective, so two ids never share a key.
 */
// eslint-disable-next-line no-control-regex -- control characters are what Table keys may not hold
const ESCAPED = /[/\\#?%\u0000-\u001f\u007f-\u009f]/g;

/** Longest key Azure Table storage accepts. */
export const MAX_KEY_CHARS = 1024;

/**
 * Encodes `value` for use as (part of) a PartitionKey or RowKey, after an optional literal `prefix`
 * (e.g. `wa:`) that must itself be a valid key fragment. Throws a PermanentError if the result is longer
 * than a key may be.
 */
export function encodeKey(value: string, prefix = ""): string {
  const key = prefix + value.replace(ESCAPED, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
  if (key.length > MAX_KEY_CHARS) {
    throw new PermanentError("storage.key_too_long", `a storage key would be ${key.length} characters; at most ${MAX_KEY_CHARS} are allowed`);
  }
  return key;
}

/** Reverses `encodeKey` (without prefix). */
export function decodeKey(key: string): string {
  return key.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
