import type { ConnectionState } from '@parley/sdk';

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export const STATE_LABEL: Record<ConnectionState, string> = {
  idle: 'Offline',
  connecting: 'Connecting…',
  online: 'Online',
  reconnecting: 'Reconnecting…',
  kicked: 'Signed in elsewhere',
  unauthenticated: 'Session expired',
  closed: 'Disconnected',
};

export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** "online", "last seen 14:02" (today) or "last seen 3 Mar" (earlier); empty when unknown. */
export function presenceText(online: boolean, lastSeenAt: number, now = Date.now()): string {
  if (online) return 'online';
  if (lastSeenAt <= 0) return '';
  const seen = new Date(lastSeenAt);
  const today = new Date(now).toDateString() === seen.toDateString();
  return `last seen ${today ? clockTime(lastSeenAt) : seen.toLocaleDateString([], { day: 'numeric', month: 'short' })}`;
}

/** "bob is typing…", "bob and carol are typing…", "3 people are typing…". */
export function typingText(names: readonly string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0] ?? ''} is typing…`;
  if (names.length === 2) return `${names[0] ?? ''} and ${names[1] ?? ''} are typing…`;
  return `${names.length} people are typing…`;
}
