import type { CallRecord, RedPacketInfo } from '@parley/sdk';
import { formatCents } from './money.js';

/**
 * The two content types only the server writes: RED_PACKET (12, `redPacket`) and CALL (13,
 * `call`), as the CLI shows them. Amounts are in the smallest unit; ids are decimal strings.
 */
export interface RedPacketView {
  readonly packetId: string;
  readonly senderId: string;
  readonly total: number;
  readonly count: number;
  /** `random` or `even`. */
  readonly mode: string;
  readonly greeting: string;
  /** ms since the epoch. */
  readonly expiresAt: number;
}

export interface CallView {
  readonly callId: string;
  /** `voice` or `video`. */
  readonly media: string;
  /** `completed`, `missed`, `refused`, `cancelled` or `busy`. */
  readonly outcome: string;
  readonly durationMs: number;
  readonly callerId: string;
}

export function redPacketFromNative(p: RedPacketInfo | undefined): RedPacketView | undefined {
  if (p === undefined) return undefined;
  return {
    packetId: String(p.packetId),
    senderId: String(p.senderId),
    total: Number(p.total),
    count: p.count,
    mode: p.mode,
    greeting: p.greeting,
    expiresAt: Number(p.expiresAt),
  };
}

export function callFromNative(c: CallRecord | undefined): CallView | undefined {
  if (c === undefined) return undefined;
  return {
    callId: c.callId,
    media: c.media,
    outcome: c.outcome,
    durationMs: Number(c.durationMs),
    callerId: String(c.callerId),
  };
}

type Json = Record<string, unknown>;

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}
/** Protobuf JSON writes 64-bit integers as strings. */
function num(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : 0;
  return Number.isFinite(n) ? n : 0;
}

/** `content.redPacket` of the HTTP API's message JSON. */
export function redPacketFromJson(v: unknown): RedPacketView | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const p = v as Json;
  return {
    packetId: str(p['packetId']) || '0',
    senderId: str(p['senderId']) || '0',
    total: num(p['total']),
    count: num(p['count']),
    mode: str(p['mode']),
    greeting: str(p['greeting']),
    expiresAt: num(p['expiresAt']),
  };
}

/** `content.call` of the HTTP API's message JSON. */
export function callFromJson(v: unknown): CallView | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const c = v as Json;
  return {
    callId: str(c['callId']),
    media: str(c['media']),
    outcome: str(c['outcome']),
    durationMs: num(c['durationMs']),
    callerId: str(c['callerId']) || '0',
  };
}

/** `0:42`, `12:05`, `1:02:03`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${String(h)}:${String(m).padStart(2, '0')}:${s}` : `${String(m)}:${s}`;
}

/** `Video call 0:42`, `Missed voice call`, `Declined video call`, … */
export function describeCall(c: CallView): string {
  const media = c.media === 'video' ? 'video call' : c.media === 'voice' ? 'voice call' : 'call';
  const Media = `${media.charAt(0).toUpperCase()}${media.slice(1)}`;
  switch (c.outcome) {
    case 'completed':
      return `${Media} ${formatDuration(c.durationMs)}`;
    case 'missed':
      return `Missed ${media}`;
    case 'refused':
      return `Declined ${media}`;
    case 'cancelled':
      return `Cancelled ${media}`;
    case 'busy':
      return `${Media} (busy)`;
    default:
      return c.outcome === '' ? Media : `${Media} (${c.outcome})`;
  }
}

/**
 * `[red packet] 12.34 in 3 shares (even): Happy new year`, then `· <tail>` when given (the
 * packet id for scripts; the claim hint or outcome in the chat pane).
 */
export function describeRedPacket(p: RedPacketView, tail = `id ${p.packetId}`): string {
  const shares = p.count === 1 ? '1 share' : `${String(p.count)} shares`;
  const mode = p.count > 1 && p.mode === 'even' ? ' (even)' : '';
  const greeting = p.greeting === '' ? '' : `: ${p.greeting}`;
  return `[red packet] ${formatCents(p.total)} in ${shares}${mode}${greeting}${tail === '' ? '' : ` · ${tail}`}`;
}
