import type { DeviceSession, KickInfo, PushEvent } from './session.js';

/** A device session for tests of core and cluster code: it records what it is sent. */
export interface RecordingSession extends DeviceSession {
  readonly events: PushEvent[];
  readonly kicks: KickInfo[];
}

export function recordingSession(
  sessionId: number,
  userId: bigint,
  platform: number,
  tokenHash = 'tok',
): RecordingSession {
  const events: PushEvent[] = [];
  const kicks: KickInfo[] = [];
  return {
    sessionId,
    userId,
    username: `u${userId}`,
    deviceId: `dev-${sessionId}-${userId}`,
    platform,
    tokenHash,
    events,
    kicks,
    deliver: (e) => events.push(e),
    kick: (k) => kicks.push(k),
  };
}
