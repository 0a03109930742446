/**
 * Parsing untrusted webhook bodies without giving an attacker a lever (security-cases.md 16, 17):
 * nesting depth and item counts are checked on the raw bytes before `JSON.parse` allocates anything,
 * and prototype-related keys are dropped while parsing.
 */

export interface JsonLimits {
  /** Deepest allowed nesting of arrays/objects. Meta's webhooks nest about 8 deep. */
  readonly maxDepth: number;
  /** Most items allowed in one array or object. Meta batches at most 1,000 updates (A4). */
  readonly maxItems: number;
}

export const WEBHOOK_JSON_LIMITS: JsonLimits = { maxDepth: 64, maxItems: 5_000 };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;

/**
 * Scans JSON bytes (without parsing) and returns why they exceed `limits`, or undefined when they do not.
 * Works on UTF-8 bytes: every multi-byte sequence is ≥ 0x80, so it cannot be mistaken for punctuation.
 * Malformed JSON is not detected here; `JSON.parse` does that afterwards.
 */
export function findJsonLimitViolation(raw: Buffer, limits: JsonLimits): string | undefined {
  const commas = new Int32Array(limits.maxDepth + 2);
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (byte === BACKSLASH) escaped = true;
      else if (byte === QUOTE) inString = false;
      continue;
    }
    switch (byte) {
      case QUOTE:
        inString = true;
        break;
      case OPEN_ARRAY:
      case OPEN_OBJECT:
        depth++;
        if (depth > limits.maxDepth) return `JSON nested deeper than ${limits.maxDepth} levels`;
        commas[depth] = 0;
        break;
      case CLOSE_ARRAY:
      case CLOSE_OBJECT:
        if (depth > 0) depth--;
        break;
      case COMMA:
        if (depth > 0 && ++commas[depth]! >= limits.maxItems) return `JSON array or object with more than ${limits.maxItems} items`;
        break;
    }
  }
  return undefined;
}

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Parses untrusted JSON. Never throws. Keys `__proto__`, `constructor` and `prototype` are removed at
 * every level (no WhatsApp field has these names), so later object spreading or copying cannot reach
 * `Object.prototype`.
 */
export function parseUntrustedJson(raw: Buffer, limits: JsonLimits): { ok: true; value: unknown } | { ok: false; reason: string } {
  const violation = findJsonLimitViolation(raw, limits);
  if (violation) return { ok: false, reason: violation };
  try {
    const value: unknown = JSON.parse(raw.toString("utf8"), (key, v: unknown) => (FORBIDDEN_KEYS.has(key) ? undefined : v));
    return { ok: true, value };
  } catch (err) {
    // SyntaxError messages quote a few characters of the input: keep only the kind of error.
    return { ok: false, reason: err instanceof SyntaxError ? "malformed JSON" : "unreadable JSON" };
  }
}
