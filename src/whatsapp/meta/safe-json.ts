/**
 * Parsing untrusted webhook bodies without giving an attacker a lever (docs/security.md, adversarial cases 16 and 17):
 * nesting depth and item counts are checked on the raw bytes before `JSON.parse` allocates anything,
 * and prototype-related keys are dropped from what it returns.
 */

export interface JsonLimits {
  /** Deepest allowed nesting of arrays/objects. Meta's webhooks nest about 8 deep. */
  readonly maxDepth: number;
  /** Most items allowed in one array or object. Meta batches at most 1,000 updates (docs/protocols.md A4). */
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

let commasAtDepth = new Int32Array(WEBHOOK_JSON_LIMITS.maxDepth + 2);

/**
 * Scans JSON bytes (without parsing) and returns why they exceed `limits`, or undefined when they do not.
 * Works on UTF-8 bytes: every multi-byte sequence is ≥ 0x80, so it cannot be mistaken for punctuation.
 * Malformed JSON is not detected here; `JSON.parse` does that afterwards.
 */
export function findJsonLimitViolation(raw: Buffer, limits: JsonLimits): string | undefined {
  // Commas seen at each open depth. One array kept between calls (each level is zeroed when opened):
  // a typed array per call costs about as much as the whole scan. Safe to share: the scan never yields.
  if (commasAtDepth.length < limits.maxDepth + 2) commasAtDepth = new Int32Array(limits.maxDepth + 2);
  const commas = commasAtDepth;
  const length = raw.length;
  let depth = 0;
  for (let i = 0; i < length; i++) {
    const byte = raw[i];
    if (byte === QUOTE) {
      const end = closingQuoteOf(raw, i);
      // An unterminated string runs to the end: nothing after it counts, and JSON.parse refuses it.
      if (end === -1) return undefined;
      i = end;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      depth++;
      if (depth > limits.maxDepth) return `JSON nested deeper than ${limits.maxDepth} levels`;
      commas[depth] = 0;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      if (depth > 0) depth--;
    } else if (byte === COMMA) {
      if (depth > 0 && ++commas[depth]! >= limits.maxItems) return `JSON array or object with more than ${limits.maxItems} items`;
    }
  }
  return undefined;
}

/**
 * The index of the quote that closes the string opened at `open`, or -1. A quote is escaped when an odd
 * number of backslashes stands right before it (each pair is one escaped backslash). Found with
 * `indexOf`, which skips the string's other bytes natively.
 */
function closingQuoteOf(raw: Buffer, open: number): number {
  for (let at = raw.indexOf(QUOTE, open + 1); at !== -1; at = raw.indexOf(QUOTE, at + 1)) {
    let backslashes = 0;
    while (raw[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}

/**
 * Removes the keys `__proto__`, `constructor` and `prototype` from every object of a freshly parsed JSON
 * tree, in place. `JSON.parse` stores such keys as plain own properties (it never sets a prototype), so
 * dropping them afterwards leaves exactly what a reviver dropping them would: a reviver makes V8 take
 * its slow parser and costs several times the parse itself.
 */
function dropPrototypeKeys(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) dropPrototypeKeys(value[i]);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (key === "__proto__" || key === "constructor" || key === "prototype") delete record[key];
    else dropPrototypeKeys(record[key]);
  }
}

/**
 * Parses untrusted JSON. Never throws. Keys `__proto__`, `constructor` and `prototype` are removed at
 * every level (no WhatsApp field has these names), so later object spreading or copying cannot reach
 * `Object.prototype`.
 */
export function parseUntrustedJson(raw: Buffer, limits: JsonLimits): { ok: true; value: unknown } | { ok: false; reason: string } {
  const violation = findJsonLimitViolation(raw, limits);
  if (violation) return { ok: false, reason: violation };
  let value: unknown;
  try {
    value = JSON.parse(raw.toString("utf8"));
  } catch (err) {
    // SyntaxError messages quote a few characters of the input: keep only the kind of error.
    return { ok: false, reason: err instanceof SyntaxError ? "malformed JSON" : "unreadable JSON" };
  }
  dropPrototypeKeys(value);
  return { ok: true, value };
}
