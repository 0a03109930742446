import type { IncomingMessage, ServerResponse } from "node:http";
import type { CustomerMessageInput } from "./customer-message";

/** Shared pieces of the simulator's JSON API (web-routes.ts, group-web-routes.ts). */

/** Files the page may upload: base64 in JSON, so the body is about 4/3 of this. */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
const MAX_BODY_BYTES = Math.ceil(MAX_UPLOAD_BYTES * 1.4) + 64 * 1024;

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

// Never chain `writeHead(...).end()`: restify, when loaded in the same process (tests), patches
// ServerResponse.writeHead and its version returns nothing.
export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
  response.end(body);
}

export function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new HttpProblem(413, `the file is too large (at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB here)`));
      else chunks.push(chunk);
    });
    request.on("end", () => {
      try {
        const value = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
        if (!value || typeof value !== "object" || Array.isArray(value)) throw new HttpProblem(400, "the body must be a JSON object");
        resolveBody(value as Record<string, unknown>);
      } catch (err) {
        reject(err instanceof SyntaxError ? new HttpProblem(400, "the body is not JSON") : err);
      }
    });
    request.on("error", reject);
  });
}

export const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** Turns the page's JSON into a customer message; throws HttpProblem(400) on anything malformed. */
export function messageInput(body: Record<string, unknown>): CustomerMessageInput {
  switch (body.type) {
    case "text": {
      const t = text(body.text)?.trim();
      if (!t) throw new HttpProblem(400, "type a message first");
      return { type: "text", text: t, ...(text(body.replyTo) ? { replyTo: text(body.replyTo)! } : {}) };
    }
    case "image":
    case "document": {
      const bytes = Buffer.from(text(body.dataBase64) ?? "", "base64");
      const mimeType = text(body.mimeType) || "application/octet-stream";
      if (bytes.length === 0) throw new HttpProblem(400, "the file is empty");
      if (bytes.length > MAX_UPLOAD_BYTES) throw new HttpProblem(413, `the file is too large (at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB here)`);
      if (body.type === "image" && !/^image\/(jpeg|png)$/.test(mimeType))
        throw new HttpProblem(400, "WhatsApp images are JPEG or PNG; send other files as a document");
      const filename = text(body.filename);
      const caption = text(body.caption)?.trim();
      return { type: body.type, bytes, mimeType, ...(filename ? { filename } : {}), ...(caption ? { caption } : {}) };
    }
    case "location": {
      const latitude = Number(body.latitude);
      const longitude = Number(body.longitude);
      if (!Number.isFinite(latitude) || Math.abs(latitude) > 90 || !Number.isFinite(longitude) || Math.abs(longitude) > 180)
        throw new HttpProblem(400, "latitude and longitude must be numbers");
      const name = text(body.name)?.trim();
      const address = text(body.address)?.trim();
      return { type: "location", latitude, longitude, ...(name ? { name } : {}), ...(address ? { address } : {}) };
    }
    case "reaction": {
      const messageId = text(body.messageId);
      if (!messageId) throw new HttpProblem(400, "which message?");
      return { type: "reaction", messageId, emoji: text(body.emoji) ?? "" };
    }
    default:
      throw new HttpProblem(400, "unknown message type");
  }
}
