import { createHmac } from "node:crypto";
import type { RawDelivery } from "../../src/core/ports/webhook-journal";

/**
 * Meta webhook bodies in the shape of tests/fixtures/meta (the Cloud API's `messages` field), built for
 * chosen customers, times and ids, and signed like Meta signs them (HMAC-SHA256 of the exact bytes with
 * the app secret, header `sha256=<hex>`).
 */

export const BUSINESS = "106540352242922";

export interface Customer {
  readonly phone: string;
  readonly userId: string;
  readonly name: string;
}

const seconds = (at: number) => String(Math.floor(at / 1000));

function envelope(value: Record<string, unknown>): Buffer {
  return Buffer.from(
    JSON.stringify({
      object: "whatsapp_business_account",
      entry: [
        {
          id: "102290129340398",
          changes: [
            {
              value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550783881", phone_number_id: BUSINESS }, ...value },
              field: "messages",
            },
          ],
        },
      ],
    }),
  );
}

function fromCustomer(customer: Customer, message: Record<string, unknown>): Buffer {
  return envelope({
    contacts: [{ profile: { name: customer.name }, wa_id: customer.phone, user_id: customer.userId }],
    messages: [{ from: customer.phone, from_user_id: customer.userId, ...message }],
  });
}

export function textBody(customer: Customer, wamid: string, at: number, text: string): Buffer {
  return fromCustomer(customer, { id: wamid, timestamp: seconds(at), type: "text", text: { body: text } });
}

export function imageBody(customer: Customer, wamid: string, at: number, caption: string, sha256Base64: string): Buffer {
  return fromCustomer(customer, {
    id: wamid,
    timestamp: seconds(at),
    type: "image",
    image: { caption, mime_type: "image/jpeg", sha256: sha256Base64, id: "1084512932467716" },
  });
}

export function reactionBody(customer: Customer, wamid: string, at: number, target: string, emoji: string): Buffer {
  return fromCustomer(customer, { id: wamid, timestamp: seconds(at), type: "reaction", reaction: { message_id: target, emoji } });
}

export function editBody(customer: Customer, wamid: string, at: number): Buffer {
  return fromCustomer(customer, {
    id: wamid,
    timestamp: seconds(at),
    type: "unsupported",
    unsupported: { type: "edit" },
    errors: [
      { code: 131051, title: "Message type unknown", message: "Message type unknown", error_data: { details: "Message type is currently not supported." } },
    ],
  });
}

export function statusBody(customer: Customer, wamid: string, at: number, status: "sent" | "delivered" | "read" | "failed", errorCode?: number): Buffer {
  return envelope({
    statuses: [
      {
        id: wamid,
        status,
        timestamp: seconds(at),
        recipient_id: customer.phone,
        recipient_user_id: customer.userId,
        ...(errorCode === undefined
          ? {}
          : {
              errors: [
                {
                  code: errorCode,
                  title: "Re-engagement message",
                  message: "Re-engagement message",
                  error_data: { details: "more than 24 hours have passed" },
                },
              ],
            }),
      },
    ],
  });
}

/** The delivery as the webhook journals it: the bytes and Meta's signature header under `secret`. */
export function signed(body: Buffer, secret: string): RawDelivery {
  return { body, signature: `sha256=${createHmac("sha256", secret).update(body).digest("hex")}` };
}
