/** One part of a multipart/form-data body. */
export interface FormPart {
  readonly name: string;
  readonly filename?: string;
  readonly contentType?: string;
  readonly data: Buffer;
}

/**
 * A small multipart/form-data parser (RFC 7578), enough for the uploads Meta's media endpoint receives:
 * the parts between `--boundary` lines, each with its headers and raw bytes. Malformed parts are skipped.
 */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const afterDelimiter = start + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === "--") break; // closing delimiter
    const next = body.indexOf(delimiter, afterDelimiter);
    if (next === -1) break;
    // A part runs from after the delimiter's CRLF to before the CRLF that precedes the next delimiter.
    const part = body.subarray(afterDelimiter + 2, next - 2);
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString("utf8").split("\r\n");
      const disposition = headers.find((h) => /^content-disposition:/i.test(h)) ?? "";
      const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
      const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
      const contentType = headers
        .find((h) => /^content-type:/i.test(h))
        ?.replace(/^content-type:\s*/i, "")
        .trim();
      if (name !== undefined) {
        parts.push({
          name,
          data: Buffer.from(part.subarray(headerEnd + 4)),
          ...(filename !== undefined ? { filename } : {}),
          ...(contentType ? { contentType } : {}),
        });
      }
    }
    start = next;
  }
  return parts;
}
