import { randomBytes } from "node:crypto";

/** Meta-shaped bodies the stand-in answers with (docs/protocols.md A10, A16). */

/** The `error` object of Meta's Graph error envelope. */
export interface GraphErrorObject {
  readonly message: string;
  readonly type?: string;
  readonly code: number;
  readonly error_subcode?: number;
  readonly error_data?: { readonly messaging_product?: string; readonly details?: string };
  readonly fbtrace_id?: string;
}

/** A random `fbtrace_id`-like value (Meta's support reference for one request). */
export function fbtraceId(): string {
  return randomBytes(9).toString("base64url");
}

/** A fresh WhatsApp message id in Meta's shape: `wamid.` + base64. */
export function newWamid(): string {
  return `wamid.${randomBytes(30).toString("base64")}`;
}

/** Completes a scripted error the way Meta sends it: fbtrace_id and `messaging_product` filled in. */
export function errorEnvelope(error: GraphErrorObject): { error: GraphErrorObject } {
  return {
    error: {
      type: "OAuthException",
      fbtrace_id: fbtraceId(),
      ...error,
      ...(error.error_data ? { error_data: { messaging_product: "whatsapp", ...error.error_data } } : {}),
    },
  };
}

/** What Meta answers for a missing or wrong Bearer token. */
export function invalidTokenEnvelope(): { error: GraphErrorObject } {
  return errorEnvelope({ message: "Invalid OAuth access token - Cannot parse access token", type: "OAuthException", code: 190 });
}

/** `(#100)` invalid parameter, as Meta words it. */
export function invalidParameterEnvelope(details: string): { error: GraphErrorObject } {
  return errorEnvelope({ message: "(#100) Invalid parameter", code: 100, error_data: { details } });
}

/** What Graph answers for a path it does not know. */
export function unsupportedRequestEnvelope(method: string, path: string): { error: GraphErrorObject } {
  return errorEnvelope({
    message: `Unsupported ${method.toLowerCase()} request. Object with ID '${path}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    type: "GraphMethodException",
    code: 100,
    error_subcode: 33,
  });
}

/**
 * The answer to an accepted send (docs/protocols.md A10): it means accepted, not delivered. A group send names the group
 * as `input` (and, as in Meta's pin sample, as `wa_id`) and adds `group_id` to the message
 * (docs/protocols.md A17.2).
 */
export function acceptedSendResponse(to: string | undefined, recipient: string | undefined, wamid: string, toGroup = false): object {
  if (toGroup && to !== undefined) return { messaging_product: "whatsapp", contacts: [{ input: to, wa_id: to }], messages: [{ id: wamid, group_id: to }] };
  const contact = {
    input: to ?? recipient ?? "",
    ...(to ? { wa_id: to.replace(/\D/g, "") } : {}),
    ...(recipient ? { user_id: recipient } : {}),
  };
  return { messaging_product: "whatsapp", contacts: [contact], messages: [{ id: wamid }] };
}
