import { create } from '@bufbuild/protobuf';
import {
  BadRequestError,
  ContentType,
  JimFileFormat,
  JimImageFormat,
  JimVideoFormat,
  MessageContentSchema,
  jimFormatMime,
  jimMimeFormat,
  type JimEnvelope,
  type JimMessageBody,
  type MediaInfo,
  type MessageContent,
} from '@parley/protocol';

/**
 * Jim bodies ↔ Parley's MessageContent (docs/protocols/jim.md has the table). Core validates the
 * result (urls, lengths, coordinates); this only translates.
 */

const MAX_DURATION_MS = 0xffff_ffff;

function secondsToMs(seconds: number): number {
  const ms = Math.round(seconds * 1000);
  if (ms > MAX_DURATION_MS) throw new BadRequestError('seconds is too large');
  return ms;
}

/** A format number stored as given (0 when Jim said "unknown", -1). */
function storedFormat(format: number): number {
  return format >= 0 ? format : 0;
}

/** A Jim message body (B101/B102 from a client) as the content core stores. */
export function jimToContent(body: JimMessageBody): MessageContent {
  switch (body.type) {
    case 'text':
      return create(MessageContentSchema, { contentType: ContentType.TEXT, text: body.data.content });
    case 'face':
      return create(MessageContentSchema, { contentType: ContentType.FACE, text: body.data.symbol });
    case 'sound': {
      const d = body.data;
      return create(MessageContentSchema, {
        contentType: ContentType.SOUND,
        media: { url: d.url, size: BigInt(d.size), durationMs: secondsToMs(d.seconds) },
      });
    }
    case 'image': {
      const d = body.data;
      return create(MessageContentSchema, {
        contentType: ContentType.IMAGE,
        media: {
          url: d.bigUrl,
          size: BigInt(d.size),
          mime: jimFormatMime(JimImageFormat, d.format),
          format: storedFormat(d.format),
          width: d.width,
          height: d.height,
          thumbnailUrl: d.iconUrl,
        },
      });
    }
    case 'file': {
      const d = body.data;
      return create(MessageContentSchema, {
        contentType: ContentType.FILE,
        media: {
          url: d.url,
          size: BigInt(d.size),
          name: d.name,
          mime: jimFormatMime(JimFileFormat, d.format),
          format: storedFormat(d.format),
          thumbnailUrl: d.thumbUrl,
        },
      });
    }
    case 'video': {
      const d = body.data;
      return create(MessageContentSchema, {
        contentType: ContentType.VIDEO,
        media: {
          url: d.url,
          size: BigInt(d.size),
          durationMs: secondsToMs(d.seconds),
          mime: jimFormatMime(JimVideoFormat, d.format),
          format: storedFormat(d.format),
          thumbnailUrl: d.thumbUrl,
          thumbnailSize: BigInt(d.thumbSize),
          thumbnailWidth: d.thumbWidth,
          thumbnailHeight: d.thumbHeight,
        },
      });
    }
    case 'location': {
      let { lat, lng } = body.data;
      // The seed's own example swaps them (lat 116.53, lng 40.02: Beijing): take the one that
      // can only be a longitude as the longitude.
      if (Math.abs(lat) > 90 && Math.abs(lng) <= 90) [lat, lng] = [lng, lat];
      return create(MessageContentSchema, {
        contentType: ContentType.LOCATION,
        location: {
          latitude: lat,
          longitude: lng,
          title: body.data.desc,
          mapUrl: body.data.mapLink,
          coverUrl: body.data.coverImage,
        },
      });
    }
  }
}

/**
 * The seed format number of stored media: from the MIME type when it is in the table; else the
 * stored number when there is no MIME type at all (a Jim client sent it); else -1 (unknown).
 */
function formatOf(table: readonly string[], media: MediaInfo): number {
  const fromMime = jimMimeFormat(table, media.mime);
  if (fromMime >= 0) return fromMime;
  return media.mime === '' && media.format < table.length ? media.format : -1;
}

const IMAGE_EXTENSIONS: Readonly<Record<string, number>> = { jpg: 0, jpeg: 0, gif: 1, png: 2, bmp: 3 };

/** A thumbnail's image format from its url's extension (Parley stores no thumbnail type). */
function thumbFormatOf(url: string): number {
  const ext = /\.([A-Za-z]{3,4})(?:[?#].*)?$/.exec(url)?.[1]?.toLowerCase();
  return ext === undefined ? -1 : (IMAGE_EXTENSIONS[ext] ?? -1);
}

function sizeOf(n: bigint): number {
  return Number(n);
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}

/**
 * Stored content as a Jim body from `envelope`'s sender, or undefined when Jim has no type for it
 * (system events, custom content): those go out as a B103 notice with `readableLine`.
 */
export function contentToJim(content: MessageContent, envelope: JimEnvelope): JimMessageBody | undefined {
  const media = content.media;
  switch (content.contentType) {
    case ContentType.TEXT:
      return { type: 'text', data: { ...envelope, content: content.text } };
    case ContentType.FACE:
      return { type: 'face', data: { ...envelope, symbol: content.text } };
    case ContentType.SOUND:
      if (media === undefined) return undefined;
      return {
        type: 'sound',
        data: { ...envelope, url: media.url, size: sizeOf(media.size), seconds: seconds(media.durationMs) },
      };
    case ContentType.IMAGE:
    case ContentType.STICKER:
      // A sticker is an image to a Jim client.
      if (media === undefined) return undefined;
      return {
        type: 'image',
        data: {
          ...envelope,
          format: formatOf(JimImageFormat, media),
          size: sizeOf(media.size),
          width: media.width,
          height: media.height,
          iconUrl: media.thumbnailUrl,
          bigUrl: media.url,
        },
      };
    case ContentType.FILE:
      if (media === undefined) return undefined;
      return {
        type: 'file',
        data: {
          ...envelope,
          size: sizeOf(media.size),
          name: media.name,
          format: formatOf(JimFileFormat, media),
          thumbUrl: media.thumbnailUrl,
          url: media.url,
        },
      };
    case ContentType.VIDEO:
      if (media === undefined) return undefined;
      return {
        type: 'video',
        data: {
          ...envelope,
          size: sizeOf(media.size),
          seconds: seconds(media.durationMs),
          url: media.url,
          format: formatOf(JimVideoFormat, media),
          thumbUrl: media.thumbnailUrl,
          thumbSize: sizeOf(media.thumbnailSize),
          thumbWidth: media.thumbnailWidth,
          thumbHeight: media.thumbnailHeight,
          thumbFormat: thumbFormatOf(media.thumbnailUrl),
        },
      };
    case ContentType.LOCATION: {
      const loc = content.location;
      if (loc === undefined) return undefined;
      return {
        type: 'location',
        data: {
          ...envelope,
          coverImage: loc.coverUrl,
          lat: loc.latitude,
          lng: loc.longitude,
          mapLink: loc.mapUrl,
          desc: loc.title !== '' ? loc.title : loc.address,
        },
      };
    }
    default:
      return undefined;
  }
}

const TYPE_NAMES: Readonly<Record<number, string>> = {
  [ContentType.SOUND]: 'voice',
  [ContentType.IMAGE]: 'image',
  [ContentType.LOCATION]: 'location',
  [ContentType.FILE]: 'file',
  [ContentType.VIDEO]: 'video',
  [ContentType.STICKER]: 'sticker',
};

/** One readable line for content a Jim client cannot show as its own type. */
export function readableLine(content: MessageContent): string {
  switch (content.contentType) {
    case ContentType.SYSTEM:
      return content.text !== '' ? content.text : `[${content.system?.kind ?? 'system'}]`;
    case ContentType.CUSTOM: {
      const text = content.pushContent !== '' ? content.pushContent : content.searchableContent;
      return `[${content.customType}]${text !== '' ? ` ${text}` : ''}`;
    }
    case ContentType.TEXT:
    case ContentType.FACE:
    case ContentType.RED_PACKET:
    case ContentType.CALL:
      return content.text;
    case ContentType.ENCRYPTED:
      return '[encrypted message: open it in a Parley app]';
    default: {
      const name = TYPE_NAMES[content.contentType] ?? 'message';
      const url = content.media?.url ?? content.location?.mapUrl ?? '';
      return `[${name}]${url !== '' ? ` ${url}` : ''}`;
    }
  }
}
