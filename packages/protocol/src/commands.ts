/**
 * Native protocol commands (DESIGN §4). 1-8 are the seed's; 9 and up are Parley's extensions.
 * A plain `as const` table, so a command is a number on the wire and a literal type in code.
 */
export const Command = {
  LOGIN: 1,
  LOGOUT: 2,
  PING: 3,
  /** Send a message. */
  MS: 4,
  /** Pull a range of one conversation. */
  MP: 5,
  /** Notify: a conversation moved, pull it. */
  MN: 6,
  /** Recall a message. */
  MR: 7,
  /** Push: a message delivered by the server. */
  MPS: 8,
  REGISTER: 9,
  SYNC: 10,
  KICK: 11,
  DISCONNECT: 12,
  GROUP_CREATE: 13,
  GROUP_UPDATE: 14,
  GROUP_ADD: 15,
  GROUP_REMOVE: 16,
  GROUP_LEAVE: 17,
  GROUP_TRANSFER: 18,
  GROUP_DISMISS: 19,
  GROUP_SET_ROLE: 20,
  GROUP_MUTE: 21,
  GROUP_MEMBERS: 22,
  GROUP_INFO: 23,
  CHATROOM_JOIN: 24,
  CHATROOM_LEAVE: 25,
  CHATROOM_LIST: 26,
  CHATROOM_MEMBERS: 27,
  /** Move the read cursor; also the server's read notice. */
  READ: 28,
  EDIT: 29,
  READ_COUNTS: 30,
  CONVERSATIONS: 31,
  CONVERSATION_SETTINGS: 32,
  SEARCH: 33,
  PROFILE_UPDATE: 34,
  USER_SEARCH: 35,
  USERS_GET: 36,
  /** Notify: a watched user came online or went offline. */
  PRESENCE: 37,
  CONTACT_REQUEST: 38,
  CONTACT_ACCEPT: 39,
  CONTACT_DECLINE: 40,
  CONTACT_REMOVE: 41,
  CONTACT_LIST: 42,
  BLOCK: 43,
  UNBLOCK: 44,
  BLOCK_LIST: 45,
  /** Notify: a contact relation changed. */
  CONTACT_NOTICE: 46,
  RED_PACKET_SEND: 47,
  RED_PACKET_CLAIM: 48,
  RED_PACKET_INFO: 49,
  WALLET: 50,
  /** Call signaling: a request from a device, a notify to the peer's devices. */
  CALL: 51,
} as const;

export type Command = (typeof Command)[keyof typeof Command];

const commandNames = new Map<number, string>(Object.entries(Command).map(([k, v]) => [v, k]));

export function isKnownCommand(value: number): value is Command {
  return commandNames.has(value);
}

export function commandName(value: number): string {
  return commandNames.get(value) ?? `UNKNOWN(${String(value)})`;
}
