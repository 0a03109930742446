/**
 * The envelope levels of a webhook (envelope, entry, change, a `messages` value and its metadata) checked
 * and copied by hand: the few type checks zod's shallow shapes in webhook-schema.ts make there, at a
 * fraction of their cost on every webhook. Each check answers true only where its zod shape would
 * accept the input; anything else goes to zod, which then says why. `copyLoose` builds what a zod
 * loose object returns: declared keys first, in declaration order, then the input's other keys.
 * tests/unit/whatsapp/webhook-fast-path.test.ts holds both paths to the same output.
 */

type Loose = Record<string, unknown>;

/** zod's own test for an object: not null, not an array. */
function isObject(value: unknown): value is Loose {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.length >= 1;
}

/** The keys a zod loose object declares, in declaration order, and which of them are optional. */
export interface DeclaredKeys {
  readonly names: readonly string[];
  readonly optional: readonly boolean[];
}

/**
 * A copy of `input` as a zod loose object declaring `keys` returns it: each declared key in order (an
 * optional one only if its value is defined or the key is present), then every other own key of the
 * input in the input's order. Values are not copied: zod returns `unknown` and primitive values as they are.
 */
export function copyLoose(input: Loose, keys: DeclaredKeys): Loose {
  const out: Loose = {};
  const { names, optional } = keys;
  for (let k = 0; k < names.length; k++) {
    const key = names[k]!;
    const value = input[key];
    if (!optional[k] || value !== undefined || key in input) out[key] = value;
  }
  for (const key of Object.keys(input)) {
    if (!names.includes(key)) out[key] = input[key];
  }
  return out;
}

/** True when `webhookEnvelopeShape` accepts `json`: object `whatsapp_business_account`, entries with an id, changes with a field. */
export function isEnvelopeShape(json: unknown): json is Loose & { entry: Array<Loose & { id: string; changes: Array<Loose & { field: string }> }> } {
  if (!isObject(json) || json.object !== "whatsapp_business_account" || !Array.isArray(json.entry)) return false;
  for (const entry of json.entry as unknown[]) {
    if (!isObject(entry) || !isNonEmptyString(entry.id) || !Array.isArray(entry.changes)) return false;
    for (const change of entry.changes as unknown[]) {
      if (!isObject(change) || !isNonEmptyString(change.field)) return false;
    }
  }
  return true;
}

function isOptionalArray(value: unknown): boolean {
  return value === undefined || Array.isArray(value);
}

/** True when the shallow `messages` value shape accepts `value` (metadata with a phone number id; arrays where given). */
export function isMessagesValueShape(value: unknown): value is Loose & { metadata: Loose } {
  if (!isObject(value)) return false;
  if (value.messaging_product !== undefined && value.messaging_product !== "whatsapp") return false;
  const metadata = value.metadata;
  if (!isObject(metadata) || !isNonEmptyString(metadata.phone_number_id)) return false;
  if (metadata.display_phone_number !== undefined && typeof metadata.display_phone_number !== "string") return false;
  return isOptionalArray(value.contacts) && isOptionalArray(value.messages) && isOptionalArray(value.statuses) && isOptionalArray(value.errors);
}
