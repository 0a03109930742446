import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { readBody } from "../standin-http";
import type { AddressInfo } from "node:net";
import { answerGroupRequest, groupSendProblem } from "./group-routes";
import { GroupStore } from "./group-store";
import { faultAnswer, MediaFaults } from "./media-faults";
import { answerMediaRequest } from "./media-routes";
import { MEDIA_DOWNLOAD_PATH, MediaStore } from "./media-store";
import { acceptedSendResponse, errorEnvelope, invalidParameterEnvelope, invalidTokenEnvelope, newWamid, unsupportedRequestEnvelope } from "./meta-responses";
import { listPhoneNumbersPage } from "./phone-numbers";
import { listTemplatesPage } from "./templates";
import { SendLog } from "./send-log";
import { SendFaults } from "./send-faults";
import type { MetaGraphStandin, MetaGraphStandinOptions, RecordedSend, ScriptedFailure, StandinPhoneNumber, StandinTemplate } from "./standin-types";

const MAX_REQUEST_BYTES = 5 * 1024 * 1024;

interface Answer {
  readonly status: number;
  readonly body: string | Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  body: JSON.stringify(value),
  headers: { "content-type": "application/json; charset=UTF-8", ...headers },
});

function failureAnswer(failure: ScriptedFailure): Answer {
  if ("rawBody" in failure)
    return { status: failure.httpStatus, body: failure.rawBody, headers: { "content-type": failure.contentType ?? "text/html; charset=utf-8" } };
  return json(failure.httpStatus, errorEnvelope(failure.error), { ...(failure.headers ?? {}) });
}

function headersOf(request: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) out[name] = Array.isArray(value) ? value.join(", ") : value;
  return out;
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString("utf8")) as unknown;
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** Meta's checks of a send body that tests are likely to trip (docs/protocols.md A10); everything else is accepted. */
function validateSend(body: unknown): string | undefined {
  if (!body || typeof body !== "object") return "The request body must be JSON.";
  const b = body as Record<string, unknown>;
  if (b.messaging_product !== "whatsapp") return "The parameter messaging_product is required.";
  if (b.status === "read") return typeof b.message_id === "string" ? undefined : "The parameter message_id is required.";
  if (typeof b.to !== "string" && typeof b.recipient !== "string") return "The parameter to is required.";
  if ((b.type ?? "text") === "text") {
    const text = b.text as { body?: unknown } | undefined;
    if (typeof text?.body !== "string" || text.body === "") return "The parameter text['body'] is required.";
    if (Array.from(text.body).length > 4096) return "Param text['body'] must be at most 4096 characters long.";
  }
  return undefined;
}

/** A scripted delay plus a random fault's delay, and the random fault's error if any. */
function addRoll(delayMs: number, roll: { failure?: ScriptedFailure; delayMs: number }): { failure?: ScriptedFailure; delayMs: number } {
  return { ...(roll.failure ? { failure: roll.failure } : {}), delayMs: delayMs + roll.delayMs };
}

/**
 * Starts a stand-in for Meta's Graph API on 127.0.0.1: `POST /{version}/{phone_number_id}/messages`
 * (sends and mark-as-read), `GET /{version}/{waba_id}/phone_numbers` and the media endpoints (upload,
 * `GET /{media-id}`, download by URL with the token; see media-routes.ts) and the Groups API (group-routes.ts;
 * sends with `recipient_type: group`), answering with Meta's shapes.
 * Tests script failures with `failNext` and delays with `delayNext`. Never contacts anything else.
 * `extraRoutes` lets the WhatsApp simulator serve its page and API from the same server.
 */
export async function startMetaGraphStandin(options: MetaGraphStandinOptions = {}): Promise<MetaGraphStandin> {
  const version = options.version ?? "v25.0";
  const log = new SendLog();
  const state = { phoneNumbers: [] as StandinPhoneNumber[], templates: [] as StandinTemplate[], templateListings: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const media = new MediaStore(options.mediaUrlTtlMs);
  const mediaFaults = new MediaFaults();
  const groups = new GroupStore();
  // Random errors and latency on sends (chaos tests): off unless asked for.
  const sendFaults = new SendFaults();
  if (options.sendFaults) sendFaults.set(options.sendFaults);
  const sendListeners = new Set<(send: RecordedSend) => void>();
  let origin = "";

  const authorised = (request: IncomingMessage) => options.accessToken === undefined || request.headers.authorization === `Bearer ${options.accessToken}`;

  async function answer(request: IncomingMessage, url: URL): Promise<{ answer: Answer; delayMs: number }> {
    const parts = url.pathname.split("/").filter((p) => p !== "");
    const method = request.method ?? "GET";
    // Scripted download faults (media-faults.ts) come before the media endpoints answer.
    const fault = url.pathname === MEDIA_DOWNLOAD_PATH ? mediaFaults.take() : undefined;
    const faulty = fault ? faultAnswer(fault) : undefined;
    if (faulty) return { answer: faulty, delayMs: 0 };
    const mediaDelayMs = fault && "delayMs" in fault ? fault.delayMs : 0;
    const mediaAnswer = await answerMediaRequest(request, url, {
      store: media,
      version,
      authorised: authorised(request),
      now: Date.now(),
      origin,
      readBody: () => readBody(request, MAX_REQUEST_BYTES),
    });
    if (mediaAnswer) return { answer: mediaAnswer, delayMs: mediaDelayMs };
    const groupAnswer = await answerGroupRequest(request, url, {
      store: groups,
      version,
      authorised: authorised(request),
      readBody: () => readBody(request, MAX_REQUEST_BYTES),
    });
    if (groupAnswer) return { answer: groupAnswer, delayMs: 0 };
    if (parts[0] !== version || parts.length !== 3) return { answer: json(400, unsupportedRequestEnvelope(method, parts.slice(1).join("/"))), delayMs: 0 };
    const [, node = "", edge] = parts;

    if (method === "POST" && edge === "messages") {
      const raw = await readBody(request, MAX_REQUEST_BYTES);
      const body = parseJson(raw);
      const b = (body ?? {}) as Record<string, unknown>;
      const phoneNumberId = decodeURIComponent(node);
      const base = {
        phoneNumberId,
        body,
        headers: headersOf(request),
        at: Date.now(),
        recipientType: b.recipient_type === "group" ? ("group" as const) : ("individual" as const),
        ...(typeof b.to === "string" ? { to: b.to } : {}),
        ...(typeof b.recipient === "string" ? { recipient: b.recipient } : {}),
      };
      let result: Answer;
      let wamid: string | undefined;
      // An unauthorised request does not use up a scripted failure or delay.
      const taken = authorised(request) ? log.takeScript() : { delayMs: 0 };
      // Scripted failures first; otherwise the dice of the random faults.
      const scripted = authorised(request) && !taken.failure ? addRoll(taken.delayMs, sendFaults.roll()) : taken;
      if (!authorised(request)) result = json(401, invalidTokenEnvelope());
      else if (scripted.failure) result = failureAnswer(scripted.failure);
      else {
        const problem = validateSend(body);
        const groupProblem = problem || b.status === "read" ? undefined : groupSendProblem(b, phoneNumberId, groups);
        if (problem) result = json(400, invalidParameterEnvelope(problem));
        else if (groupProblem) result = failureAnswer(groupProblem);
        else if (b.status === "read") result = json(200, { success: true });
        else {
          wamid = newWamid();
          result = json(200, acceptedSendResponse(base.to, base.recipient, wamid, base.recipientType === "group"));
        }
      }
      const recorded: RecordedSend = { ...base, status: result.status, ...(wamid ? { wamid } : {}) };
      log.record(recorded);
      for (const listener of sendListeners) listener(recorded);
      return { answer: result, delayMs: scripted.delayMs };
    }

    if (method === "GET" && edge === "message_templates") {
      if (!authorised(request)) return { answer: json(401, invalidTokenEnvelope()), delayMs: 0 };
      state.templateListings++;
      return { answer: json(200, listTemplatesPage(state.templates, url)), delayMs: 0 };
    }
    if (method === "GET" && edge === "phone_numbers") {
      if (!authorised(request)) return { answer: json(401, invalidTokenEnvelope()), delayMs: 0 };
      return { answer: json(200, listPhoneNumbersPage(state.phoneNumbers, url)), delayMs: 0 };
    }
    return { answer: json(400, unsupportedRequestEnvelope(method, `${node}/${edge ?? ""}`)), delayMs: 0 };
  }

  const send = (response: ServerResponse, a: Answer) => {
    if (response.destroyed || response.writableEnded || response.headersSent) return;
    response.writeHead(a.status, { ...a.headers, "content-length": Buffer.byteLength(a.body) });
    response.end(a.body);
  };

  const graphRequest = (url: URL) => url.pathname.startsWith(`/${version}/`) || url.pathname === MEDIA_DOWNLOAD_PATH;
  const extraRoutes = options.extraRoutes;
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", `http://${request.headers.host ?? "127.0.0.1"}`);
    const handled = extraRoutes && !graphRequest(url) ? extraRoutes(request, response, url) : Promise.resolve(false);
    handled
      .then((done) => (done ? undefined : answer(request, url)))
      .then(
        (result) => {
          if (!result) return;
          const { answer: a, delayMs } = result;
          if (delayMs <= 0) return send(response, a);
          const timer = setTimeout(() => {
            timers.delete(timer);
            send(response, a);
          }, delayMs);
          timers.add(timer);
        },
        (err: unknown) => send(response, json(500, errorEnvelope({ message: `stand-in failure: ${String(err)}`, code: 1 }))),
      );
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/${version}`,
    origin,
    version,
    sent: log.sent,
    get phoneNumbers() {
      return state.phoneNumbers;
    },
    set phoneNumbers(list: StandinPhoneNumber[]) {
      state.phoneNumbers = list;
    },
    get templates() {
      return state.templates;
    },
    set templates(list: StandinTemplate[]) {
      state.templates = list;
    },
    get templateListings() {
      return state.templateListings;
    },
    failNext: (failure, times = 1) => log.failNext(failure, times),
    delayNext: (ms, times = 1) => log.delayNext(ms, times),
    waitForSends: (n, timeoutMs = 2_000) => log.waitFor(n, timeoutMs),
    reset: () => log.reset(),
    addMedia: (file) => media.add(file),
    getMedia: (id) => media.get(id),
    failMediaDownload: (fault, times = 1) => mediaFaults.add(fault, times),
    get mediaDownloads() {
      return mediaFaults.downloads;
    },
    setSendFaults: (settings) => sendFaults.set(settings ?? {}),
    get sendFaultCounters() {
      return sendFaults.counters;
    },
    addGroup: (group) => groups.add(group),
    getGroup: (id) => groups.get(id),
    listGroups: (phoneNumberId) => groups.list(phoneNumberId),
    failNextGroupCreate: (error, times = 1) => groups.failNextCreate(error, times),
    onGroupRequest: (listener) => groups.subscribe(listener),
    onSend: (listener) => {
      sendListeners.add(listener);
      return () => {
        sendListeners.delete(listener);
      };
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      log.close();
      sendListeners.clear();
      groups.close();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
