import { create, toBinary } from '@bufbuild/protobuf';
import {
  BadRequestError,
  ContentType,
  MessageContentSchema,
  TooLargeError,
  isContentType,
  type MessageContent,
} from '@parley/protocol';
import { blankControlChars, isMediaUrl } from './text-rules.js';
import { requireOpaqueContent } from './end-to-end-content.js';

/**
 * Validation of message content. The protobuf MessageContent is Parley's content model for every
 * dialect (they all build one), so it is checked here once, not per gateway.
 */
export interface ContentLimits {
  readonly maxTextLength: number;
  readonly maxContentBytes: number;
}

export const DEFAULT_CONTENT_LIMITS: ContentLimits = { maxTextLength: 10_000, maxContentBytes: 64 * 1024 };

function requireUrl(url: string | undefined, what: string): void {
  if (url === undefined || !isMediaUrl(url)) throw new BadRequestError(`${what} needs a valid media url`);
}

export interface ValidContent {
  /** The content to store, with client-local fields cleared. */
  readonly content: MessageContent;
  readonly bytes: Uint8Array;
  readonly searchText: string;
}

/**
 * `authoredByServer`: content a core service builds (red packets, call records); a client's
 * content of those types is refused, or anybody could post a packet that moves no money.
 */
export function validateContent(
  input: MessageContent | undefined,
  limits: ContentLimits,
  authoredByServer = false,
  /**
   * `input` as the client encoded it, when the dialect has those bytes (native MS): stored as
   * they are unless something must be cleared, which saves re-encoding every message.
   */
  encoded?: Uint8Array,
): ValidContent {
  if (input === undefined) throw new BadRequestError('message content is missing');
  const type = input.contentType;
  if (!isContentType(type) || type === ContentType.UNKNOWN) {
    throw new BadRequestError(`unknown content type ${type}`);
  }
  if (input.text.length > limits.maxTextLength || input.searchableContent.length > limits.maxTextLength) {
    throw new TooLargeError(`text longer than ${limits.maxTextLength} characters`);
  }
  let searchText = input.searchableContent;
  switch (type) {
    case ContentType.TEXT:
      if (input.text.trim() === '') throw new BadRequestError('text message is empty');
      searchText ||= input.text;
      break;
    case ContentType.FACE:
      if (input.text === '' || input.text.length > 64) throw new BadRequestError('face needs a symbol');
      break;
    case ContentType.SOUND:
    case ContentType.IMAGE:
    case ContentType.VIDEO:
    case ContentType.STICKER:
      requireUrl(input.media?.url, 'media content');
      break;
    case ContentType.FILE:
      requireUrl(input.media?.url, 'file content');
      searchText ||= input.media?.name ?? '';
      break;
    case ContentType.LOCATION: {
      const loc = input.location;
      if (loc === undefined || !(Math.abs(loc.latitude) <= 90 && Math.abs(loc.longitude) <= 180)) {
        throw new BadRequestError('location needs a latitude in [-90, 90] and a longitude in [-180, 180]');
      }
      searchText ||= [loc.title, loc.address].filter((s) => s !== '').join(' ');
      break;
    }
    case ContentType.CUSTOM:
      if (input.customType === '') throw new BadRequestError('custom content needs a custom type');
      break;
    case ContentType.SYSTEM:
      throw new BadRequestError('system messages are written by the server');
    case ContentType.RED_PACKET:
    case ContentType.CALL:
      if (!authoredByServer) {
        throw new BadRequestError('red packets and call records are written by the server');
      }
      searchText ||= input.text;
      break;
    case ContentType.ENCRYPTED:
      // End-to-end: stored and forwarded as it came, never indexed.
      requireOpaqueContent(input);
      searchText = '';
      break;
    case ContentType.TYPING:
      // Transient; the caller handles it before validation.
      throw new BadRequestError('typing is not a storable message');
  }
  let content = input;
  let bytes = encoded;
  if (bytes === undefined || input.localMediaPath !== '') {
    content = create(MessageContentSchema, { ...input, localMediaPath: '' });
    bytes = toBinary(MessageContentSchema, content);
  }
  if (bytes.length > limits.maxContentBytes) {
    throw new TooLargeError(`content of ${bytes.length} bytes exceeds ${limits.maxContentBytes}`);
  }
  // PostgreSQL text cannot hold NUL; search has no use for control characters anyway.
  return { content, bytes, searchText: blankControlChars(searchText) };
}
