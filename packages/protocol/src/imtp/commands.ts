/**
 * IMTP commands (the `cmd` signed byte; seed 000 and its reference implementation). A response
 * is the request's command negated; `MSG_RES` (-1) acknowledges every message command.
 */
export const ImtpCommand = {
  /** Body: JSON `{username, password}`; answered by LOGIN_RES. */
  LOGIN: 126,
  /** Body: JSON user info followed by one state byte. */
  LOGIN_RES: -126,
  /** Body: JSON `{token}` (or the bare token as UTF-8); answered by AUTH_RES. */
  AUTH: 120,
  AUTH_RES: -120,
  TEXT: 1,
  VOICE: 2,
  MEME: 3,
  IMAGE: 4,
  VIDEO: 5,
  FILE: 6,
  /** Call invites (voice, video); the rest of a call is the 40-47 block (imtp/calls.ts). */
  VOICE_CALL: 7,
  VIDEO_CALL: 8,
  /** One state byte + int64 ackId. */
  MSG_RES: -1,
  HEARTBEAT: 127,
  HEARTBEAT_RES: -127,
  /** Request: empty body. Response: the unread messages (see `encodeImtpOfflineBody`). */
  OFFLINE: 123,
  OFFLINE_RES: -123,
} as const;
export type ImtpCommand = (typeof ImtpCommand)[keyof typeof ImtpCommand];

/** IMTP's 40-49 block: 40-47 carry call signals (imtp/calls.ts); 48-49 are known, not served. */
export const IMTP_RESERVED_FIRST = 48;
export const IMTP_RESERVED_LAST = 49;

/** The commands that carry a chat message body (text/URL, ackId, timestamp, metadata). */
export type ImtpMessageCommand = 1 | 2 | 3 | 4 | 5 | 6;

export function isImtpMessageCommand(cmd: number): cmd is ImtpMessageCommand {
  return Number.isInteger(cmd) && cmd >= ImtpCommand.TEXT && cmd <= ImtpCommand.FILE;
}

/** Commands IMTP defines but Parley answers with an error state. */
export function isImtpUnsupportedCommand(cmd: number): boolean {
  return cmd >= IMTP_RESERVED_FIRST && cmd <= IMTP_RESERVED_LAST;
}
