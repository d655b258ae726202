import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { BadRequestError } from '@parley/protocol';
import { sessionOf, type ApiDeps } from '../context.js';
import { MEDIA_PREFIX, type MediaMeta } from '../media/media-library.js';
import { authed } from '../schemas.js';

const MediaParams = Type.Object(
  { mediaId: Type.String({ pattern: '^[A-Za-z0-9_-]{22}$' }) },
  { additionalProperties: false },
);
type MediaParams = Static<typeof MediaParams>;

const MediaJson = Type.Object({
  mediaId: Type.String(),
  url: Type.String(),
  mime: Type.String(),
  size: Type.Integer(),
  width: Type.Integer(),
  height: Type.Integer(),
  durationMs: Type.Integer(),
  thumbnailUrl: Type.Union([Type.String(), Type.Null()]),
});

function mediaJson(meta: MediaMeta): Static<typeof MediaJson> {
  const url = MEDIA_PREFIX + meta.mediaId;
  return {
    mediaId: meta.mediaId,
    url,
    mime: meta.mime,
    size: meta.size,
    width: meta.width,
    height: meta.height,
    durationMs: meta.durationMs,
    thumbnailUrl: meta.thumbnail ? `${url}/thumbnail` : null,
  };
}

/** Kinds a browser may show inline; anything else downloads as an attachment. */
const INLINE = /^(image|audio|video)\//;

/**
 * POST /api/v1/media (multipart, one file part) and downloads. The type is sniffed from the
 * bytes; the client's file name and mime type are ignored. Downloads are for the uploader and the
 * members of a conversation whose message references the media; anyone else gets 404.
 */
export function mediaRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const config = { auth: true };
  const tags = ['media'];

  app.post(
    '/api/v1/media',
    {
      config,
      schema: authed({
        tags,
        summary: `Upload one file (multipart/form-data, field "file", at most ${deps.config.mediaMaxBytes} bytes)`,
        consumes: ['multipart/form-data'],
        response: { 201: MediaJson },
      }),
    },
    async (req, reply) => {
      const session = sessionOf(req);
      if (!req.isMultipart()) throw new BadRequestError('send multipart/form-data with one file part');
      const part = await req.file();
      if (part === undefined) throw new BadRequestError('no file part');
      // Throws 413 (TOO_LARGE) past the limit, before anything touches the disk.
      const bytes = await part.toBuffer();
      const meta = await deps.media.save(session.userId, bytes);
      return reply.status(201).send(mediaJson(meta));
    },
  );

  const download =
    (thumbnail: boolean) => async (req: FastifyRequest<{ Params: MediaParams }>, reply: FastifyReply) => {
      const { meta, stream, mime } = await deps.media.open(
        sessionOf(req).userId,
        req.params.mediaId,
        thumbnail,
      );
      return reply
        .type(mime)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, max-age=86400')
        .header(
          'content-disposition',
          INLINE.test(mime) ? 'inline' : `attachment; filename="${meta.mediaId}"`,
        )
        .send(stream);
    };

  app.get<{ Params: MediaParams }>(
    '/api/v1/media/:mediaId',
    {
      config,
      schema: authed({
        tags,
        summary: 'Download (uploader or members of a referencing conversation)',
        params: MediaParams,
      }),
    },
    download(false),
  );

  app.get<{ Params: MediaParams }>(
    '/api/v1/media/:mediaId/thumbnail',
    {
      config,
      schema: authed({ tags, summary: 'Image thumbnail (WebP), same access rule', params: MediaParams }),
    },
    download(true),
  );
}
