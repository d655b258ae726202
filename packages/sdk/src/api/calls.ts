import { CallSignalSchema, Command } from '@parley/protocol';
import type { Caller } from '../client.js';

/** What a call signal means (see docs/native-protocol.md, Calls). */
export const CallSignalKind = {
  INVITE: 'invite',
  RINGING: 'ringing',
  ANSWER: 'answer',
  ICE: 'ice',
  BUSY: 'busy',
  REFUSE: 'refuse',
  CANCEL: 'cancel',
  HANGUP: 'hangup',
  ANSWERED_ELSEWHERE: 'answered_elsewhere',
} as const;
export type CallSignalKind = (typeof CallSignalKind)[keyof typeof CallSignalKind];

export type CallMedia = 'voice' | 'video';

/**
 * Call signaling for WebRTC (or any media stack): the server relays these between the two users'
 * devices and writes a call record message when the call ends. Incoming signals arrive as `call`
 * events. The SDK carries SDP and ICE candidates as opaque strings.
 */
export class CallsApi {
  constructor(private readonly caller: Caller) {}

  /** Rings `peerId`'s devices with an SDP offer. `callId`: unique per call, e.g. a random UUID. */
  invite(callId: string, peerId: bigint, media: CallMedia, offerSdp: string): Promise<void> {
    return this.signal(callId, peerId, CallSignalKind.INVITE, offerSdp, media);
  }

  ringing(callId: string, peerId: bigint): Promise<void> {
    return this.signal(callId, peerId, CallSignalKind.RINGING, '');
  }

  answer(callId: string, peerId: bigint, answerSdp: string): Promise<void> {
    return this.signal(callId, peerId, CallSignalKind.ANSWER, answerSdp);
  }

  /** One ICE candidate (e.g. `JSON.stringify(candidate)`). */
  ice(callId: string, peerId: bigint, candidate: string): Promise<void> {
    return this.signal(callId, peerId, CallSignalKind.ICE, candidate);
  }

  /** The callee declines; `busy` says it is in another call. */
  refuse(callId: string, peerId: bigint, busy = false): Promise<void> {
    return this.signal(callId, peerId, busy ? CallSignalKind.BUSY : CallSignalKind.REFUSE, '');
  }

  /** The caller gives up before an answer. */
  cancel(callId: string, peerId: bigint): Promise<void> {
    return this.signal(callId, peerId, CallSignalKind.CANCEL, '');
  }

  hangup(callId: string, peerId: bigint): Promise<void> {
    return this.signal(callId, peerId, CallSignalKind.HANGUP, '');
  }

  private signal(
    callId: string,
    peerId: bigint,
    kind: CallSignalKind,
    payload: string,
    media = '',
  ): Promise<void> {
    return this.caller.callEmpty(Command.CALL, CallSignalSchema, { callId, peerId, kind, media, payload });
  }
}
