import { AadObjectId, TeamsGroupId } from "../../core/ids";
import type { ComplianceChannel, ComplianceJob, ComplianceStore, JobProgress, StoredProgress } from "../../core/ports/compliance-store";
import { EntityReader, toJsonProperty, toNumberProperty, withoutUndefined } from "./entity-codec";
import { TableAccess } from "./table-access";
import { hasStatus } from "./table-errors";
import { tableClientFactory, type TableStoresOptions } from "./table-stores";

/** The one partition: a handful of rows (the channel, one per job), read one at a time. */
const PARTITION = "compliance";
const CHANNEL_ROW = "channel";
const jobRow = (job: ComplianceJob) => `job:${job}`;

/**
 * Compliance table (`<prefix>compliance`): PartitionKey `compliance`; RowKey `channel` holds the compliance
 * channel (its address as JSON), `job:<name>` each job's progress (JSON). Conditional writes use the
 * row's ETag (create for a first write: 409 means another writer was first; replace with If-Match:
 * 412 means it changed). No customer data: `npm run erase` has nothing to do here.
 */
export class TableComplianceStore implements ComplianceStore {
  constructor(private readonly table: TableAccess) {}

  /** Creates the table if it does not exist. */
  async initialize(): Promise<void> {
    await this.table.run(`initialize(${this.table.name})`, (options) => this.table.client.createTable(options));
  }

  async getChannel(): Promise<ComplianceChannel | undefined> {
    const row = await this.table.get("compliance.getChannel", PARTITION, CHANNEL_ROW);
    if (!row) return undefined;
    const r = new EntityReader(row, this.table.name);
    const teamGroupId = r.optionalString("teamGroupId");
    return {
      channel: r.json<ComplianceChannel["channel"]>("channel"),
      ...(teamGroupId === undefined ? {} : { teamGroupId: TeamsGroupId(teamGroupId) }),
      setBy: AadObjectId(r.string("setBy")),
      setAt: r.number("setAt"),
    };
  }

  async setChannel(channel: ComplianceChannel): Promise<ComplianceChannel | undefined> {
    const previous = await this.getChannel();
    await this.table.upsert(
      "compliance.setChannel",
      withoutUndefined({
        partitionKey: PARTITION,
        rowKey: CHANNEL_ROW,
        channelId: channel.channel.channelId,
        channel: toJsonProperty("compliance.setChannel", "channel", channel.channel),
        teamGroupId: channel.teamGroupId,
        setBy: channel.setBy,
        setAt: toNumberProperty(channel.setAt),
      }),
    );
    return previous;
  }

  async getProgress(job: ComplianceJob): Promise<StoredProgress | undefined> {
    const row = await this.table.get("compliance.getProgress", PARTITION, jobRow(job));
    if (!row) return undefined;
    return { progress: new EntityReader(row, this.table.name).json<JobProgress>("progress"), version: String(row.etag) };
  }

  async saveProgress(job: ComplianceJob, progress: JobProgress, expected: string | undefined): Promise<string | undefined> {
    const entity = { partitionKey: PARTITION, rowKey: jobRow(job), progress: toJsonProperty("compliance.saveProgress", "progress", progress) };
    return this.table.run("compliance.saveProgress", async (options) => {
      try {
        const written =
          expected === undefined
            ? await this.table.client.createEntity(entity, options)
            : await this.table.client.updateEntity(entity, "Replace", { ...options, etag: expected });
        return written.etag ?? (await this.table.client.getEntity(PARTITION, jobRow(job), options)).etag;
      } catch (err) {
        // Another writer was first (created it, or changed it since `expected` was read); or it was deleted.
        if (hasStatus(err, expected === undefined ? 409 : 412) || (expected !== undefined && hasStatus(err, 404))) return undefined;
        throw err;
      }
    });
  }
}

/** Builds the compliance store on its own table (`<prefix>compliance`) and creates the table. */
export async function createTableComplianceStore(options: TableStoresOptions): Promise<TableComplianceStore> {
  const name = `${options.tablePrefix ?? "bridge"}compliance`;
  const store = new TableComplianceStore(new TableAccess(tableClientFactory(options)(name), options.requestTimeoutMs ?? 15_000));
  await store.initialize();
  return store;
}
