import { WhatsAppSendError, type WhatsAppFailureKind } from "../../core/errors";

/**
 * Meta's Graph API errors (docs/protocols.md A16), classified by `error.code`, never by HTTP status alone:
 * Meta has answered the same throttling code with 400 in one version of its docs and 429 in another.
 * Each notable code has the bridge's kind for it (`WhatsAppFailureKind`: the core decides on kinds, so
 * Meta's numbers stay here), a retry decision (the docs/protocols.md A16 "Retry?" column) and plain words for a person in Teams.
 */

/** The `error` object of Meta's Graph error envelope. */
export interface GraphError {
  readonly message?: string;
  readonly type?: string;
  readonly code?: number;
  readonly error_subcode?: number;
  readonly error_data?: { readonly messaging_product?: string; readonly details?: string };
  readonly fbtrace_id?: string;
}

interface CodeRule {
  readonly kind: WhatsAppFailureKind;
  readonly retryable: boolean;
  /** A hint for the caller's backoff (docs/protocols.md A15: pair rate 1 msg / 6 s; throughput upgrade ≤ 1 min). */
  readonly retryAfterMs?: number;
  readonly say: (details: string) => string;
}

const ADMIN_TOKEN = "An administrator must renew the WhatsApp access token.";
const ADMIN_PERMISSIONS = "An administrator must check the WhatsApp app's permissions.";
const ADMIN_MANAGER = "An administrator must check the account in WhatsApp Manager.";
const fixed = (text: string) => () => text;
const rule = (kind: WhatsAppFailureKind, retryable: boolean, say: (details: string) => string, retryAfterMs?: number): CodeRule =>
  retryAfterMs === undefined ? { kind, retryable, say } : { kind, retryable, say, retryAfterMs };
const invalid = rule("content", false, (d) => `WhatsApp refused the message as invalid${d ? ` (${d})` : ""}. Check the message and send it again.`);
const template = (what: string) => rule("content", false, fixed(`Not sent: ${what}. Check the template in WhatsApp Manager.`));

const RULES: ReadonlyMap<number, CodeRule> = new Map<number, CodeRule>([
  [0, rule("account", false, fixed(`Not sent: WhatsApp rejected the bridge's access token (invalid, expired or blocked). ${ADMIN_TOKEN}`))],
  [190, rule("account", false, fixed(`Not sent: the WhatsApp access token has expired or is invalid. ${ADMIN_TOKEN}`))],
  [3, rule("account", false, fixed(`Not sent: the WhatsApp app may not use this feature. ${ADMIN_PERMISSIONS}`))],
  [10, rule("account", false, fixed(`Not sent: the WhatsApp app lacks a permission needed for this message. ${ADMIN_PERMISSIONS}`))],
  [131005, rule("account", false, fixed(`Not sent: WhatsApp denied access. ${ADMIN_PERMISSIONS}`))],
  [
    4,
    rule(
      "api-rate",
      true,
      fixed("Not sent yet: the WhatsApp app has made too many requests (Meta's app rate limit). It can be sent again in a few minutes."),
      60_000,
    ),
  ],
  [80007, rule("api-rate", true, fixed("Not sent yet: the WhatsApp Business Account reached its rate limit. It can be sent again in a few minutes."), 60_000)],
  [
    130429,
    rule(
      "throughput",
      true,
      fixed("Not sent yet: this WhatsApp number is sending more messages per second than Meta allows. It can be sent again in a moment."),
      1_000,
    ),
  ],
  [
    131056,
    rule(
      "pair-rate",
      true,
      fixed("Not sent yet: too many messages to this customer in a short time (WhatsApp allows about one every 6 seconds). It can be sent again in a moment."),
      6_000,
    ),
  ],
  [
    131048,
    rule(
      "account",
      false,
      fixed("Not sent: WhatsApp is limiting this number because many of its messages were blocked or reported. Improve message quality before sending more."),
    ),
  ],
  [368, rule("account", false, fixed(`Not sent: WhatsApp has temporarily blocked this business number for policy violations. ${ADMIN_MANAGER}`))],
  [131031, rule("account", false, fixed(`Not sent: the WhatsApp business account is locked (a policy violation or a wrong two-step PIN). ${ADMIN_MANAGER}`))],
  [130497, rule("recipient", false, fixed("Not sent: WhatsApp does not allow this business to message customers in this country."))],
  [1, rule("transient", true, fixed("Not sent: WhatsApp reported an unknown error. It can be sent again."), 5_000)],
  [2, rule("transient", true, fixed("Not sent: WhatsApp's service is temporarily down. It can be sent again later."), 5_000)],
  [131000, rule("transient", true, fixed("Not sent: something went wrong at WhatsApp. It can be sent again."), 5_000)],
  [131016, rule("transient", true, fixed("Not sent: WhatsApp's service is temporarily unavailable. It can be sent again later."), 5_000)],
  [
    131057,
    rule(
      "capacity-upgrade",
      true,
      fixed("Not sent yet: the WhatsApp business number is in maintenance (a throughput upgrade). It can be sent again in a minute."),
      60_000,
    ),
  ],
  [33, rule("account", false, fixed(`Not sent: the WhatsApp business phone number has been deleted. ${ADMIN_MANAGER}`))],
  [100, invalid],
  [131008, invalid],
  [131009, invalid],
  [130472, rule("recipient", false, fixed("Not sent: the customer is part of a WhatsApp marketing experiment, so this message is not delivered to them."))],
  [131021, rule("recipient", false, fixed("Not sent: the recipient is the business number itself."))],
  [
    131026,
    rule(
      "recipient",
      false,
      fixed(
        "Undeliverable: WhatsApp could not deliver this message. The customer may not use WhatsApp, may not have accepted its latest terms, or may use an outdated WhatsApp version.",
      ),
    ),
  ],
  [131037, rule("account", false, fixed(`Not sent: the business number needs an approved display name first. ${ADMIN_MANAGER}`))],
  [
    131042,
    rule(
      "account",
      false,
      fixed(
        "Not sent: there is an eligibility or payment problem with the WhatsApp account. An administrator must check the payment method in WhatsApp Manager.",
      ),
    ),
  ],
  [
    131045,
    rule(
      "account",
      false,
      fixed("Not sent: the business number is not registered correctly (certificate error). An administrator must register the number again."),
    ),
  ],
  [
    131047,
    rule(
      "window-closed",
      false,
      fixed(
        "Not sent: it has been more than 24 hours since the customer last wrote; only an approved template can be sent. Send a template to reopen the conversation.",
      ),
    ),
  ],
  [
    131049,
    rule(
      "recipient",
      false,
      fixed("Not delivered: WhatsApp chose not to deliver this marketing message to keep engagement healthy. Wait at least 24 hours before trying again."),
    ),
  ],
  [131050, rule("opted-out", false, fixed("Not sent: the customer has stopped marketing messages from this business."))],
  [131051, rule("content", false, fixed("Not sent: WhatsApp does not support this type of message."))],
  [
    131052,
    rule(
      "content",
      false,
      fixed("The customer's media could not be downloaded from WhatsApp (for example, it is over 100 MB). Ask the customer to send it again."),
    ),
  ],
  [131053, rule("content", false, fixed("Not sent: WhatsApp could not process the media (for example, an unsupported file type)."))],
  [
    131062,
    rule(
      "recipient",
      false,
      fixed("Not sent: this customer can only be reached through their WhatsApp username, and this kind of message cannot be sent to a username."),
    ),
  ],
  [132000, template("the number of template parameters does not match the template")],
  [132001, template("the template does not exist in this language or is not approved")],
  [132005, template("the template text is too long once filled in")],
  [132007, template("the template breaks WhatsApp's formatting policy")],
  [132012, template("a template parameter has the wrong format")],
  [132015, template("the template is paused because of low quality")],
  [132016, template("the template is disabled because it was paused too often")],
  [132018, template("there is a problem with the template's parameters")],
  [132068, rule("content", false, fixed("Not sent: the WhatsApp Flow is blocked."))],
  [132069, rule("content", false, fixed("Not sent: the WhatsApp Flow is throttled (at most 10 messages an hour with it)."))],
  [133010, rule("account", false, fixed(`Not sent: the business phone number is not registered on WhatsApp. ${ADMIN_MANAGER}`))],
  [134011, rule("account", false, fixed("Not sent: the WhatsApp Payments terms of service have not been accepted."))],
]);

function ruleFor(code: number): CodeRule | undefined {
  const exact = RULES.get(code);
  if (exact) return exact;
  if (code >= 200 && code <= 299) return RULES.get(10);
  if (code >= 133000 && code <= 133016)
    return rule("account", false, fixed(`Not sent: the business phone number's registration has a problem. ${ADMIN_MANAGER}`));
  return undefined;
}

const clip = (text: string, max = 300) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** Reads Meta's error envelope from a response body; undefined when it is not one (HTML, empty, …). */
export function parseGraphErrorBody(bodyText: string): GraphError | undefined {
  try {
    const parsed: unknown = JSON.parse(bodyText);
    const error = (parsed as { error?: unknown } | null)?.error;
    if (!error || typeof error !== "object") return undefined;
    const e = error as Record<string, unknown>;
    const details = (e.error_data as { details?: unknown } | undefined)?.details;
    return {
      ...(typeof e.message === "string" ? { message: e.message } : {}),
      ...(typeof e.type === "string" ? { type: e.type } : {}),
      ...(typeof e.code === "number" ? { code: e.code } : {}),
      ...(typeof e.error_subcode === "number" ? { error_subcode: e.error_subcode } : {}),
      ...(typeof details === "string" ? { error_data: { details } } : {}),
      ...(typeof e.fbtrace_id === "string" ? { fbtrace_id: e.fbtrace_id } : {}),
    };
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** `Retry-After` in seconds (or an HTTP date) → milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * Turns a Graph API error answer into a `WhatsAppSendError`. Known codes follow the docs/protocols.md A16 table; an unknown
 * code is retryable only if the HTTP status is 5xx or 429 (the one case where the status is all we have)
 * and its user message quotes the code and Meta's words. A body that is not Meta's error envelope
 * (a proxy's HTML page, an empty 502) is retryable for 5xx/408/429, otherwise not: a non-JSON 4xx means
 * the Graph URL or a proxy is misconfigured, which retrying cannot fix.
 */
export function classifyGraphError(httpStatus: number, bodyText: string, retryAfterMs?: number): WhatsAppSendError {
  const error = parseGraphErrorBody(bodyText);
  if (!error || error.code === undefined) {
    const retryable = httpStatus >= 500 || httpStatus === 408 || httpStatus === 429;
    return new WhatsAppSendError(retryable ? "transient" : "unknown", `Graph API answered HTTP ${httpStatus} without an error envelope`, {
      retryable,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      userMessage: retryable
        ? `Not sent: WhatsApp's server answered with an unexpected error (HTTP ${httpStatus}). It can be sent again.`
        : `Not sent: the WhatsApp service answered with an unexpected error (HTTP ${httpStatus}). An administrator should check the WhatsApp Graph API address.`,
    });
  }
  const code = error.code;
  const metaWords = clip(error.message ?? error.type ?? "no message");
  const details = error.error_data?.details ? clip(error.error_data.details) : "";
  const known = ruleFor(code);
  const retryable = known ? known.retryable : httpStatus >= 500 || httpStatus === 429;
  const hint = retryAfterMs ?? known?.retryAfterMs;
  const subcode = error.error_subcode !== undefined ? `/${error.error_subcode}` : "";
  const trace = error.fbtrace_id ? `, fbtrace_id ${error.fbtrace_id}` : "";
  // Meta answered with an error: it did not take the request, so trying again cannot duplicate it.
  return new WhatsAppSendError(
    known?.kind ?? "unknown",
    `Graph API error ${code}${subcode} (HTTP ${httpStatus}${trace}): ${metaWords}${details ? ` — ${details}` : ""}`,
    {
      metaCode: code,
      notApplied: true,
      retryable,
      ...(retryable && hint !== undefined ? { retryAfterMs: hint } : {}),
      userMessage: known ? known.say(details) : `Not sent: WhatsApp refused the message (error ${code}: ${metaWords}${details ? ` — ${details}` : ""}).`,
    },
  );
}

/** A send that got no answer from Meta: always retryable. A timeout may hide an accepted message. */
export function transportError(kind: "timeout" | "network", timeoutMs: number, cause: unknown): WhatsAppSendError {
  return kind === "timeout"
    ? new WhatsAppSendError("transient", `Graph API did not answer within ${timeoutMs} ms`, {
        retryable: true,
        cause,
        userMessage: "WhatsApp did not answer in time, so the message may not have been sent. It can be sent again.",
      })
    : new WhatsAppSendError("transient", "Graph API could not be reached", {
        retryable: true,
        cause,
        userMessage: "Not sent: the WhatsApp service could not be reached. It can be sent again.",
      });
}

/** The kind and plain words of a Meta error code seen in a status webhook (docs/protocols.md A8), e.g. a failed 131047. */
export function describeMetaErrorCode(
  code: number,
  metaTitle?: string,
  details?: string,
): { kind: WhatsAppFailureKind; retryable: boolean; userMessage: string } {
  const known = ruleFor(code);
  if (known) return { kind: known.kind, retryable: known.retryable, userMessage: known.say(details ? clip(details) : "") };
  return {
    kind: "unknown",
    retryable: false,
    userMessage: `WhatsApp reported error ${code}${metaTitle ? `: ${clip(metaTitle)}` : ""}${details ? ` — ${clip(details)}` : ""}.`,
  };
}
