import { PermanentError } from "../../core/errors";

/*
 * Rules the in-memory stores share with the Table stores, restated here because adapter folders may not
 * import each other (docs/architecture.md, "Layout"). The contract suite (tests/contract) checks both obey them alike.
 */

/**
 * A Table string property holds at most 64 KB of UTF-16, i.e. 32 K characters (docs/reliability.md, "Table storage limits").
 * Objects stored as JSON (an inbox event, a channel address) must fit, so the fake refuses what Azure would.
 */
export const MAX_JSON_PROPERTY_CHARS = 32 * 1024;

/** An inbox entry's `detail` is a diagnostic: longer ones are clipped rather than failing the state change. */
export const INBOX_DETAIL_MAX_CHARS = 4000;

/** Throws a PermanentError if `value` serialised as JSON would not fit one Table string property. */
export function assertStorableJson(operation: string, property: string, value: unknown): void {
  const length = JSON.stringify(value).length;
  if (length > MAX_JSON_PROPERTY_CHARS) {
    throw new PermanentError(
      "storage.value_too_large",
      `${operation}: ${property} is ${length} characters as JSON; a stored property holds at most ${MAX_JSON_PROPERTY_CHARS}`,
    );
  }
}

/**
 * A deep copy, so that callers never share objects with the store. Made through JSON on purpose: the
 * Table store keeps objects as JSON too, so `undefined` fields vanish here exactly as they do there.
 */
export function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The object without its `undefined` fields: an absent optional field and an undefined one are the same. */
export function definedFields<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Shortens `text` to at most `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  // Never leave half of a surrogate pair (an emoji) at the end.
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}

export { compareInboxEntries } from "../../core/bridge/scheduling/inbox-order";
