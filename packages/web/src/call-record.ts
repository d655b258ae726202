import { duration } from './format.js';

/** A finished call as its message shows it (CallRecord with numbers instead of bigints). */
export interface CallView {
  readonly callId: string;
  readonly media: string;
  /** completed, missed, refused, cancelled or busy. */
  readonly outcome: string;
  readonly durationMs: number;
  readonly callerId: bigint;
}

/**
 * One line for a call record, as seen by the caller (`outgoing`) or the callee: "Video call · 0:42",
 * "Missed voice call", "Voice call · refused". Without a side (previews), the neutral wording.
 */
export function callRecordText(call: CallView, outgoing?: boolean): string {
  const kind = call.media === 'video' ? 'video call' : 'voice call';
  const Kind = call.media === 'video' ? 'Video call' : 'Voice call';
  switch (call.outcome) {
    case 'completed':
      return `${Kind} · ${duration(call.durationMs)}`;
    case 'missed':
      return outgoing === true ? `${Kind} · no answer` : `Missed ${kind}`;
    case 'refused':
      return outgoing === false ? `Refused ${kind}` : `${Kind} · refused`;
    case 'cancelled':
      return outgoing === false ? `Missed ${kind}` : `${Kind} · cancelled`;
    case 'busy':
      return outgoing === false ? `Missed ${kind} (busy)` : `${Kind} · busy`;
    default:
      return Kind;
  }
}
