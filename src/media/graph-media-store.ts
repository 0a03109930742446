import { createHash } from "node:crypto";
import type { TokenCredential } from "@azure/identity";
import { PermanentError, TransientError } from "../core/errors";
import type { KeptMedia, MediaStore, MediaToKeep } from "../core/ports/media-store";
import { BoundedCache } from "../core/bounded-cache";
import { graphToken } from "./graph-token";
import { contactFolder, safeFileName, storedFileName } from "./safe-name";

export interface GraphMediaStoreOptions {
  /** Microsoft Graph base including the version, default `https://graph.microsoft.com/v1.0`. */
  readonly msGraphUrl?: string;
  /** App token source (@azure/identity: managed identity in Azure). Needs `Sites.Selected` with write on each team's site. */
  readonly credential: TokenCredential;
  /**
   * One document library for every team (MEDIA_SHAREPOINT_DRIVE_ID, an override). Unset (the default):
   * each file goes to its own team's site, the library of the team's group (`MediaToKeep.teamGroupId`).
   */
  readonly driveId?: string;
  /** Folder inside each channel's folder, default `WhatsApp media`. */
  readonly folder?: string;
  /** Per request. Default 60 s. */
  readonly timeoutMs?: number;
  /** Files up to this size go in one request; larger ones through an upload session. Default 4 MiB. */
  readonly simpleUploadMaxBytes?: number;
  /** Upload session chunk size, a multiple of 320 KiB (Graph's rule). Default 5 MiB (16 × 320 KiB). */
  readonly chunkBytes?: number;
  readonly fetch?: typeof fetch;
}

const CHUNK_UNIT = 320 * 1024;

interface DriveItem {
  readonly id?: string;
  readonly webUrl?: string;
  readonly size?: number;
}

/** Team drives are looked up once in a while (a team's library does not move), for at most this many teams. */
const DRIVE_CACHE = { capacity: 500, ttlMs: 6 * 3_600_000 };

/**
 * `MediaStore` in SharePoint through Microsoft Graph (production): each file goes to
 * `<channel name>/<folder>/<customer-hash>/[Quarantine/]<hash>-<name>` in the linked team's own site
 * (its group's "Documents" library, `GET /groups/{group}/drive`, unless one library is configured for
 * all), i.e. inside the linked channel's own files folder (a standard channel's Files tab is the
 * library's folder named after the channel), so the channel's members can open it and the tenant's
 * retention for that team covers it. Never one team's file in another team's site. Small files: `PUT /drives/{drive}/root:/{path}:/content`; larger: `createUploadSession` and chunked
 * `PUT`s to the session URL (which must not carry the token). The same message's file replaces itself
 * (`conflictBehavior=replace`). Throttling, 5xx and network errors are `TransientError`s.
 */
export class GraphMediaStore implements MediaStore {
  private readonly msGraphUrl: string;
  private readonly fetchFn: typeof fetch;
  private readonly drives = new BoundedCache<string>({ ...DRIVE_CACHE, now: Date.now });

  constructor(private readonly options: GraphMediaStoreOptions) {
    this.msGraphUrl = (options.msGraphUrl ?? "https://graph.microsoft.com/v1.0").replace(/\/+$/, "");
    this.fetchFn = options.fetch ?? fetch;
    const chunk = options.chunkBytes ?? 16 * CHUNK_UNIT;
    if (chunk % CHUNK_UNIT !== 0) throw new Error("chunkBytes must be a multiple of 320 KiB");
  }

  async keep(file: MediaToKeep): Promise<KeptMedia> {
    const channelFolder = safeFileName(file.channel.channelName ?? file.channel.channelId, "channel");
    const segments = [
      channelFolder,
      safeFileName(this.options.folder ?? "WhatsApp media"),
      contactFolder(file.contact),
      ...(file.quarantined ? ["Quarantine"] : []),
      storedFileName(file.wamid, file.quarantined ? `${file.name}.quarantined` : file.name),
    ];
    const path = segments.map(encodeURIComponent).join("/");
    const token = await this.token();
    const driveId = await this.driveOf(file, token);
    const itemUrl = `${this.msGraphUrl}/drives/${encodeURIComponent(driveId)}/root:/${path}:`;
    const item =
      file.bytes.length <= (this.options.simpleUploadMaxBytes ?? 4 * 1024 * 1024)
        ? await this.simpleUpload(itemUrl, token, file)
        : await this.sessionUpload(itemUrl, token, file);
    if (!item.webUrl) throw new PermanentError("media.graph_no_link", "Graph stored the file but returned no webUrl");
    const sha256 = createHash("sha256").update(file.bytes).digest("hex");
    // A quarantined file's place, in words (the core shows it instead of a link): the channel's Files tab.
    const location = file.quarantined ? `${segments.join(" › ")} (the channel's files)` : undefined;
    return { link: item.webUrl, sha256, size: file.bytes.length, ...(location ? { location } : {}) };
  }

  /** The configured library, else the file's team's own (`GET /groups/{group}/drive`), cached. */
  private async driveOf(file: MediaToKeep, token: string): Promise<string> {
    if (this.options.driveId) return this.options.driveId;
    const group = file.teamGroupId;
    if (!group) {
      throw new PermanentError("media.no_team_site", "the channel's link does not know its team's group, so its SharePoint site is unknown", {
        userMessage: "the bridge does not know this channel's team site: an admin should run `link` in the channel again",
      });
    }
    const cached = this.drives.get(group);
    if (cached) return cached;
    const drive = await this.request<{ id?: unknown }>("groupDrive", `${this.msGraphUrl}/groups/${encodeURIComponent(group)}/drive?$select=id`, {
      method: "GET",
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
    });
    if (typeof drive.id !== "string" || !drive.id) throw new PermanentError("media.graph_no_drive", "Graph returned the team's drive without an id");
    this.drives.set(group, drive.id);
    return drive.id;
  }

  private token(): Promise<string> {
    return graphToken(this.options.credential, "media.graph_token_failed");
  }

  private async simpleUpload(itemUrl: string, token: string, file: MediaToKeep): Promise<DriveItem> {
    return this.request("upload", `${itemUrl}/content?@microsoft.graph.conflictBehavior=replace`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": file.mimeType },
      body: new Uint8Array(file.bytes),
    });
  }

  private async sessionUpload(itemUrl: string, token: string, file: MediaToKeep): Promise<DriveItem> {
    const session = await this.request<{ uploadUrl?: string }>("createUploadSession", `${itemUrl}/createUploadSession`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ item: { "@microsoft.graph.conflictBehavior": "replace" } }),
    });
    if (!session.uploadUrl) throw new PermanentError("media.graph_no_session", "createUploadSession returned no uploadUrl");
    const chunk = this.options.chunkBytes ?? 16 * CHUNK_UNIT;
    const total = file.bytes.length;
    let last: DriveItem = {};
    for (let start = 0; start < total; start += chunk) {
      const end = Math.min(start + chunk, total);
      // The session URL is pre-authorised: sending the token there is refused by Graph (and needless).
      last = await this.request("uploadChunk", session.uploadUrl, {
        method: "PUT",
        headers: { "content-range": `bytes ${start}-${end - 1}/${total}`, "content-type": "application/octet-stream" },
        body: new Uint8Array(file.bytes.subarray(start, end)),
      });
    }
    return last;
  }

  private async request<T extends object = DriveItem>(operation: string, url: string, init: RequestInit): Promise<T> {
    let response: Response;
    let text: string;
    try {
      response = await this.fetchFn(url, { ...init, redirect: "error", signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000) });
      text = await response.text();
    } catch (err) {
      throw new TransientError("media.graph_unreachable", `Graph ${operation} failed: ${err instanceof Error ? err.name : "error"}`, { cause: err });
    }
    if (response.status === 429 || response.status >= 500) {
      const retryAfter = Number(response.headers.get("retry-after"));
      throw new TransientError(
        "media.graph_busy",
        `Graph ${operation} answered HTTP ${response.status}`,
        Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {},
      );
    }
    if (response.status < 200 || response.status > 299) {
      throw new PermanentError("media.graph_refused", `Graph ${operation} answered HTTP ${response.status}: ${graphErrorCode(text)}`, {
        userMessage: "SharePoint refused the file (check that the bridge's identity was granted the team's site, and MEDIA_SHAREPOINT_DRIVE_ID if set)",
      });
    }
    try {
      return (text ? JSON.parse(text) : {}) as T;
    } catch (err) {
      throw new PermanentError("media.graph_bad_answer", `Graph ${operation} answered with a body that is not JSON`, { cause: err });
    }
  }
}

/** Graph's `error.code` only (its message may quote paths). */
function graphErrorCode(text: string): string {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    return typeof code === "string" ? code : "unknown error";
  } catch (err) {
    if (err instanceof SyntaxError) return "unknown error";
    throw err;
  }
}
