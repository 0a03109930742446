import { randomBytes } from "node:crypto";

/**
 * Pasted images as the Bot Connector serves them (docs/protocols.md B9): `GET /v3/attachments/{id}/views/original`
 * answers the bytes, only to a request carrying the bot's token (the stand-in's `authorize` decides).
 */
export interface StoredAttachment {
  readonly bytes: Buffer;
  readonly contentType: string;
}

export const ATTACHMENT_PATH = /^\/v3\/attachments\/([A-Za-z0-9_-]+)\/views\/(original|thumbnail)$/;

export class AttachmentStore {
  private readonly files = new Map<string, StoredAttachment>();
  /** Requests for attachments, with the Authorization header they carried. */
  readonly fetches: Array<{ id: string; authorization?: string }> = [];

  /** Stores bytes; returns the path of their `contentUrl` (`/v3/attachments/<id>/views/original`). */
  add(bytes: Buffer, contentType: string): string {
    const id = `0-att-${randomBytes(9).toString("base64url")}`;
    this.files.set(id, { bytes, contentType });
    return `/v3/attachments/${id}/views/original`;
  }

  get(id: string): StoredAttachment | undefined {
    return this.files.get(id);
  }
}
