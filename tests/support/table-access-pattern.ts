import type { RecordedRequest } from "./table-request-recorder";

/**
 * Judges a recorded Table request by how it finds its rows. Reading by key is what keeps the bridge's
 * cost independent of its history (docs/benchmarks.md, "History"): a point read or write names
 * PartitionKey and RowKey; a batch is a set of such writes in one partition; a query must name one
 * partition (`PartitionKey eq '…'` as a top-level conjunct) and may narrow it by RowKey only. A filter on
 * any other property makes the service read every row of the partition or table and test it.
 */
export type Access =
  | { readonly kind: "point"; readonly table: string }
  | { readonly kind: "insert"; readonly table: string }
  | { readonly kind: "batch"; readonly operations: number }
  | { readonly kind: "partition-query"; readonly table: string; readonly partition: string }
  | { readonly kind: "create-table" }
  | { readonly kind: "scan"; readonly why: string };

/** The node shapes of Azurite's `$filter` parser (see `parseFilter`). */
interface FilterNode {
  readonly name: string;
  readonly identifier?: string;
  readonly value?: unknown;
  readonly left?: FilterNode;
  readonly right?: FilterNode;
}

/**
 * Azurite's recursive descent parser of the Table service's `$filter` syntax, the one Azurite evaluates
 * queries with (azurite 3.37.0, a development dependency; not part of its public API, so the path is
 * pinned with the version: an upgrade that moves it fails here loudly, never silently).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a module path inside Azurite, not a typed entry point
const parseFilter = (require("azurite/dist/src/table/persistence/QueryInterpreter/QueryParser") as { default: (filter: string) => FilterNode }).default;

const KEYED = /^\/[^/]+\/([A-Za-z][A-Za-z0-9]*)\(PartitionKey='(?:[^']|'')*',RowKey='(?:[^']|'')*'\)$/;
const TABLE = /^\/[^/]+\/([A-Za-z][A-Za-z0-9]*)$/;
const TABLE_QUERY = /^\/[^/]+\/([A-Za-z][A-Za-z0-9]*)\(\)$/;
const KEY_PROPERTIES = new Set(["PartitionKey", "RowKey"]);

export function judge(request: Pick<RecordedRequest, "method" | "path" | "filter" | "batch">): Access {
  const { method, path } = request;
  if (path.endsWith("/$batch")) return judgeBatch(request.batch ?? []);
  if (/^\/[^/]+\/Tables$/.test(path) && method === "POST") return { kind: "create-table" };
  if (/^\/[^/]+\/Tables\b/.test(path)) return { kind: "scan", why: `${method} on the table list` };
  const keyed = KEYED.exec(path);
  if (keyed) return { kind: "point", table: keyed[1]! };
  const table = TABLE.exec(path);
  if (table && method === "POST") return { kind: "insert", table: table[1]! };
  const query = TABLE_QUERY.exec(path) ?? (method === "GET" ? table : null);
  if (query && method === "GET") return judgeQuery(query[1]!, request.filter);
  return { kind: "scan", why: `unrecognised request ${method} ${path}` };
}

/** Every operation of a batch must be an insert or a keyed write (a batch may also hold one keyed read). */
function judgeBatch(operations: readonly string[]): Access {
  if (operations.length === 0) return { kind: "scan", why: "a batch without operations the recorder could read" };
  for (const operation of operations) {
    const [method, path = ""] = operation.split(" ");
    const keyed = KEYED.test(path);
    const insert = TABLE.test(path) && method === "POST";
    if (!keyed && !insert) return { kind: "scan", why: `a batch operation that is neither an insert nor keyed: ${operation}` };
  }
  return { kind: "batch", operations: operations.length };
}

function judgeQuery(table: string, filter: string | undefined): Access {
  if (filter === undefined || filter.trim() === "") return { kind: "scan", why: `a query of ${table} without $filter reads the whole table` };
  let tree: FilterNode;
  try {
    tree = parseFilter(filter);
  } catch (err) {
    return { kind: "scan", why: `a $filter that does not parse (${err instanceof Error ? err.message : String(err)}): ${filter}` };
  }
  const others = identifiersOf(tree).filter((name) => !KEY_PROPERTIES.has(name));
  if (others.length > 0) return { kind: "scan", why: `a query of ${table} filters on ${[...new Set(others)].join(", ")}: ${filter}` };
  const partition = conjunctsOf(tree)
    .map(partitionOf)
    .find((p) => p !== undefined);
  if (partition === undefined) return { kind: "scan", why: `a query of ${table} that names no single partition (PartitionKey eq '…' and …): ${filter}` };
  return { kind: "partition-query", table, partition };
}

function identifiersOf(node: FilterNode | undefined): string[] {
  if (!node) return [];
  if (node.name === "id") return [String(node.identifier)];
  return [...identifiersOf(node.left), ...identifiersOf(node.right)];
}

/** The top-level conjuncts: `a and (b and c)` → a, b, c; anything else is one conjunct. */
function conjunctsOf(node: FilterNode): FilterNode[] {
  if (node.name === "and" && node.left && node.right) return [...conjunctsOf(node.left), ...conjunctsOf(node.right)];
  return [node];
}

/** `PartitionKey eq '<string>'` (either way round) → the string. */
function partitionOf(node: FilterNode): string | undefined {
  if (node.name !== "eq" || !node.left || !node.right) return undefined;
  const [id, value] = node.left.name === "id" ? [node.left, node.right] : [node.right, node.left];
  if (id.name !== "id" || id.identifier !== "PartitionKey") return undefined;
  return value.name === "constant" && typeof value.value === "string" ? value.value : undefined;
}

/** Each request judged a scan, as `why`; empty when every request reads by key. */
export function scansAmong(requests: readonly RecordedRequest[]): string[] {
  return requests.map(judge).flatMap((access) => (access.kind === "scan" ? [access.why] : []));
}
