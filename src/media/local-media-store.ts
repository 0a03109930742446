import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PermanentError, TransientError } from "../core/errors";
import type { KeptMedia, MediaStore, MediaToKeep } from "../core/ports/media-store";
import { contactFolder, safeFileName } from "./safe-name";

export interface LocalMediaStoreOptions {
  /** Folder the files go in (created if missing), e.g. `.data/media`. */
  readonly directory: string;
  /** Base URL of the bridge as people in the channel reach it; read at each `keep` (known once the server listens). */
  readonly publicBaseUrl: () => string;
  /** How long a link works after the file is kept (MEDIA_LINK_TTL_HOURS); default 24 hours, as the variable's. */
  readonly linkTtlMs?: number;
  /** Milliseconds since the epoch; the system clock unless a test gives one. */
  readonly now?: () => number;
}

/** What a served link carries besides the file's token: its expiry (seconds since the epoch) and signature. */
export interface LinkProof {
  readonly expires: string | undefined;
  readonly sig: string | undefined;
}

/** What is stored beside each file: how to serve it. */
export interface StoredFileInfo {
  readonly name: string;
  readonly mimeType: string;
  readonly quarantined: boolean;
  readonly size: number;
  readonly sha256: string;
}

/** The path prefix the bridge serves kept files under. */
export const MEDIA_ROUTE_PREFIX = "/media";
/** The folder, inside the media folder, that quarantined files are kept in: never served. */
export const QUARANTINE_FOLDER = "quarantine";
const TOKEN = /^[A-Za-z0-9_-]{32}$/;
const EXPIRES = /^\d{1,12}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;
const DEFAULT_LINK_TTL_MS = 24 * 3_600_000;

/**
 * `MediaStore` on the local disk, for local modes (demo, development): each file in its own folder named
 * by an unguessable token (an HMAC of the message id under a secret kept in the folder, so the same
 * message always maps to the same file), served by the bridge at
 * `/media/<token>/<name>?expires=<unix seconds>&sig=<HMAC of token and expiry>` (see media-routes.ts).
 * A link is a capability until it expires: anyone holding it can open the file without signing in, so
 * this store is not for production (use SharePoint). Quarantined files go to `quarantine/<token>/`
 * instead, are never served and get no link: their location is returned for the security team. `keep`
 * does file I/O; disk errors are `TransientError`s.
 */
export class LocalMediaStore implements MediaStore {
  private secret: Promise<Buffer> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: LocalMediaStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  async keep(file: MediaToKeep): Promise<KeptMedia> {
    const token = createHmac("sha256", await this.linkSecret())
      .update(`${file.contact}\n${file.wamid}`)
      .digest("base64url")
      .slice(0, 32);
    const name = safeFileName(file.name);
    const sha256 = createHash("sha256").update(file.bytes).digest("hex");
    const quarantined = file.quarantined ?? false;
    const info: StoredFileInfo = { name, mimeType: file.mimeType, quarantined, size: file.bytes.length, sha256 };
    const place = quarantined ? [QUARANTINE_FOLDER, token] : [token];
    const folder = join(this.options.directory, ...place);
    try {
      await mkdir(folder, { recursive: true });
      // Written under a temporary name first: a crash never leaves a half file under the real one.
      await writeFile(join(folder, "file.part"), file.bytes);
      await rename(join(folder, "file.part"), join(folder, "file"));
      await writeFile(join(folder, "info.json"), JSON.stringify({ ...info, contactFolder: contactFolder(file.contact) }));
    } catch (err) {
      throw new TransientError("media.local_write_failed", `could not write a media file: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (quarantined) return { location: `${place.join("/")} in the bridge's media folder (MEDIA_LOCAL_DIR)`, sha256, size: file.bytes.length };
    const base = this.options.publicBaseUrl().replace(/\/+$/, "");
    const expires = String(Math.ceil((this.now() + (this.options.linkTtlMs ?? DEFAULT_LINK_TTL_MS)) / 1000));
    const sig = this.signature(await this.linkSecret(), token, expires);
    return { link: `${base}${MEDIA_ROUTE_PREFIX}/${token}/${encodeURIComponent(name)}?expires=${expires}&sig=${sig}`, sha256, size: file.bytes.length };
  }

  /**
   * Reads a kept file by token and link proof; undefined when the token is malformed or unknown (quarantined files are never found), the link
   * has expired or its signature does not match. The proof is checked before the disk is touched, so a
   * refused link says nothing about whether the file exists. Does file I/O.
   */
  async read(token: string, proof: LinkProof): Promise<{ info: StoredFileInfo; bytes: Buffer } | undefined> {
    if (!TOKEN.test(token) || !EXPIRES.test(proof.expires ?? "") || !SIGNATURE.test(proof.sig ?? "")) return undefined;
    if (Number(proof.expires) * 1000 <= this.now()) return undefined;
    const expected = Buffer.from(this.signature(await this.linkSecret(), token, proof.expires!));
    if (!timingSafeEqual(expected, Buffer.from(proof.sig!))) return undefined;
    const folder = join(this.options.directory, token);
    try {
      const info = JSON.parse(await readFile(join(folder, "info.json"), "utf8")) as StoredFileInfo;
      return { info, bytes: await readFile(join(folder, "file")) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  /** HMAC-SHA256 of the token and expiry under a key derived from the folder's secret (a key of its own, not the token key). */
  private signature(secret: Buffer, token: string, expires: string): string {
    const key = createHmac("sha256", secret).update("media-link-signature").digest();
    return createHmac("sha256", key).update(`${token}\n${expires}`).digest("base64url");
  }

  /**
   * Retention (RETENTION_DAYS): removes every kept file last written before `olderThan` (epoch ms),
   * with its folder; the link secret stays. Returns how many files were removed. Does file I/O.
   */
  async purgeOlderThan(olderThan: number): Promise<number> {
    let removed = 0;
    for (const folder of await this.folders()) {
      const written = await stat(join(folder, "info.json")).then(
        (s) => s.mtimeMs,
        () => undefined,
      );
      if (written !== undefined && written < olderThan) {
        await rm(folder, { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }

  /**
   * Erasure: removes every file kept for one of `conversations` (conversation keys), with its folder
   * (`dryRun`: only counts). Returns how many. Does file I/O.
   */
  async eraseConversations(conversations: readonly string[], dryRun = false): Promise<number> {
    const contacts = new Set(conversations.map(contactFolder));
    let removed = 0;
    for (const folder of await this.folders()) {
      const info = await readFile(join(folder, "info.json"), "utf8").then(
        (text) => JSON.parse(text) as { contactFolder?: unknown },
        () => undefined,
      );
      if (typeof info?.contactFolder === "string" && contacts.has(info.contactFolder)) {
        if (!dryRun) await rm(folder, { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }

  /** The folders of kept files, quarantined ones included (paths); none when the folder does not exist yet. */
  private async folders(): Promise<string[]> {
    const inside = async (directory: string) => {
      const entries = await readdir(directory, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") return [];
        throw err;
      });
      return entries.filter((e) => e.isDirectory() && TOKEN.test(e.name)).map((e) => join(directory, e.name));
    };
    return [...(await inside(this.options.directory)), ...(await inside(join(this.options.directory, QUARANTINE_FOLDER)))];
  }

  /** The secret the link tokens and signatures are derived from: made once, kept in the media folder. */
  private linkSecret(): Promise<Buffer> {
    this.secret ??= (async () => {
      const path = join(this.options.directory, ".link-secret");
      try {
        return await readFile(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new PermanentError("media.local_secret_unreadable", `cannot read ${path}`, { cause: err });
      }
      await mkdir(this.options.directory, { recursive: true });
      const fresh = randomBytes(32);
      try {
        await writeFile(path, fresh, { mode: 0o600, flag: "wx" });
        return fresh;
      } catch (err) {
        // Another process wrote it first: use theirs.
        if ((err as NodeJS.ErrnoException).code === "EEXIST") return readFile(path);
        throw err;
      }
    })();
    // A failure (e.g. the folder is not writable yet) is not remembered: the next keep tries again.
    this.secret.catch(() => {
      this.secret = undefined;
    });
    return this.secret;
  }
}
