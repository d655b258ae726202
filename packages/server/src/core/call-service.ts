import { create } from '@bufbuild/protobuf';
import {
  BadRequestError,
  ConflictError,
  ContentType,
  ConversationType,
  ForbiddenError,
  MessageContentSchema,
  NotFoundError,
  TooLargeError,
} from '@parley/protocol';
import type { CallState, CallStateStore } from './call-state.js';
import type { MessageService } from './message-service.js';
import type { DeviceSession, PushPort } from './session.js';
import type { Store } from './store.js';
import type { UserId } from './types.js';

export const CallSignalKind = {
  INVITE: 'invite',
  RINGING: 'ringing',
  ANSWER: 'answer',
  ICE: 'ice',
  BUSY: 'busy',
  REFUSE: 'refuse',
  CANCEL: 'cancel',
  HANGUP: 'hangup',
  /** Sent by the server to the callee's other devices once one of them answered. */
  ANSWERED_ELSEWHERE: 'answered_elsewhere',
} as const;
export type CallSignalKind = (typeof CallSignalKind)[keyof typeof CallSignalKind];

export const CallOutcome = {
  COMPLETED: 'completed',
  MISSED: 'missed',
  REFUSED: 'refused',
  CANCELLED: 'cancelled',
  BUSY: 'busy',
} as const;
export type CallOutcome = (typeof CallOutcome)[keyof typeof CallOutcome];

export interface CallConfig {
  /** An unanswered invite ends as missed after this long. */
  readonly ringTimeoutMs: number;
  /** A call's state lives this long after its last answer (then it is forgotten). */
  readonly maxCallMs: number;
  /** Largest SDP or ICE payload, in characters. */
  readonly maxPayload: number;
}

export interface CallSignalInput {
  readonly callId: string;
  readonly peerId: UserId;
  readonly kind: string;
  readonly media: string;
  readonly payload: string;
}

const CALL_ID = /^[\x21-\x7e]{1,64}$/;
const MEDIA = new Set(['voice', 'video']);

/**
 * Voice and video call signaling (IMTP's calls; WebRTC in the web client). The server relays
 * offers, answers and ICE candidates between the two users' devices without reading them, checks
 * that only the call's two parties signal on it (and each only its own part), and writes one call
 * record message to their direct conversation when the call ends (completed with its duration,
 * missed, refused, cancelled or busy).
 */
export class CallService {
  constructor(
    private readonly store: Store,
    private readonly calls: CallStateStore,
    private readonly push: PushPort,
    private readonly messages: MessageService,
    private readonly config: CallConfig,
    private readonly onBackgroundError: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  async signal(session: DeviceSession, input: CallSignalInput): Promise<void> {
    if (!CALL_ID.test(input.callId))
      throw new BadRequestError('callId must be 1-64 printable ASCII characters');
    if (input.payload.length > this.config.maxPayload) {
      throw new TooLargeError(`call payload longer than ${this.config.maxPayload} characters`);
    }
    const kind = parseKind(input.kind);
    if (kind === CallSignalKind.INVITE) {
      await this.invite(session, input);
      return;
    }
    const call = await this.calls.get(input.callId);
    if (call === undefined || (call.callerId !== session.userId && call.calleeId !== session.userId)) {
      throw new NotFoundError('no such call');
    }
    const isCaller = call.callerId === session.userId;
    const other = isCaller ? call.calleeId : call.callerId;
    switch (kind) {
      case CallSignalKind.RINGING:
        this.requireRole(!isCaller, kind);
        this.relay(session, [other], kind, call, input.payload);
        return;
      case CallSignalKind.ANSWER: {
        this.requireRole(!isCaller, kind);
        const answered = await this.calls.answer(call.callId, this.now(), this.config.maxCallMs);
        if (answered === undefined) throw new NotFoundError('no such call');
        this.relay(session, [other], kind, call, input.payload);
        // The callee's other devices stop ringing.
        this.relay(session, [session.userId], CallSignalKind.ANSWERED_ELSEWHERE, call, '');
        return;
      }
      case CallSignalKind.ICE:
        this.relay(session, [other], kind, call, input.payload);
        return;
      case CallSignalKind.BUSY:
      case CallSignalKind.REFUSE:
        this.requireRole(!isCaller, kind);
        await this.finish(
          session,
          call,
          kind,
          kind === CallSignalKind.BUSY ? CallOutcome.BUSY : CallOutcome.REFUSED,
        );
        return;
      case CallSignalKind.CANCEL:
        this.requireRole(isCaller, kind);
        await this.finish(session, call, kind, CallOutcome.CANCELLED);
        return;
      case CallSignalKind.HANGUP:
        await this.finish(session, call, kind, undefined);
        return;
      case CallSignalKind.ANSWERED_ELSEWHERE:
        throw new BadRequestError('answered_elsewhere is sent by the server only');
    }
  }

  private async invite(session: DeviceSession, input: CallSignalInput): Promise<void> {
    if (!MEDIA.has(input.media)) throw new BadRequestError('media must be "voice" or "video"');
    if (input.peerId === session.userId) throw new BadRequestError('cannot call yourself');
    if ((await this.store.getUserById(input.peerId)) === undefined) throw new NotFoundError('no such user');
    if (
      (await this.store.isBlocked(input.peerId, session.userId)) ||
      (await this.store.isBlocked(session.userId, input.peerId))
    ) {
      throw new ForbiddenError('blocked');
    }
    const call: CallState = {
      callId: input.callId,
      callerId: session.userId,
      calleeId: input.peerId,
      media: input.media,
      startedAt: this.now(),
      answeredAt: 0,
    };
    if (!(await this.calls.begin(call, this.config.maxCallMs))) throw new ConflictError('callId is in use');
    this.relay(session, [input.peerId], CallSignalKind.INVITE, call, input.payload);
    // Unanswered after the ring timeout: missed (both sides are told, as a cancel).
    const timer = setTimeout(() => {
      this.calls
        .end(call.callId, true)
        .then(async (ended) => {
          if (ended === undefined) return;
          this.push.push(
            [ended.callerId, ended.calleeId],
            this.event(session, CallSignalKind.CANCEL, ended, 'timeout'),
          );
          await this.record(session, ended, CallOutcome.MISSED);
        })
        .catch(this.onBackgroundError);
    }, this.config.ringTimeoutMs);
    timer.unref();
  }

  private async finish(
    session: DeviceSession,
    call: CallState,
    kind: CallSignalKind,
    outcome: CallOutcome | undefined,
  ): Promise<void> {
    const ended = await this.calls.end(call.callId);
    // Already ended by the other side (or timed out): nothing more to tell or record.
    if (ended === undefined) return;
    const other = ended.callerId === session.userId ? ended.calleeId : ended.callerId;
    this.relay(session, [other, session.userId], kind, ended, '');
    const isCaller = ended.callerId === session.userId;
    const final =
      outcome ??
      (ended.answeredAt > 0 ? CallOutcome.COMPLETED : isCaller ? CallOutcome.CANCELLED : CallOutcome.REFUSED);
    await this.record(session, ended, final);
  }

  private async record(session: DeviceSession, call: CallState, outcome: CallOutcome): Promise<void> {
    const duration = outcome === CallOutcome.COMPLETED ? Math.max(0, this.now() - call.answeredAt) : 0;
    const other = call.callerId === session.userId ? call.calleeId : call.callerId;
    const what = call.media === 'video' ? 'Video call' : 'Voice call';
    const text =
      outcome === CallOutcome.COMPLETED ? `[${what}] ${formatDuration(duration)}` : `[${what}] ${outcome}`;
    await this.messages.sendAuthored(session, {
      conversation: { type: ConversationType.SINGLE, target: String(other) },
      clientMsgId: `call-${call.callId}`.slice(0, 64),
      content: create(MessageContentSchema, {
        contentType: ContentType.CALL,
        text,
        call: {
          callId: call.callId,
          media: call.media,
          outcome,
          durationMs: BigInt(duration),
          callerId: call.callerId,
        },
      }),
    });
  }

  private relay(
    session: DeviceSession,
    to: readonly UserId[],
    kind: CallSignalKind,
    call: CallState,
    payload: string,
  ): void {
    this.push.push(to, this.event(session, kind, call, payload), session.sessionId);
  }

  private event(session: DeviceSession, kind: CallSignalKind, call: CallState, payload: string) {
    return {
      kind: 'call',
      callId: call.callId,
      fromUserId: session.userId,
      fromDevice: session.deviceId,
      signal: kind,
      media: call.media,
      payload,
    } as const;
  }

  private requireRole(ok: boolean, kind: string): void {
    if (!ok) throw new ForbiddenError(`${kind} is not yours to send on this call`);
  }
}

function parseKind(kind: string): CallSignalKind {
  for (const known of Object.values(CallSignalKind)) if (known === kind) return known;
  throw new BadRequestError(`unknown call signal ${JSON.stringify(kind)}`);
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
