import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for the parts of Microsoft Graph the bridge uses, on 127.0.0.1, speaking Graph's
 * documented wire format: driveItem uploads for the SharePoint media store
 * (`PUT /v1.0/drives/{drive}/root:/{path}:/content`, `POST …:/createUploadSession` then
 * `PUT <uploadUrl>` with `Content-Range` chunks, which must not carry the token), a group's drive
 * (`GET /v1.0/groups/{group}/drive`: the team site's "Documents" library) and group membership
 * (`POST /v1.0/users/{id}/checkMemberGroups`, answering which of the asked groups the user is in).
 * Dev-only: production code never imports tools/.
 */

export interface StoredDriveFile {
  readonly driveId: string;
  readonly path: string;
  readonly bytes: Buffer;
  readonly contentType?: string;
  readonly webUrl: string;
}

export interface MicrosoftGraphStandin {
  /** Base URL including the version, e.g. `http://127.0.0.1:PORT/v1.0`. */
  readonly url: string;
  /** Files by `driveId/path` (path decoded). */
  readonly files: ReadonlyMap<string, StoredDriveFile>;
  /** Every request: method, path, whether it carried a Bearer token. */
  readonly requests: ReadonlyArray<{ readonly method: string; readonly path: string; readonly authorized: boolean; readonly contentRange?: string }>;
  /** The next `times` requests are answered with `status` (and `Retry-After` when given). */
  failNext(status: number, times?: number, retryAfterSeconds?: number): void;
  close(): Promise<void>;
}

interface Session {
  readonly driveId: string;
  readonly path: string;
  readonly chunks: Buffer[];
  received: number;
  total?: number;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { "content-type": "application/json" } : {}), ...headers });
  res.end(text);
};
const graphError = (code: string, message: string) => ({ error: { code, message } });

/**
 * Starts the stand-in. `drives` are the drive ids that exist; a request is authorised when its header is
 * `Bearer <accessToken>`, or when `authorize` accepts it (e.g. a managed-identity token of a local issuer).
 */
export async function startMicrosoftGraphStandin(options: {
  drives: readonly string[];
  accessToken?: string;
  authorize?: (authorization: string) => boolean;
  /** Each team's group id and its site's drive id (which must be among `drives` to take uploads). */
  groupDrives?: Readonly<Record<string, string>>;
  /** Entra groups and the object ids of their members (nested groups already flattened). */
  groupMembers?: Readonly<Record<string, readonly string[]>>;
}): Promise<MicrosoftGraphStandin> {
  const files = new Map<string, StoredDriveFile>();
  const sessions = new Map<string, Session>();
  const requests: Array<{ method: string; path: string; authorized: boolean; contentRange?: string }> = [];
  const failures: Array<{ status: number; retryAfterSeconds?: number }> = [];
  let origin = "";

  const store = (driveId: string, path: string, bytes: Buffer, contentType?: string): object => {
    const webUrl = `https://contoso.sharepoint.com/sites/support/Shared%20Documents/${path.split("/").map(encodeURIComponent).join("/")}`;
    files.set(`${driveId}/${path}`, { driveId, path, bytes, ...(contentType ? { contentType } : {}), webUrl });
    return {
      id: randomBytes(8).toString("hex"),
      name: path.split("/").at(-1),
      size: bytes.length,
      webUrl,
      file: { mimeType: contentType ?? "application/octet-stream" },
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://standin");
    const method = req.method ?? "GET";
    const header = req.headers.authorization ?? "";
    const authorized =
      (options.accessToken !== undefined && header === `Bearer ${options.accessToken}`) || (!!header && (options.authorize?.(header) ?? false));
    const contentRange = req.headers["content-range"];
    requests.push({
      method,
      path: url.pathname,
      authorized: !!req.headers.authorization && authorized,
      ...(typeof contentRange === "string" ? { contentRange } : {}),
    });
    const body = await readBody(req);
    const failure = failures.shift();
    if (failure)
      return send(
        res,
        failure.status,
        graphError("serviceNotAvailable", "scripted"),
        failure.retryAfterSeconds ? { "retry-after": String(failure.retryAfterSeconds) } : {},
      );

    const session = /^\/upload-sessions\/([a-f0-9]+)$/.exec(url.pathname);
    if (session && method === "PUT") {
      // Graph: do not send the Authorization header to the upload URL.
      if (req.headers.authorization) return send(res, 401, graphError("unauthenticated", "the upload URL is pre-authenticated"));
      const s = sessions.get(session[1]!);
      const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(typeof contentRange === "string" ? contentRange : "");
      if (!s || !range) return send(res, 400, graphError("invalidRequest", "bad session or Content-Range"));
      const [start, end, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
      if (start !== s.received || end - start + 1 !== body.length) return send(res, 416, graphError("invalidRange", "unexpected range"));
      s.chunks.push(body);
      s.received = end + 1;
      s.total = total;
      if (s.received < total)
        return send(res, 202, { expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(), nextExpectedRanges: [`${s.received}-`] });
      sessions.delete(session[1]!);
      return send(res, 201, store(s.driveId, s.path, Buffer.concat(s.chunks)));
    }

    const groupDrive = /^\/v1\.0\/groups\/([^/]+)\/drive$/.exec(url.pathname);
    if (groupDrive && method === "GET") {
      if (!authorized) return send(res, 401, graphError("InvalidAuthenticationToken", "Access token is empty or invalid."));
      const group = decodeURIComponent(groupDrive[1]!);
      const driveId = options.groupDrives?.[group];
      if (!driveId) return send(res, 404, graphError("itemNotFound", "The resource could not be found."));
      return send(res, 200, {
        id: driveId,
        driveType: "documentLibrary",
        name: "Documents",
        webUrl: `https://contoso.sharepoint.com/sites/${group.slice(0, 8)}/Shared%20Documents`,
      });
    }
    const memberGroups = /^\/v1\.0\/users\/([^/]+)\/checkMemberGroups$/.exec(url.pathname);
    if (memberGroups && method === "POST") {
      if (!authorized) return send(res, 401, graphError("InvalidAuthenticationToken", "Access token is empty or invalid."));
      const user = decodeURIComponent(memberGroups[1]!).toLowerCase();
      const asked = (JSON.parse(body.toString("utf8") || "{}") as { groupIds?: unknown }).groupIds;
      if (!Array.isArray(asked) || asked.length === 0 || asked.length > 20)
        return send(res, 400, graphError("Request_BadRequest", "groupIds must list 1 to 20 group ids."));
      const known = Object.values(options.groupMembers ?? {}).some((members) => members.some((m) => m.toLowerCase() === user));
      if (!known && !/^[0-9a-f-]{36}$/i.test(user)) return send(res, 404, graphError("Request_ResourceNotFound", "Resource does not exist."));
      const value = asked.filter((g): g is string => typeof g === "string" && (options.groupMembers?.[g] ?? []).some((m) => m.toLowerCase() === user));
      return send(res, 200, { "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)", value });
    }

    const item = /^\/v1\.0\/drives\/([^/]+)\/root:\/(.+):\/(content|createUploadSession)$/.exec(url.pathname);
    if (!item) return send(res, 400, graphError("invalidRequest", `no route for ${method} ${url.pathname}`));
    if (!authorized) return send(res, 401, graphError("InvalidAuthenticationToken", "Access token is empty or invalid."));
    const driveId = decodeURIComponent(item[1]!);
    const path = item[2]!.split("/").map(decodeURIComponent).join("/");
    if (!options.drives.includes(driveId)) return send(res, 404, graphError("itemNotFound", "The resource could not be found."));
    if (item[3] === "content" && method === "PUT") {
      const contentType = req.headers["content-type"];
      return send(res, 201, store(driveId, path, body, typeof contentType === "string" ? contentType : undefined));
    }
    if (item[3] === "createUploadSession" && method === "POST") {
      const id = randomBytes(8).toString("hex");
      sessions.set(id, { driveId, path, chunks: [], received: 0 });
      return send(res, 200, { uploadUrl: `${origin}/upload-sessions/${id}`, expirationDateTime: new Date(Date.now() + 3_600_000).toISOString() });
    }
    return send(res, 405, graphError("invalidRequest", "method not allowed"));
  };

  const server = createServer((req, res) => void handle(req, res).catch((err: unknown) => send(res, 500, graphError("generalException", String(err)))));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/v1.0`,
    files,
    requests,
    failNext: (status, times = 1, retryAfterSeconds) => {
      for (let i = 0; i < times; i++) failures.push({ status, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
