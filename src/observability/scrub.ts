/**
 * The log scrubber: a safety net under every log call (call sites should not pass secrets in the first
 * place). Works at any depth; whatever it cannot walk (too deep, circular) is replaced, never written raw.
 */

/** Field names whose values are never written, whatever their content (booleans excepted: `hadAuthorization`). */
const SECRET_KEYS =
  /authorization|token|secret|password|passwd|signature|^sig$|cookie|accountkey|apikey|api_key|privatekey|private_key|connectionstring|credential/i;
/** Keys whose digit runs are ids known not to be personal (business number ids, ports, counters...). */
const NOT_PERSONAL_KEYS = new Set(["business", "phoneNumberId", "status", "port", "durationMs", "count", "code", "metaCode", "timestamp", "pid", "time"]);

/** Token-like substrings of free text, each replaced by a marker. Order matters: the widest first. */
const TEXT_RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, "$1 [redacted]"],
  // A JWT (three base64url parts, the first a JSON header), or any three long base64url parts.
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, "[redacted jwt]"],
  [/\b[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\b/g, "[redacted]"],
  // name=value pairs in URLs and connection strings: ?access_token=…, &sig=…, AccountKey=…;
  [/\b([A-Za-z_.]*(?:token|secret|password|signature|sig|key))=[^&;\s"',]+/gi, "$1=[redacted]"],
];
/** A run of digits with the separators phone numbers are written with; masked when it holds 7 digits or more. */
const DIGIT_RUN = /\+?\d[\d ()-]*\d/g;
const MIN_PHONE_DIGITS = 7;
const MAX_DEPTH = 12;

/** Masks every digit but the last four of a phone-like run (`+55 11 98765-4321` → `************4321`). */
function maskPhones(text: string): string {
  return text.replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/\D/g, "").length;
    return digits < MIN_PHONE_DIGITS ? run : "*".repeat(Math.max(0, run.length - 4)) + run.slice(-4);
  });
}

/** Scrubs one string: token-like parts, then phone-like digit runs (unless the key is known not to be personal). */
export function scrubText(text: string, key?: string): string {
  let out = text;
  for (const [pattern, replacement] of TEXT_RULES) out = out.replace(pattern, replacement);
  return key !== undefined && NOT_PERSONAL_KEYS.has(key) ? out : maskPhones(out);
}

function scrub(value: unknown, key: string | undefined, depth: number, seen: WeakSet<object>): unknown {
  if (key !== undefined && SECRET_KEYS.test(key) && typeof value !== "boolean" && value !== undefined && value !== null) return "[redacted]";
  if (typeof value === "string") return scrubText(value, key);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return "[too deep]";
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  try {
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      return {
        name: value.name,
        message: scrubText(value.message, "message"),
        ...(typeof code === "string" || typeof code === "number" ? { code } : {}),
        ...(value.cause !== undefined ? { cause: scrub(value.cause, "cause", depth + 1, seen) } : {}),
      };
    }
    if (value instanceof Date) return value.toISOString();
    if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
    if (Array.isArray(value)) return value.map((v) => scrub(v, undefined, depth + 1, seen));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrub(v, k, depth + 1, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}

/** Scrubs secrets and phone-number-like values from log fields, at every depth. */
export function scrubFields(fields: Record<string, unknown>): Record<string, unknown> {
  return scrub(fields, undefined, 0, new WeakSet()) as Record<string, unknown>;
}
