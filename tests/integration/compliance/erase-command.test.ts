import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TableClient } from "@azure/data-tables";
import { paragraph } from "../../../src/core/formatted-text";
import {
  AadObjectId,
  contactKeyOf,
  groupKeyOf,
  TeamsChannelId,
  TeamsMessageId,
  TenantId,
  threadRefOf,
  WaGroupId,
  WaMessageId,
  WaPhone,
  WaUserId,
} from "../../../src/core/ids";
import { eventKeyOf, type WhatsAppEvent } from "../../../src/core/messages";
import { LocalMediaStore } from "../../../src/media";
import { startEmbeddedAzurite, type EmbeddedAzurite } from "../../../src/storage/azurite/embedded-azurite";
import { createTableStores, type TableStores } from "../../../src/storage/table/table-stores";
import { BUSINESS, customerText } from "../../fakes/world";
import { CaptureLogger } from "../../support/capture-logger";
import { runOperatorCommand } from "./operator-command";

const CHANNEL = TeamsChannelId("19:erase@thread.tacv2");
const address = { channelId: CHANNEL, tenantId: TenantId("t"), serviceUrl: "https://smba.trafficmanager.net/emea/" };
const GROUP = WaGroupId("Y2FwaV9ncm91cF9lcmFzZQ");
const maria = { phone: "5511987654321", userId: "BR.1873409921457730218", name: "Maria Souza" };
const john = { phone: "447700900123", userId: "GB.5550001112223334445", name: "John Smith" };
const keyOf = (c: typeof maria) => contactKeyOf(BUSINESS, { userId: WaUserId(c.userId), phone: WaPhone(c.phone) });

/** One customer's data in every table and in the media folder, the way the bridge writes it. */
async function seedCustomer(stores: TableStores, media: LocalMediaStore, c: typeof maria, root: string): Promise<void> {
  const contact = keyOf(c);
  await stores.conversations.reserve({
    contact,
    business: BUSINESS,
    state: "creating",
    userId: WaUserId(c.userId),
    phone: WaPhone(c.phone),
    profileName: c.name,
    createdAt: Date.now(),
    firstMessage: `Hello from ${c.name}`,
  });
  const thread = threadRefOf(CHANNEL, TeamsMessageId(root));
  await stores.conversations.activate(contact, { channelId: CHANNEL, thread, rootMessageId: TeamsMessageId(root) });
  const text = customerText(`Hi, this is ${c.name}`, { phone: c.phone, userId: c.userId, name: c.name, id: `wamid.in.${c.userId}` });
  const status: WhatsAppEvent = {
    type: "status",
    business: BUSINESS,
    id: WaMessageId(`wamid.out.${c.userId}`),
    state: "read",
    timestamp: 1_789_300_100,
    recipient: { phone: WaPhone(c.phone), userId: WaUserId(c.userId) },
    errors: [],
  };
  const inGroup = { ...customerText("in the group", { phone: c.phone, userId: c.userId, name: c.name, id: `wamid.grp.${c.userId}` }), group: GROUP };
  for (const event of [text, status, inGroup])
    await stores.inbox.record({ business: BUSINESS, key: eventKeyOf(event), event, state: "done", receivedAt: Date.now() });
  await stores.messages.put({
    business: BUSINESS,
    wamid: text.id,
    thread,
    teamsMessageId: TeamsMessageId(`${root}1`),
    contact,
    direction: "inbound",
    at: Date.now(),
  });
  await stores.messages.put({
    business: BUSINESS,
    wamid: status.id,
    thread,
    teamsMessageId: TeamsMessageId(`${root}2`),
    contact,
    direction: "outbound",
    at: Date.now(),
    author: AadObjectId("a1"),
    state: "read",
    excerpt: `Dear ${c.name}`,
  });
  await stores.outbox.create({
    business: BUSINESS,
    contact,
    thread,
    teamsMessageId: TeamsMessageId(`${root}2`),
    body: paragraph(`Dear ${c.name}`),
    state: "sent",
    attempts: 1,
    resends: 0,
    createdAt: Date.now(),
    updatedAt: Date.now(),
    owner: "web0",
    wamids: [status.id],
  });
  await media.keep({
    bytes: Buffer.from(`the photo of ${c.name}`),
    name: "photo.jpg",
    mimeType: "image/jpeg",
    channel: address,
    contact,
    wamid: WaMessageId(`wamid.img.${c.userId}`),
  });
}

describe("npm run erase (the command, against tables on Azurite and a local media folder)", function () {
  this.timeout(90_000);
  let azurite: EmbeddedAzurite;
  let mediaDir: string;
  let env: Record<string, string>;
  let stores: TableStores;

  before(async () => {
    azurite = await startEmbeddedAzurite({ logger: new CaptureLogger() });
    mediaDir = mkdtempSync(join(tmpdir(), "erase-media-"));
    env = { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString, MEDIA_LOCAL_DIR: mediaDir };
    // The bridge's default table names, as the command reads them.
    stores = await createTableStores({ connectionString: azurite.connectionString });
    await stores.links.put({ business: BUSINESS, channel: address, linkedBy: AadObjectId("admin"), linkedAt: 0, displayNumber: "+1 555-078-3881" });
    const media = new LocalMediaStore({ directory: mediaDir, publicBaseUrl: () => "http://127.0.0.1" });
    await seedCustomer(stores, media, maria, "1700000000001");
    await seedCustomer(stores, media, john, "1700000000002");
    // A group's conversation: Maria writes in it, but it is the group's record.
    await stores.conversations.reserve({
      contact: groupKeyOf(BUSINESS, GROUP),
      business: BUSINESS,
      state: "creating",
      createdAt: Date.now(),
      group: { id: GROUP, subject: "Book club" },
    });
  });
  after(async () => {
    await azurite?.stop();
    rmSync(mediaDir, { recursive: true, force: true });
  });

  /** Every row of every table of the bridge, as text. */
  async function everyRow(): Promise<string[]> {
    const rows: string[] = [];
    for (const table of Object.values(stores.tableNames)) {
      const client = TableClient.fromConnectionString(azurite.connectionString, table, { allowInsecureConnection: true });
      for await (const row of client.listEntities()) rows.push(`${table}: ${JSON.stringify(row)}`);
    }
    return rows;
  }
  /** Every file of the media folder, with its content. */
  function everyFile(dir = mediaDir): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? everyFile(path) : [`${path}: ${readFileSync(path, "latin1")}`];
    });
  }
  const traces = (texts: string[], c: typeof maria) => texts.filter((t) => [c.phone, c.userId, keyOf(c), c.name].some((needle) => t.includes(needle)));

  it("--dry-run counts what would go and changes nothing", async () => {
    const before = await everyRow();
    const run = await runOperatorCommand("erase", ["--contact", `+55 11 98765-4321`, "--dry-run"], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^Would erase the personal data of \*{8}4321 from the bridge's own storage: 1 conversation\(s\)\n {2}conversations 1, thread index 1, message map 4, inbox 3, outbox 1, media files 1\n/,
    );
    assert.deepEqual(await everyRow(), before);
  });

  it("erases the contact from every table and the media folder (found by phone, then by the BSUID the tables give), keeps everyone else, and says what it cannot remove and why", async () => {
    assert.ok(traces(await everyRow(), maria).length >= 10);
    assert.equal(traces(everyFile(), maria).length, 1);
    const run = await runOperatorCommand("erase", ["--contact", `+${maria.phone}`], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^Erased the personal data of \*{8}4321 from the bridge's own storage: 1 conversation\(s\)\n {2}conversations 1, thread index 1, message map 4, inbox 3, outbox 1, media files 1\n/,
    );
    assert.match(run.stdout, /The webhook journal \(container webhook-journal\).*firm's record \(SEC 17a-4, FINRA 4511, FCA SYSC 10A\)/);
    assert.match(run.stdout, /Teams: .*Microsoft Purview retention policies/);
    assert.doesNotMatch(run.stdout, /Still named/);
    assert.ok(!run.stdout.includes(maria.phone) && !run.stdout.includes(maria.userId));

    assert.deepEqual(traces(await everyRow(), maria), [], "no row holds her number, BSUID, key or name");
    assert.deepEqual(traces(everyFile(), maria), [], "no file of hers");
    assert.ok(traces(await everyRow(), john).length >= 10, "John's rows are all there");
    assert.equal(traces(everyFile(), john).length, 1);
    assert.equal((await stores.conversations.get(groupKeyOf(BUSINESS, GROUP)))?.group?.subject, "Book club", "the group's conversation stays");
    assert.ok(await stores.links.get(BUSINESS), "the link stays");
  });

  it("reports rows of other people that still name the contact, and refuses a business number or a too short id", async () => {
    await stores.conversations.update(keyOf(john), { profileName: `John (Maria's husband, ${maria.phone})` });
    const run = await runOperatorCommand("erase", ["--contact", maria.phone], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Still named in rows kept .*\n {2}bridgeconversations: 1 row\(s\)\n/);
    const business = await runOperatorCommand("erase", ["--contact", BUSINESS], env);
    assert.equal(business.code, 2);
    assert.match(business.stderr, /names one of the bridge's own business numbers/);
    const short = await runOperatorCommand("erase", ["--contact", "123"], env);
    assert.equal(short.code, 2);
    assert.match(short.stderr, /too short/);
  });
});
