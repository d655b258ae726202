import type { MessageContent } from '@parley/protocol';
import type { StoredMessage } from './types.js';

/**
 * Told about every message a user sends once it is stored, through any dialect or the HTTP API,
 * before the push and the ack. The media library records which conversations reference an upload
 * here (so members may download it), and metrics count messages. `duplicate` is true for a retry
 * of an already stored clientMsgId (observers must be idempotent). A failure fails the send (the push still
 * goes out); the client's retry is a duplicate and reaches the observer again.
 */
export interface MessageObserver {
  stored(message: StoredMessage, content: MessageContent, duplicate: boolean): Promise<void>;
}
