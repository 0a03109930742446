import type { Edm, TableEntityResult } from "@azure/data-tables";
import { PermanentError } from "../../core/errors";

/** An entity as read back from a table: properties of unknown types plus the service's metadata. */
export type StoredEntity = TableEntityResult<Record<string, unknown>>;

/**
 * A Table string property holds at most 64 KB of UTF-16, i.e. 32 K characters (docs/reliability.md, "Table storage limits").
 * Objects kept as JSON (an inbox event, a channel address) are checked before writing, so that an
 * oversized one fails with a clear PermanentError instead of the service's 400.
 */
export const MAX_JSON_PROPERTY_CHARS = 32 * 1024;

/** An inbox entry's `detail` is a diagnostic: longer ones are clipped rather than failing the state change. */
export const INBOX_DETAIL_MAX_CHARS = 4000;

/** `value` as a JSON string property; throws `storage.value_too_large` if it would not fit. */
export function toJsonProperty(operation: string, property: string, value: unknown): string {
  const json = JSON.stringify(value);
  if (json.length > MAX_JSON_PROPERTY_CHARS) {
    throw new PermanentError(
      "storage.value_too_large",
      `${operation}: ${property} is ${json.length} characters as JSON; a stored property holds at most ${MAX_JSON_PROPERTY_CHARS}`,
    );
  }
  return json;
}

/**
 * A number (epoch milliseconds, Unix seconds) as an explicit Edm.Double: without a type the service
 * would infer Edm.Int32, which cannot hold epoch milliseconds. Doubles hold integers exactly up to 2^53.
 */
export function toNumberProperty(value: number): Edm<"Double"> {
  return { value, type: "Double" };
}

/** The object without its `undefined` fields (the SDK would otherwise send them as null). */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Shortens `text` to at most `max` characters, marking the cut and never splitting a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}

/** Typed readers of stored properties; a row of the wrong shape is corrupt, not "missing". */
export class EntityReader {
  constructor(
    private readonly entity: StoredEntity,
    private readonly table: string,
  ) {}

  string(name: string): string {
    const value = this.entity[name];
    if (typeof value !== "string") throw this.corrupt(name);
    return value;
  }

  optionalString(name: string): string | undefined {
    const value = this.entity[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw this.corrupt(name);
    return value;
  }

  number(name: string): number {
    const value = this.optionalNumber(name);
    if (value === undefined) throw this.corrupt(name);
    return value;
  }

  optionalNumber(name: string): number | undefined {
    const value = this.entity[name];
    if (value === undefined || value === null) return undefined;
    // Integers written by other tools may come back as Int64 (a bigint).
    const n = typeof value === "bigint" ? Number(value) : value;
    if (typeof n !== "number" || !Number.isFinite(n)) throw this.corrupt(name);
    return n;
  }

  optionalBoolean(name: string): boolean | undefined {
    const value = this.entity[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "boolean") throw this.corrupt(name);
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.string(name);
    if (!(allowed as readonly string[]).includes(value)) throw this.corrupt(name);
    return value as T;
  }

  json<T>(name: string): T {
    const text = this.string(name);
    try {
      return JSON.parse(text) as T;
    } catch {
      // The parse error itself says nothing more useful than "corrupt" and may echo stored content.
      throw this.corrupt(name);
    }
  }

  private corrupt(name: string): PermanentError {
    return new PermanentError("storage.corrupt_entity", `a row of table ${this.table} has a missing or malformed property "${name}"`);
  }
}
