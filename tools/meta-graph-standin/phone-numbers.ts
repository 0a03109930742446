import type { StandinPhoneNumber } from "./standin-types";

const DEFAULT_PAGE_SIZE = 25;

const cursorOf = (index: number) => Buffer.from(String(index)).toString("base64url");
function indexOf(cursor: string | null): number {
  if (!cursor) return 0;
  const n = Number(Buffer.from(cursor, "base64url").toString("utf8"));
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/**
 * One page of `GET /{waba}/phone_numbers` in Graph's cursor shape: `{ data, paging: { cursors: { before,
 * after }, next? } }`, honouring `limit`, `after` and `fields` (id is always included, as Graph does).
 */
export function listPhoneNumbersPage(numbers: readonly StandinPhoneNumber[], url: URL): object {
  const limit = Math.max(1, Math.min(Number(url.searchParams.get("limit")) || DEFAULT_PAGE_SIZE, 100));
  const start = indexOf(url.searchParams.get("after"));
  const fields = url.searchParams
    .get("fields")
    ?.split(",")
    .map((f) => f.trim())
    .filter((f) => f !== "");
  const page = numbers
    .slice(start, start + limit)
    .map((n) => (fields ? Object.fromEntries(Object.entries(n).filter(([key]) => key === "id" || fields.includes(key))) : { ...n }));
  const end = start + page.length;
  const paging: Record<string, unknown> = { cursors: { before: cursorOf(start), after: cursorOf(end) } };
  if (end < numbers.length) {
    const next = new URL(url.toString());
    next.searchParams.set("after", cursorOf(end));
    paging.next = next.toString();
  }
  return { data: page, ...(page.length > 0 ? { paging } : {}) };
}
