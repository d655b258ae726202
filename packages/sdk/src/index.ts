// The browser-safe entry: nothing here may import a `node:` module (a test bundles it for the
// browser and checks). Node-only transports live in '@parley/sdk/node'.
export * from './client.js';
export * from './connection.js';
export * from './conversation.js';
export * from './errors.js';
export * from './events.js';
export * from './storage.js';
export * from './indexeddb-storage.js';
export * from './transport.js';
export * from './websocket-transport.js';
export * from './gateway-transport.js';
export * from './backoff.js';
export * from './api/messages.js';
export * from './api/groups.js';
export * from './api/chatrooms.js';
export * from './api/contacts.js';
export * from './api/users.js';
export * from './api/conversations.js';
export * from './api/calls.js';
export * from './api/wallet.js';
export * from './encryption.js';
export * from './e2e/index.js';
export {
  Command,
  BadRequestError,
  ForbiddenError,
  NotFoundError,
  ConflictError,
  RateLimitedError,
  ExpiredError,
  ConversationType,
  ContentType,
  Platform,
  Status,
  ParleyError,
  TimeoutError,
  KickedError,
  TokenRevokedError,
  TokenExpiredError,
  AuthFailedError,
  type Message,
  type MessageContent,
  type SendResult,
  type Contact,
  type UserProfile,
  type GroupInfo,
  type ChatroomInfo,
  type ConversationState,
  type KickNotice,
  type PresenceNotice,
  type Member,
  type CallSignal,
  type CallRecord,
  type RedPacketInfo,
  type RedPacketDetail,
  type WalletResponse,
  type LedgerEntry,
  type ServerPublicKey,
  importServerPublicKey,
} from '@parley/protocol';
