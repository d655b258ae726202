/** Conversation types, seed numbering (DESIGN §2). */
export const ConversationType = { SINGLE: 0, GROUP: 1, CHATROOM: 2 } as const;
export type ConversationType = (typeof ConversationType)[keyof typeof ConversationType];

/** Content types: the seed's 0-8, then Parley's. TYPING is transient: never stored. */
export const ContentType = {
  UNKNOWN: 0,
  TEXT: 1,
  SOUND: 2,
  IMAGE: 3,
  LOCATION: 4,
  FILE: 5,
  VIDEO: 6,
  STICKER: 7,
  TYPING: 8,
  FACE: 9,
  SYSTEM: 10,
  CUSTOM: 11,
  /** Written by the server only (RED_PACKET_SEND). */
  RED_PACKET: 12,
  /** A call record, written by the server only. */
  CALL: 13,
  /** End-to-end encrypted: `ciphertext` only, which the server stores and forwards unread. */
  ENCRYPTED: 14,
} as const;
export type ContentType = (typeof ContentType)[keyof typeof ContentType];

/** Device platform classes: one live session per user and class (DESIGN §2). */
export const Platform = { WEB: 1, PC: 2, MOBILE: 3, PAD: 4, BOT: 5 } as const;
export type Platform = (typeof Platform)[keyof typeof Platform];

export const MessageFlag = { RECALLED: 1, EDITED: 2 } as const;

export const KickReason = { REPLACED: 1, LOGGED_OUT_ELSEWHERE: 2, BANNED: 3 } as const;

function valuesOf(table: Record<string, number>): ReadonlySet<number> {
  return new Set(Object.values(table));
}

const conversationTypes = valuesOf(ConversationType);
const contentTypes = valuesOf(ContentType);
const platforms = valuesOf(Platform);

export function isConversationType(value: number): value is ConversationType {
  return conversationTypes.has(value);
}
export function isContentType(value: number): value is ContentType {
  return contentTypes.has(value);
}
export function isPlatform(value: number): value is Platform {
  return platforms.has(value);
}
