import { createHmac, timingSafeEqual } from "node:crypto";

/** `sha256=` followed by exactly 64 hex digits (docs/protocols.md A3). Anything else is refused, not "fixed". */
const SIGNATURE_HEADER = /^sha256=([0-9a-fA-F]{64})$/;

const DIGEST_BYTES = 32;
const received = Buffer.alloc(DIGEST_BYTES);
const expected = Buffer.alloc(DIGEST_BYTES);

/**
 * Checks Meta's `X-Hub-Signature-256` header against the request body (docs/protocols.md A3).
 *
 * Contract: returns true only if `header` is exactly `sha256=<64 hex digits>` (either case) and equals the
 * HMAC-SHA256 of `rawBody` (the exact bytes received, never re-serialised JSON: re-encoding changes
 * non-ASCII text and breaks the signature) keyed with `appSecret`. Returns false for a missing header,
 * `sha1=`, a missing prefix, a wrong length, non-hex digits or an empty secret. Never throws; the
 * comparison is constant-time on two 32-byte buffers.
 */
export function verifySignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!appSecret || typeof header !== "string") return false;
  const match = SIGNATURE_HEADER.exec(header);
  if (!match?.[1]) return false;
  // Both digests are decoded into two fixed 32-byte buffers (64 hex digits checked above): no allocation
  // per request, and `timingSafeEqual` always compares 32 bytes with 32. Safe to share: nothing awaits here.
  const receivedBytes = received.write(match[1], 0, "hex");
  const expectedBytes = expected.write(createHmac("sha256", appSecret).update(rawBody).digest("hex"), 0, "hex");
  return receivedBytes === DIGEST_BYTES && expectedBytes === DIGEST_BYTES && timingSafeEqual(received, expected);
}

/** The header value Meta would send for `rawBody`: `sha256=<lowercase hex>`. */
export function computeSignatureHeader(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac("sha256", appSecret).update(rawBody).digest("hex")}`;
}
