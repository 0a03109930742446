import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { readBody } from "../standin-http";
import type { AddressInfo } from "node:net";
import { ATTACHMENT_PATH, AttachmentStore } from "./attachments";
import { ConnectorFaults } from "./connector-faults";
import { GraphReplies } from "./graph-replies";
import { StandinLog } from "./standin-log";
import type { BotConnectorStandin, BotConnectorStandinOptions, InjectedFailure } from "./standin-types";
import { throttleAnswer, throttleKeys } from "./throttle-routing";
import { TeamsThrottle } from "./teams-throttle";
import { TeamsState } from "./teams-state";
import { TeamsRoster } from "./teams-roster";

const MAX_REQUEST_BYTES = 1024 * 1024;

interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

const errorBody = (code: string, message: string) => ({ error: { code, message } });

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString("utf8")) as unknown;
  } catch (err) {
    return { unparsable: raw.toString("utf8").slice(0, 200), error: String(err) };
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Acts on one request the way the Bot Connector REST API does (the parts the bridge uses). */
function route(
  log: StandinLog,
  teams: TeamsState,
  roster: TeamsRoster,
  method: string,
  path: string,
  body: unknown,
  authorization: string | undefined,
): Answer {
  const parts = path
    .split("/")
    .filter(Boolean)
    .map((p) => decodeURIComponent(p));
  const auth = authorization === undefined ? {} : { authorization };
  // Rosters, team details and channel lists (teams-roster.ts), refused like everything else while the app is out.
  const rosterRead = roster.answer(method, parts);
  if (rosterRead) return (parts[1] === "conversations" ? teams.check({ conversationId: parts[2]! }) : undefined) ?? rosterRead;
  if (parts[0] !== "v3" || parts[1] !== "conversations") return { status: 404, body: errorBody("NotFound", `no route for ${method} ${path}`) };
  if (parts.length === 2 && method === "POST") {
    const parameters = asRecord(body);
    const channelId = asRecord(asRecord(parameters.channelData).channel).id;
    if (typeof channelId !== "string" || !channelId) return { status: 400, body: errorBody("BadArgument", "channelData.channel.id is required") };
    const refused = teams.check({ channelId, activity: asRecord(parameters.activity) });
    if (refused) return refused;
    const activityId = log.newMessageId();
    const conversationId = `${channelId};messageid=${activityId}`;
    log.created.push({ conversationId, activityId, parameters, ...auth, at: Date.now() });
    return { status: 201, body: { id: conversationId, activityId } };
  }
  const conversationId = parts[2];
  // The probe: one member of the channel (`pagedmembers`), refused like everything else while the app is out.
  if (conversationId && parts[3] === "pagedmembers" && method === "GET") {
    return (
      teams.check({ conversationId }) ?? {
        status: 200,
        body: { members: [{ id: "29:standin-member", name: "Stand-in Member", aadObjectId: "00000000-0000-4000-8000-00000000a11c" }] },
      }
    );
  }
  if (conversationId && parts[3] === "activities" && parts.length <= 5) {
    const refused = teams.check({ conversationId, ...(method === "POST" ? { activity: asRecord(body) } : {}) });
    if (refused) return refused;
    const targetId = parts[4];
    if (method === "POST") {
      const id = log.newMessageId();
      log.posts.push({ conversationId, ...(targetId ? { replyToId: targetId } : {}), id, activity: asRecord(body), ...auth });
      return { status: 201, body: { id } };
    }
    if (method === "PUT" && targetId) {
      log.updates.push({ conversationId, activityId: targetId, activity: asRecord(body), ...auth, at: Date.now() });
      return { status: 200, body: { id: targetId } };
    }
  }
  return { status: 404, body: errorBody("NotFound", `no route for ${method} ${path}`) };
}

/** `GET /v3/attachments/{id}/views/{view}`: a pasted image's bytes (see attachments.ts); undefined for other paths. */
function answerAttachment(attachments: AttachmentStore, method: string, path: string, authorization: string | undefined): Answer | undefined {
  const match = method === "GET" ? ATTACHMENT_PATH.exec(path) : null;
  if (!match) return undefined;
  attachments.fetches.push({ id: match[1]!, ...(authorization === undefined ? {} : { authorization }) });
  const file = attachments.get(match[1]!);
  return file
    ? { status: 200, body: file.bytes, headers: { "content-type": file.contentType } }
    : { status: 404, body: errorBody("NotFound", "attachment not found") };
}

function send(response: ServerResponse, answer: Answer): void {
  const payload = answer.body === undefined ? "" : typeof answer.body === "string" || Buffer.isBuffer(answer.body) ? answer.body : JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    ...(payload && typeof answer.body !== "string" && !Buffer.isBuffer(answer.body) ? { "content-type": "application/json; charset=utf-8" } : {}),
    "content-length": String(Buffer.byteLength(payload)),
    ...answer.headers,
  });
  response.end(payload);
}

/**
 * Starts a stand-in for the Bot Connector service (the `serviceUrl` of Teams activities) on 127.0.0.1,
 * on an ephemeral port: `POST /v3/conversations` creates a channel thread
 * (`201 {"id":"<channelId>;messageid=<n>","activityId":"<n>"}`, docs/protocols.md B4), `POST
 * /v3/conversations/:id/activities[/:activityId]` posts (`201 {"id":"<n>"}`), `PUT
 * …/activities/:activityId` updates (`200 {id}`); teams, channels and rosters are read as teams-roster.ts
 * says. Everything is recorded. Dev-only.
 */
export async function startBotConnectorStandin(options: BotConnectorStandinOptions = {}): Promise<BotConnectorStandin> {
  const log = new StandinLog(options.firstMessageId ?? 1_760_000_000_000);
  const attachments = new AttachmentStore();
  // Teams' throttling and random transient faults (chaos tests, benchmarks): off unless asked for.
  let throttle = options.limits ? new TeamsThrottle(options.limits) : undefined;
  const faults = new ConnectorFaults();
  if (options.faults) faults.set(options.faults);
  const timers = new Set<NodeJS.Timeout>();
  const graph = new GraphReplies(options.graph);
  const teams = new TeamsState();
  const roster = new TeamsRoster();

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const method = request.method ?? "GET";
    const path = new URL(request.url ?? "/", "http://standin").pathname.replace(/\/{2,}/g, "/");
    // Graph reads of the threads (graph-replies.ts): apart from the Bot Connector's records, faults and limits.
    if (graph.handles(path)) return graph.serve(request, response, log, `http://${host}`);
    const authorization = request.headers.authorization;
    let answer: Answer;
    let body: unknown;
    let delayMs = 0;
    try {
      body = parseJson(await readBody(request, MAX_REQUEST_BYTES));
      const failure: InjectedFailure | undefined = log.failures.shift();
      if (failure) answer = { status: failure.status, body: failure.body, ...(failure.headers ? { headers: failure.headers } : {}) };
      else if (options.authorize && !(await options.authorize(authorization)))
        answer = { status: 401, body: errorBody("Unauthorized", "missing or invalid token") };
      else {
        // Only the operations Teams throttles (creates, posts, updates) count, are throttled or fail at random.
        const keys = throttleKeys(method, path, body);
        const verdict = throttle && keys ? throttle.check(keys.thread, keys.tenant) : undefined;
        const roll = keys ? faults.roll() : undefined;
        delayMs = roll?.delayMs ?? 0;
        if (verdict && !verdict.ok) answer = throttleAnswer(verdict);
        else if (roll?.error) answer = roll.error;
        else answer = answerAttachment(attachments, method, path, authorization) ?? route(log, teams, roster, method, path, body, authorization);
      }
    } catch (err) {
      answer = { status: 500, body: errorBody("ServiceError", String(err)) };
    }
    const finish = () => {
      log.requests.push({ method, path, ...(authorization === undefined ? {} : { authorization }), body, status: answer.status });
      send(response, answer);
      log.changed();
    };
    if (delayMs <= 0) return finish();
    const timer = setTimeout(() => {
      timers.delete(timer);
      finish();
    }, delayMs);
    timers.add(timer);
  };

  let host = "";
  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  host = `127.0.0.1:${port}`;

  return {
    serviceUrl: `http://${host}/`,
    host,
    get requests() {
      return log.requests;
    },
    get created() {
      return log.created;
    },
    get posts() {
      return log.posts;
    },
    get updates() {
      return log.updates;
    },
    msGraphUrl: `http://${host}/v1.0`,
    msGraph: graph,
    addAttachment: (bytes, contentType) => `http://${host}${attachments.add(bytes, contentType)}`,
    get attachmentFetches() {
      return attachments.fetches;
    },
    failNext(status, body, headers) {
      log.failures.push({ status, ...(body === undefined ? {} : { body }), ...(headers ? { headers } : {}) });
    },
    waitFor: (predicate, timeoutMs = 5000) => log.waitFor(predicate, timeoutMs),
    reset: () => log.reset(),
    setLimits(limits) {
      throttle = limits ? new TeamsThrottle(limits) : undefined;
    },
    setFaults: (settings) => faults.set(settings ?? {}),
    teams,
    roster,
    get counters() {
      return {
        throttle: throttle?.counters ?? { admitted: 0, throttledThread: 0, throttledTenant: 0, maxRetryAfterMs: 0 },
        faults: faults.counters,
        injectedErrors: faults.injectedErrors,
      };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
