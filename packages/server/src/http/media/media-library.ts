import { randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError, type MessageContent } from '@parley/protocol';
import type { MessageObserver } from '../../core/message-observer.js';
import type { Store } from '../../core/store.js';
import type { StoredMessage, UserId } from '../../core/types.js';
import { probeMedia, type Probed } from './probe.js';

/** Server-generated media ids: 128 random bits, base64url. Nothing else ever names a file. */
const MEDIA_ID = /^[A-Za-z0-9_-]{22}$/;
/** A media URL as messages carry it (absolute or server-relative), original or thumbnail. */
const MEDIA_URL = /^(?:https?:\/\/[^/\s]+)?\/api\/v1\/media\/([A-Za-z0-9_-]{22})(?:\/thumbnail)?$/;

export const MEDIA_PREFIX = '/api/v1/media/';

export interface MediaMeta {
  readonly mediaId: string;
  readonly uploaderId: string;
  readonly mime: string;
  readonly size: number;
  readonly width: number;
  readonly height: number;
  readonly durationMs: number;
  readonly thumbnail: boolean;
  readonly createdAt: number;
  /**
   * Conversations whose messages reference this media, with the newest referencing seq: their
   * members who can see that message (joined at or before it) may download it.
   */
  readonly references?: Record<string, number>;
  /** Before references had seqs (older metadata): every member may download. */
  readonly conversations?: string[];
}

export function isMediaId(id: string): boolean {
  return MEDIA_ID.test(id);
}

/**
 * Uploaded media on local disk under `<dataDir>/media/`: `<id>` (the bytes), `<id>.thumb`
 * (a WebP thumbnail of images) and `<id>.json` (metadata and the referencing conversations).
 * File names are only ever built from a validated server-generated id, so no client input can
 * point outside the folder. As a MessageObserver it records which conversations reference a
 * media URL when any dialect sends a message carrying it.
 */
export class MediaLibrary implements MessageObserver {
  private readonly locks = new Map<string, Promise<unknown>>();
  private ready: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** Sniffs and probes the bytes (throws UNSUPPORTED for a type not allowed), then stores them. */
  async save(uploaderId: UserId, bytes: Buffer): Promise<MediaMeta> {
    const probed: Probed = await probeMedia(bytes);
    await this.ensureDir();
    const mediaId = randomBytes(16).toString('base64url');
    await writeFile(this.path(mediaId), bytes, { flag: 'wx' });
    if (probed.thumbnail !== undefined) {
      await writeFile(this.path(mediaId, '.thumb'), probed.thumbnail, { flag: 'wx' });
    }
    const meta: MediaMeta = {
      mediaId,
      uploaderId: String(uploaderId),
      mime: probed.mime,
      size: bytes.length,
      width: probed.width,
      height: probed.height,
      durationMs: probed.durationMs,
      thumbnail: probed.thumbnail !== undefined,
      createdAt: this.now(),
      references: {},
    };
    await this.writeMeta(meta);
    return meta;
  }

  /** The media for a reader allowed to see it; NOT_FOUND otherwise (existence is not revealed). */
  async open(
    reader: UserId,
    mediaId: string,
    thumbnail: boolean,
  ): Promise<{ meta: MediaMeta; stream: ReadStream; mime: string }> {
    const meta = await this.readMeta(mediaId);
    if (meta === undefined || !(await this.canRead(reader, meta)) || (thumbnail && !meta.thumbnail)) {
      throw new NotFoundError('no such media');
    }
    const stream = createReadStream(this.path(mediaId, thumbnail ? '.thumb' : ''));
    return { meta, stream, mime: thumbnail ? 'image/webp' : meta.mime };
  }

  async stored(message: StoredMessage, content: MessageContent): Promise<void> {
    const ids = new Set<string>();
    for (const url of [content.media?.url, content.media?.thumbnailUrl, content.remoteMediaUrl]) {
      const id = url === undefined ? undefined : MEDIA_URL.exec(url)?.[1];
      if (id !== undefined) ids.add(id);
    }
    for (const id of ids) await this.reference(id, message.senderId, message.conversationId, message.seq);
  }

  /**
   * Records that a conversation references the media, if the sender may read it (its uploader,
   * or a member of a conversation that already references it — forwarding). A URL the sender
   * cannot read grants nothing.
   */
  private reference(mediaId: string, senderId: UserId, conversationId: string, seq: number): Promise<void> {
    return this.locked(mediaId, async () => {
      const meta = await this.readMeta(mediaId);
      if (meta === undefined || (meta.references?.[conversationId] ?? 0) >= seq) return;
      if (!(await this.canRead(senderId, meta))) return;
      await this.writeMeta({ ...meta, references: { ...meta.references, [conversationId]: seq } });
    });
  }

  /**
   * The uploader, or a member who can see a message that references the media: a member who
   * joined a chatroom after the last such message cannot, as history hides it from them.
   */
  private async canRead(userId: UserId, meta: MediaMeta): Promise<boolean> {
    if (meta.uploaderId === String(userId)) return true;
    for (const [id, seq] of Object.entries(meta.references ?? {})) {
      const state = await this.store.getConversationState(userId, id);
      if (state !== undefined && state.joinSeq <= seq) return true;
    }
    for (const id of meta.conversations ?? []) {
      if ((await this.store.getConversationState(userId, id)) !== undefined) return true;
    }
    return false;
  }

  private async readMeta(mediaId: string): Promise<MediaMeta | undefined> {
    if (!isMediaId(mediaId)) return undefined;
    try {
      return JSON.parse(await readFile(this.path(mediaId, '.json'), 'utf8')) as MediaMeta;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private async writeMeta(meta: MediaMeta): Promise<void> {
    const tmp = this.path(meta.mediaId, '.json.tmp');
    await writeFile(tmp, JSON.stringify(meta));
    await rename(tmp, this.path(meta.mediaId, '.json'));
  }

  private path(mediaId: string, suffix = ''): string {
    if (!isMediaId(mediaId)) throw new NotFoundError('no such media');
    return join(this.dir, mediaId + suffix);
  }

  private ensureDir(): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
    return this.ready;
  }

  /** Serializes the read-modify-write of one media's metadata. */
  private locked(key: string, work: () => Promise<void>): Promise<void> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const next = prev.then(work, work);
    this.locks.set(key, next);
    void next
      .finally(() => {
        if (this.locks.get(key) === next) this.locks.delete(key);
      })
      .catch(() => undefined);
    return next;
  }
}
