import { ImtpCommand } from './commands.js';

/**
 * Call signaling on IMTP: VOICE_CALL (7) and VIDEO_CALL (8) are the invites, and the 40-47 block
 * carries the rest of a call, each as a message body whose `text` is the payload (SDP or an ICE
 * candidate), `metadata.name` the call id and `ackId` the client's request id.
 */
export const ImtpCallCommand = {
  RINGING: 40,
  ANSWER: 41,
  ICE: 42,
  BUSY: 43,
  REFUSE: 44,
  CANCEL: 45,
  HANGUP: 46,
  /** Server to client only: another device of this user answered. */
  ANSWERED_ELSEWHERE: 47,
} as const;

const KINDS: Readonly<Record<number, string>> = {
  [ImtpCommand.VOICE_CALL]: 'invite',
  [ImtpCommand.VIDEO_CALL]: 'invite',
  [ImtpCallCommand.RINGING]: 'ringing',
  [ImtpCallCommand.ANSWER]: 'answer',
  [ImtpCallCommand.ICE]: 'ice',
  [ImtpCallCommand.BUSY]: 'busy',
  [ImtpCallCommand.REFUSE]: 'refuse',
  [ImtpCallCommand.CANCEL]: 'cancel',
  [ImtpCallCommand.HANGUP]: 'hangup',
  [ImtpCallCommand.ANSWERED_ELSEWHERE]: 'answered_elsewhere',
};

const COMMANDS = new Map<string, number>(
  Object.entries(KINDS)
    .filter(([cmd]) => Number(cmd) !== ImtpCommand.VOICE_CALL && Number(cmd) !== ImtpCommand.VIDEO_CALL)
    .map(([cmd, kind]) => [kind, Number(cmd)]),
);

/** The call signal kind of an IMTP command, or undefined for a command that is not a call signal. */
export function imtpCallKind(cmd: number): string | undefined {
  return KINDS[cmd];
}

/** The IMTP command for a call signal (an invite by its media). */
export function imtpCallCommand(kind: string, media: string): number | undefined {
  if (kind === 'invite') return media === 'video' ? ImtpCommand.VIDEO_CALL : ImtpCommand.VOICE_CALL;
  return COMMANDS.get(kind);
}
