/**
 * Finished history for the history benchmark: what years of traffic leave in the tables. A contact's
 * history is its conversation (and thread index row), `INBOUND` customer messages (inbox entry `done`,
 * both message-map rows) and `REPLIES` staff replies (outbox row `sent`, both message-map rows with a
 * final status, and the `sent`, `delivered` and `read` status events as inbox entries `done`).
 *
 * Writing a million rows through the ports would take hours (an inbox entry alone is a transaction, a
 * read and two more transactions), so one such contact per business number is written through the
 * ports, its rows are read back as stored, and copies with fresh ids are written with the Table SDK in
 * batches of up to 100 per partition. The copies are the stores' own entities, ids substituted; a copy is
 * read back and compared (property names and types) with its template before the seeding counts.
 */
import { TableClient, type TableEntity, type TransactionAction } from "@azure/data-tables";
import { paragraph } from "../src/core/formatted-text";
import {
  AadObjectId,
  BusinessNumberId,
  contactKeyOf,
  TeamsChannelId,
  TeamsMessageId,
  threadRefOf,
  WaMessageId,
  WaPhone,
  type TeamsThreadRef,
} from "../src/core/ids";
import { eventKeyOf, type InboundMessage, type StatusEvent } from "../src/core/messages";
import type { Stores } from "../src/core/ports/stores";
import { encodeKey } from "../src/storage/table/keys";

/** Per contact. */
export const INBOUND = 20;
export const REPLIES = 10;
const STATUSES = ["sent", "delivered", "read"] as const;
/** Rows a contact's history leaves: conversation + thread index, 3 per inbound message, 6 per reply. */
export const ROWS_PER_CONTACT = 2 + 3 * INBOUND + 6 * REPLIES;

/** Ids of the template contact; each is replaced in keys and string properties of the copies. */
const TEMPLATE = {
  phone: "5500000000000",
  root: "1700000000000",
  inWamid: "wamid.TPLINBOUND",
  inTeams: "1700000000001",
  outWamid: "wamid.TPLOUTBOUND",
  outTeams: "1700000000002",
} as const;

type Stored = Record<string, { value: string; type: string } | string>;
interface TemplateRow {
  readonly table: string;
  readonly entity: Stored;
}
export interface SeedResult {
  readonly rows: number;
  readonly contacts: number;
  readonly seconds: number;
  readonly perTable: Readonly<Record<string, number>>;
}

/**
 * Writes one template contact per business number through the ports (done and final, as the bridge
 * leaves them). Both the empty and the seeded side get these, so both list the same numbers.
 */
export async function writeTemplates(stores: Stores, businesses: readonly string[], channelOf: (business: string) => string): Promise<void> {
  const now = Date.now();
  for (const id of businesses) {
    const business = BusinessNumberId(id);
    const contact = contactKeyOf(business, { phone: WaPhone(TEMPLATE.phone) });
    const channelId = TeamsChannelId(channelOf(id));
    const thread = threadRefOf(channelId, TeamsMessageId(TEMPLATE.root));
    await stores.conversations.reserve({
      contact,
      business,
      state: "creating",
      phone: WaPhone(TEMPLATE.phone),
      profileName: "Customer of long standing",
      createdAt: now,
    });
    await stores.conversations.activate(contact, { channelId, thread, rootMessageId: TeamsMessageId(TEMPLATE.root) });
    await stores.conversations.update(contact, { lastInboundAt: now });

    const message: InboundMessage = {
      type: "message",
      business,
      id: WaMessageId(TEMPLATE.inWamid),
      timestamp: Math.floor(now / 1000),
      contact: { key: contact, phone: WaPhone(TEMPLATE.phone), profileName: "Customer of long standing" },
      content: {
        kind: "text",
        body: paragraph("Good morning, could you tell me where my order is? It should have arrived yesterday."),
        raw: "Good morning, could you tell me where my order is? It should have arrived yesterday.",
      },
    };
    await settle(stores, { business, key: eventKeyOf(message), event: message, state: "pending", receivedAt: now });
    await stores.messages.put({
      business,
      wamid: message.id,
      thread,
      teamsMessageId: TeamsMessageId(TEMPLATE.inTeams),
      contact,
      direction: "inbound",
      at: now,
    });

    const author = AadObjectId("5a5a5a5a-0000-4000-8000-000000000057");
    const body = paragraph("It left our warehouse this morning and should be with you tomorrow. Sorry for the wait!");
    const created = await stores.outbox.create({
      business,
      contact,
      thread,
      teamsMessageId: TeamsMessageId(TEMPLATE.outTeams),
      author,
      body,
      state: "queued",
      attempts: 0,
      resends: 0,
      createdAt: now,
      updatedAt: now,
      owner: "bench",
    });
    if (!created.created) throw new Error("the template reply exists already");
    const sending = await stores.outbox.update(created.entry, { state: "sending", attempts: 1, updatedAt: now });
    if (!sending || !(await stores.outbox.update(sending, { state: "sent", wamids: [WaMessageId(TEMPLATE.outWamid)], updatedAt: now })))
      throw new Error("the template reply could not be marked sent");
    await stores.messages.put({
      business,
      wamid: WaMessageId(TEMPLATE.outWamid),
      thread,
      teamsMessageId: TeamsMessageId(TEMPLATE.outTeams),
      contact,
      direction: "outbound",
      at: now,
      author,
      state: "read",
      excerpt: "It left our warehouse this morning",
    });
    for (const state of STATUSES) {
      const status: StatusEvent = {
        type: "status",
        business,
        id: WaMessageId(TEMPLATE.outWamid),
        state,
        timestamp: Math.floor(now / 1000),
        recipient: { phone: WaPhone(TEMPLATE.phone) },
        errors: [],
      };
      await settle(stores, { business, key: eventKeyOf(status), event: status, state: "pending", receivedAt: now });
    }
  }
}

/** Records an inbox entry and takes it through `posting` to `done`, as processing does. */
async function settle(stores: Stores, entry: Parameters<Stores["inbox"]["record"]>[0]): Promise<void> {
  if ((await stores.inbox.record(entry)) !== "created") throw new Error(`the template entry ${entry.key} exists already`);
  await stores.inbox.setState(entry.business, entry.key, "posting");
  await stores.inbox.setState(entry.business, entry.key, "done");
}

/** Writes copies of the templates until about `rows` rows exist; the template contacts count too. */
export async function seedHistory(
  connectionString: string,
  prefix: string,
  businesses: readonly string[],
  channelOf: (business: string) => string,
  rows: number,
): Promise<SeedResult> {
  const started = performance.now();
  const client = (table: string) => TableClient.fromConnectionString(connectionString, `${prefix}${table}`, { allowInsecureConnection: true });
  const tables = {
    inbox: client("inbox"),
    messages: client("messages"),
    outbox: client("outbox"),
    conversations: client("conversations"),
    threads: client("threads"),
  };
  const writer = new BatchWriter(tables, 4);
  const contacts = Math.max(0, Math.ceil(rows / ROWS_PER_CONTACT) - businesses.length);
  const templates = new Map<string, TemplateGroups>();
  for (const business of businesses) templates.set(business, groupsOf(await readTemplates(tables, business, channelOf(business))));

  for (let n = 0; n < contacts; n++) {
    const business = businesses[n % businesses.length]!;
    const groups = templates.get(business)!;
    const contactIds = { phone: `55${String(100_000_000_000 + n)}`, root: String(1_800_000_000_000 + n) };
    const perContact: Array<readonly [string, string]> = [
      [TEMPLATE.phone, contactIds.phone],
      [TEMPLATE.root, contactIds.root],
    ];
    for (const row of groups.contact) writer.add(row.table, substitute(row.entity, perContact));
    for (let i = 0; i < INBOUND; i++) {
      const ids = [...perContact, [TEMPLATE.inWamid, `wamid.HIST${n}I${i}`], [TEMPLATE.inTeams, String(1_900_000_000_000 + n * 100 + i)]] as const;
      for (const row of groups.inbound) writer.add(row.table, substitute(row.entity, ids));
    }
    for (let i = 0; i < REPLIES; i++) {
      const ids = [...perContact, [TEMPLATE.outWamid, `wamid.HIST${n}O${i}`], [TEMPLATE.outTeams, String(1_900_000_000_000 + n * 100 + 50 + i)]] as const;
      for (const row of groups.reply) writer.add(row.table, substitute(row.entity, ids));
    }
    // A contact's thread partitions are complete: write them out now (the number partitions fill up to 100).
    writer.flushPartitionsOf((partition) => partition.includes(contactIds.root) || partition.includes(contactIds.phone));
    await writer.backpressure();
  }
  writer.flushAll();
  await writer.done();
  const perTable = { ...writer.written };
  for (const groups of templates.values())
    for (const row of [...groups.contact, ...groups.inbound, ...groups.reply]) perTable[row.table] = (perTable[row.table] ?? 0) + 1;
  await checkCopy(tables.inbox, templates.get(businesses[0]!)!.inbound.find((r) => r.table === "inbox")!.entity, contacts > 0 ? businesses[0]! : undefined);
  return {
    rows: Object.values(perTable).reduce((a, b) => a + b, 0),
    contacts: contacts + businesses.length,
    seconds: (performance.now() - started) / 1000,
    perTable,
  };
}

/** The template contact's rows of one business, as stored (types kept: read with type conversion off). */
async function readTemplates(tables: Record<string, TableClient>, business: string, channel: string): Promise<TemplateRow[]> {
  const contact = `${business}|${TEMPLATE.phone}`;
  const thread = threadRefOf(TeamsChannelId(channel), TeamsMessageId(TEMPLATE.root)) as TeamsThreadRef;
  const keys: Array<[string, string, string]> = [
    ["conversations", encodeKey(contact), "conversation"],
    ["threads", encodeKey(thread), "thread"],
    ["inbox", encodeKey(business), encodeKey(`msg:${TEMPLATE.inWamid}`)],
    ...STATUSES.map((s): [string, string, string] => ["inbox", encodeKey(business), encodeKey(`status:${TEMPLATE.outWamid}:${s}`)]),
    ["messages", encodeKey(business), encodeKey(TEMPLATE.inWamid, "wa:")],
    ["messages", encodeKey(thread), encodeKey(TEMPLATE.inTeams, "teams:")],
    ["messages", encodeKey(business), encodeKey(TEMPLATE.outWamid, "wa:")],
    ["messages", encodeKey(thread), encodeKey(TEMPLATE.outTeams, "teams:")],
    ["outbox", encodeKey(thread), encodeKey(TEMPLATE.outTeams)],
  ];
  return Promise.all(
    keys.map(async ([table, pk, rk]) => ({ table, entity: stored(await tables[table]!.getEntity<Stored>(pk, rk, { disableTypeConversion: true })) })),
  );
}

/** Keys and typed properties, without the service's metadata. */
function stored(entity: Record<string, unknown>): Stored {
  const out: Stored = {};
  for (const [name, value] of Object.entries(entity)) {
    if (name === "etag" || name === "timestamp" || name.startsWith("odata.")) continue;
    out[name] = value as Stored[string];
  }
  return out;
}

interface TemplateGroups {
  /** Copied once per contact: conversation and thread index. */
  readonly contact: readonly TemplateRow[];
  /** Copied per customer message: inbox entry and both message-map rows. */
  readonly inbound: readonly TemplateRow[];
  /** Copied per staff reply: outbox row, both message-map rows, three status entries. */
  readonly reply: readonly TemplateRow[];
}

/** Sorts the template rows by what they belong to; each in exactly one group (a row in two would be copied twice). */
function groupsOf(rows: readonly TemplateRow[]): TemplateGroups {
  const inbound = rows.filter((r) => mentions(r.entity, TEMPLATE.inWamid) || mentions(r.entity, TEMPLATE.inTeams));
  const reply = rows.filter((r) => mentions(r.entity, TEMPLATE.outWamid) || mentions(r.entity, TEMPLATE.outTeams));
  const contact = rows.filter((r) => !inbound.includes(r) && !reply.includes(r));
  if (contact.length !== 2 || inbound.length !== 3 || reply.length !== 6 || inbound.some((r) => reply.includes(r))) {
    throw new Error(`the template rows do not split into contact (2), inbound (3) and reply (6): ${contact.length}, ${inbound.length}, ${reply.length}`);
  }
  return { contact, inbound, reply };
}

function mentions(entity: Stored, id: string): boolean {
  return Object.values(entity).some((v) => (typeof v === "string" ? v : v.value).includes(id));
}

/** A copy with the ids replaced, in the SDK's write form (numbers typed as the template had them). */
function substitute(entity: Stored, ids: ReadonlyArray<readonly [string, string]>): TableEntity<Record<string, unknown>> {
  const swap = (text: string) => ids.reduce((t, [from, to]) => t.split(from).join(to), text);
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(entity)) {
    if (typeof raw === "string") out[name] = swap(raw);
    else out[name] = writable(raw, swap);
  }
  return out as TableEntity<Record<string, unknown>>;
}

function writable(value: { value: string; type: string }, swap: (text: string) => string): unknown {
  switch (value.type) {
    case "String":
      return swap(value.value);
    case "Boolean":
      return value.value === "true";
    case "Int32":
      return Number(value.value);
    case "Double":
      return { value: Number(value.value), type: "Double" };
    case "Int64":
      return { value: value.value, type: "Int64" };
    default:
      throw new Error(`a template property of type ${value.type}: the seeding does not copy it`);
  }
}

/** A copy reads back with the template's property names and types (else the seeded history is not the stores'). */
async function checkCopy(inbox: TableClient, template: Stored, business: string | undefined): Promise<void> {
  if (business === undefined) return;
  const shape = (e: Record<string, unknown>) =>
    Object.entries(stored(e))
      .map(([k, v]) => `${k}:${typeof v === "string" ? "key" : v.type}`)
      .sort()
      .join(",");
  for await (const copy of inbox.listEntities<Record<string, unknown>>({
    queryOptions: { filter: `PartitionKey eq '${encodeKey(business)}' and RowKey ge 'msg:wamid.HIST' and RowKey lt 'msg:wamid.HISU'` },
    disableTypeConversion: true,
  })) {
    if (shape(copy) !== shape(template)) throw new Error(`a seeded inbox row differs from the stores' own:\n  ${shape(copy)}\n  ${shape(template)}`);
    return;
  }
  throw new Error("no seeded inbox row found");
}

/** Groups rows by table and partition into transactions of up to 100, with a few in flight. */
class BatchWriter {
  readonly written: Record<string, number> = {};
  private readonly pending = new Map<string, { table: string; partition: string; rows: TableEntity<Record<string, unknown>>[] }>();
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;

  constructor(
    private readonly tables: Record<string, TableClient>,
    private readonly maxInFlight: number,
  ) {}

  add(table: string, entity: TableEntity<Record<string, unknown>>): void {
    const key = `${table}\u0000${entity.partitionKey}`;
    const slot = this.pending.get(key) ?? { table, partition: entity.partitionKey, rows: [] };
    slot.rows.push(entity);
    this.pending.set(key, slot);
    if (slot.rows.length === 100) this.flush(key);
  }

  flushPartitionsOf(which: (partition: string) => boolean): void {
    for (const [key, slot] of this.pending) if (which(slot.partition)) this.flush(key);
  }

  flushAll(): void {
    for (const key of [...this.pending.keys()]) this.flush(key);
  }

  async backpressure(): Promise<void> {
    while (this.inFlight.size >= this.maxInFlight) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
  }

  async done(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }

  private flush(key: string): void {
    const slot = this.pending.get(key);
    this.pending.delete(key);
    if (!slot || slot.rows.length === 0) return;
    const client = this.tables[slot.table]!;
    const write =
      slot.rows.length === 1
        ? client.createEntity(slot.rows[0]!).then(() => undefined)
        : client.submitTransaction(slot.rows.map((row): TransactionAction => ["create", row])).then(() => undefined);
    const tracked: Promise<void> = write
      .then(
        () => {
          this.written[slot.table] = (this.written[slot.table] ?? 0) + slot.rows.length;
        },
        (err: unknown) => {
          this.failure ??= err;
        },
      )
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}
