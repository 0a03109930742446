import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import path from "node:path";
import { z } from "zod/v4";
import {
  baseMessageSchema,
  describeIssues,
  idString,
  KNOWN_MESSAGE_TYPES,
  knownInboundMessageSchema,
  parseInboundMessage,
  webhookErrorSchema,
  type ParsedInboundMessage,
} from "../../../src/whatsapp/meta/message-schemas";
import { mapWebhookEnvelope } from "../../../src/whatsapp/meta/webhook-mapper";
import {
  groupsValueSchema,
  parseWebhookEnvelope,
  parseWebhookEnvelopeStrict,
  preferencesValueSchema,
  webhookContactSchema,
  webhookMetadataSchema,
  webhookStatusSchema,
  type WebhookChange,
} from "../../../src/whatsapp/meta/webhook-schema";
import { isEnvelopeShape, isMessagesValueShape } from "../../../src/whatsapp/meta/webhook-shape-check";
import { seededRandom } from "../../../tools/chaos/seeded-random";
import { loadMetaFixture, META_FIXTURES_DIR, metaFixtureNames } from "./meta-fixtures";

/**
 * The webhook envelope is read by hand where its shape holds and by zod otherwise, and each item is
 * validated once. Both must give exactly what one nested zod schema gave, which is rebuilt here as the
 * reference: every item schema inside a transform, and a message read by its base schema first.
 */
function referenceParseInboundMessage(raw: unknown): ParsedInboundMessage {
  const base = baseMessageSchema.safeParse(raw);
  if (!base.success) return { kind: "malformed", reason: describeIssues(base.error) };
  if (!KNOWN_MESSAGE_TYPES.has(base.data.type)) return { kind: "unknown_type", message: base.data };
  const known = knownInboundMessageSchema.safeParse(raw);
  if (!known.success) return { kind: "invalid", message: base.data, reason: describeIssues(known.error) };
  return { kind: "known", message: known.data };
}

function itemOf<S extends z.ZodType>(schema: S) {
  return z.unknown().transform((raw) => {
    const result = schema.safeParse(raw);
    return result.success ? { ok: true as const, value: result.data } : { ok: false as const, reason: describeIssues(result.error) };
  });
}

const referenceMessagesValue = z.looseObject({
  messaging_product: z.literal("whatsapp").optional(),
  metadata: webhookMetadataSchema,
  contacts: z.array(itemOf(webhookContactSchema)).optional(),
  messages: z.array(z.unknown().transform(referenceParseInboundMessage)).optional(),
  statuses: z.array(itemOf(webhookStatusSchema)).optional(),
  errors: z.array(itemOf(webhookErrorSchema)).optional(),
});

const referenceChange = z.looseObject({ field: z.string().min(1), value: z.unknown() }).transform((change): WebhookChange => {
  if (change.field === "user_preferences") {
    const prefs = preferencesValueSchema.safeParse(change.value);
    return prefs.success
      ? { kind: "preferences", field: "user_preferences", value: prefs.data }
      : { kind: "invalid", field: change.field, reason: describeIssues(prefs.error) };
  }
  if (change.field.startsWith("group_")) {
    const groups = groupsValueSchema.safeParse(change.value);
    return groups.success
      ? { kind: "groups", field: change.field, value: groups.data }
      : { kind: "invalid", field: change.field, reason: describeIssues(groups.error) };
  }
  if (change.field !== "messages") return { kind: "skipped", field: change.field };
  const value = referenceMessagesValue.safeParse(change.value);
  return value.success
    ? { kind: "messages", field: "messages", value: value.data as never }
    : { kind: "invalid", field: "messages", reason: describeIssues(value.error) };
});

const referenceEnvelope = z.looseObject({
  object: z.literal("whatsapp_business_account"),
  entry: z.array(z.looseObject({ id: idString, changes: z.array(referenceChange) })),
});

function referenceParse(json: unknown): { ok: true; envelope: unknown } | { ok: false; reason: string } {
  const result = referenceEnvelope.safeParse(json);
  return result.success ? { ok: true, envelope: result.data } : { ok: false, reason: describeIssues(result.error) };
}

/** Every fixture body: the 20 examples and the Groups API ones. */
function allFixtures(): Array<{ name: string; json: unknown }> {
  const groups = readdirSync(path.join(META_FIXTURES_DIR, "groups"))
    .filter((f) => f.endsWith(".json"))
    .map((f) => `groups/${f.slice(0, -5)}`);
  return [...metaFixtureNames(), ...groups].map((name) => ({ name, json: loadMetaFixture(name).json }));
}

type Json = unknown;
const REPLACEMENTS: readonly Json[] = [undefined, null, 0, -1, 1.5, "", "x", "whatsapp", true, [], {}, [{}], { x: 1 }];

/** Paths (keys from the root) of every value in `json`. */
function pathsOf(json: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(json)) json.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (json && typeof json === "object") for (const [k, v] of Object.entries(json)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

/** A copy of `json` with the value at `at` replaced (or, with `remove`, deleted / spliced out). */
function mutate(json: Json, at: ReadonlyArray<string | number>, replacement: Json, remove = false): Json {
  if (at.length === 0) return replacement;
  const [head, ...rest] = at;
  if (Array.isArray(json)) {
    const copy = [...json];
    if (remove && rest.length === 0) copy.splice(head as number, 1);
    else copy[head as number] = mutate(copy[head as number], rest, replacement, remove);
    return copy;
  }
  const copy = { ...(json as Record<string, Json>) };
  if (remove && rest.length === 0) delete copy[head as string];
  else copy[head as string] = mutate(copy[head as string], rest, replacement, remove);
  return copy;
}

/** Inside an item (`entry[].changes[].value.messages[]` and deeper) both paths run the same item schemas. */
const ITEM_DEPTH = 8;
const FEW_REPLACEMENTS: readonly Json[] = ["x"];

/**
 * The fixture, then one mutation at every path: each replacement, removal, and an added unknown key
 * (inside items, only a wrong type and a removal).
 */
function variantsOf(json: Json): Json[] {
  const out: Json[] = [json];
  for (const at of pathsOf(json)) {
    for (const replacement of at.length >= ITEM_DEPTH ? FEW_REPLACEMENTS : REPLACEMENTS) out.push(mutate(json, at, replacement));
    if (at.length > 0) out.push(mutate(json, at, undefined, true));
    if (at.length < ITEM_DEPTH) out.push(mutate(json, [...at, "zz_unknown"], "added"));
  }
  return out;
}

/** As `compareParses`; a failure names the variant (written out only then: the corpus is large). */
function assertSameParse(json: Json, label: string): boolean {
  try {
    return compareParses(json, label);
  } catch (err) {
    if (err instanceof assert.AssertionError) err.message += `\n  input: ${JSON.stringify(json).slice(0, 400)}`;
    throw err;
  }
}

function compareParses(json: Json, label: string): boolean {
  const before = JSON.stringify(json);
  const fast = parseWebhookEnvelope(json);
  const strict = parseWebhookEnvelopeStrict(json);
  const reference = referenceParse(json);
  assert.equal(JSON.stringify(json), before, `${label}: the input is left as it was`);
  assert.equal(fast.ok, reference.ok, label);
  assert.equal(strict.ok, reference.ok, label);
  if (!fast.ok || !strict.ok || !reference.ok) {
    assert.equal(fast.ok ? "" : fast.reason, reference.ok ? "" : reference.reason, label);
    assert.equal(strict.ok ? "" : strict.reason, reference.ok ? "" : reference.reason, label);
    return false;
  }
  assert.deepStrictEqual(fast.envelope, reference.envelope, label);
  assert.deepStrictEqual(strict.envelope, reference.envelope, label);
  // Same keys in the same order at every level (deepStrictEqual does not look at order).
  assert.equal(JSON.stringify(fast.envelope), JSON.stringify(reference.envelope), label);
  const mapped = mapWebhookEnvelope(fast.envelope, { receivedAt: 1_800_000_000 });
  const mappedReference = mapWebhookEnvelope(reference.envelope as never, { receivedAt: 1_800_000_000 });
  assert.deepStrictEqual(mapped, mappedReference, label);
  return true;
}

describe("webhook envelope: the hand-checked shape and single item validation give what one nested zod schema gave", () => {
  const fixtures = allFixtures();

  it("takes the hand-checked path for every fixture, and gives the same envelope, events and problems", () => {
    assert.ok(fixtures.length >= 40, `found ${fixtures.length} fixtures`);
    for (const { name, json } of fixtures) {
      assert.ok(isEnvelopeShape(json), `${name}: envelope shape`);
      for (const change of json.entry.flatMap((e) => e.changes)) {
        if (change.field === "messages") assert.ok(isMessagesValueShape(change.value), `${name}: messages value shape`);
      }
      assert.ok(assertSameParse(json, name), `${name} parses`);
    }
  });

  it("agrees on every single mutation of every fixture (wrong types, removed keys, unknown keys), accepted or refused", function () {
    this.timeout(120_000); // tens of thousands of parses: slow on a loaded machine
    let accepted = 0;
    let refused = 0;
    let byZodOnly = 0;
    for (const { name, json } of fixtures) {
      variantsOf(json).forEach((variant, i) => {
        if (assertSameParse(variant, `${name} variant ${i}`)) accepted++;
        else refused++;
        if (!isEnvelopeShape(variant)) byZodOnly++;
      });
    }
    // The corpus reaches both outcomes and both paths, so the comparison above is not vacuous.
    assert.ok(accepted > 500 && refused > 500 && byZodOnly > 500, `accepted ${accepted}, refused ${refused}, zod only ${byZodOnly}`);
  });

  it("agrees on random combinations of three mutations (seeded)", function () {
    this.timeout(60_000);
    const random = seededRandom(20260331);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    for (let n = 0; n < 1500; n++) {
      const { name, json } = pick(fixtures);
      let variant: Json = json;
      for (let k = 0; k < 3; k++) {
        const at = pick(pathsOf(variant));
        variant = random() < 0.2 && at.length > 0 ? mutate(variant, at, undefined, true) : mutate(variant, at, pick(REPLACEMENTS));
      }
      assertSameParse(variant, `${name} combination ${n}`);
    }
  });

  it("keeps the reading of one message: known, unknown type, unreadable payload, malformed", () => {
    const cases: unknown[] = [
      { id: "wamid.1", timestamp: "1", from: "1", type: "text", text: { body: "hi" } },
      { id: "wamid.2", timestamp: "1", from: "1", type: "hologram", hologram: {} },
      { id: "wamid.3", timestamp: "1", from: "1", type: "text", text: { body: 5 } },
      { id: "wamid.4", timestamp: "1", from: "1", type: "interactive", interactive: { type: "nope" } },
      { id: "", timestamp: "1", type: "text", text: { body: "hi" } },
      { timestamp: "x", type: "" },
      null,
      "text",
    ];
    for (const raw of cases) assert.deepStrictEqual(parseInboundMessage(raw), referenceParseInboundMessage(raw), JSON.stringify(raw));
    assert.deepEqual(
      cases.map((raw) => parseInboundMessage(raw).kind),
      ["known", "unknown_type", "invalid", "invalid", "malformed", "malformed", "malformed", "malformed"],
    );
  });
});
