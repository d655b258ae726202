import { KickReason } from '@parley/protocol';
import type { SessionDirectory } from './session-directory.js';
import type { DeviceSession, SessionEvent } from './session.js';
import type { UserId } from './types.js';

export interface AttachResult {
  /** The session this one replaced (same user and platform class), already kicked. */
  readonly replaced: DeviceSession | undefined;
}

/**
 * The device sessions live on this node: at most one per (user, platform class). Attaching a
 * session kicks the one it replaces. The embedded mode's SessionDirectory.
 */
export class SessionRegistry implements SessionDirectory {
  private readonly byUser = new Map<UserId, Map<number, DeviceSession>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  attach(session: DeviceSession): AttachResult {
    let devices = this.byUser.get(session.userId);
    if (devices === undefined) {
      devices = new Map();
      this.byUser.set(session.userId, devices);
    }
    const replaced = devices.get(session.platform);
    devices.set(session.platform, session);
    if (replaced === undefined) this.count += 1;
    else if (replaced !== session) {
      replaced.kick({
        reason: KickReason.REPLACED,
        byDeviceId: session.deviceId,
        byPlatform: session.platform,
        text: 'signed in on another device of the same kind',
      });
    }
    return { replaced: replaced === session ? undefined : replaced };
  }

  /** Removes the session if it is still the registered one (a kicked session is already gone). */
  detach(session: DeviceSession): boolean {
    const devices = this.byUser.get(session.userId);
    if (devices?.get(session.platform) !== session) return false;
    devices.delete(session.platform);
    this.count -= 1;
    if (devices.size === 0) this.byUser.delete(session.userId);
    return true;
  }

  /** Every attached session (a drain tells each to go). */
  all(): DeviceSession[] {
    const out: DeviceSession[] = [];
    for (const devices of this.byUser.values()) out.push(...devices.values());
    return out;
  }

  sessionsOf(userId: UserId): DeviceSession[] {
    return [...(this.byUser.get(userId)?.values() ?? [])];
  }

  isOnline(userId: UserId): boolean {
    return this.byUser.has(userId);
  }

  push(userIds: readonly UserId[], event: SessionEvent, skipSessionId?: number): void {
    for (const userId of userIds) {
      const devices = this.byUser.get(userId);
      if (devices === undefined) continue;
      // Copied: a kick detaches the session from the map being walked.
      for (const session of event.kind === 'suspended' ? [...devices.values()] : devices.values()) {
        if (session.sessionId === skipSessionId) continue;
        if (event.kind === 'suspended') {
          session.kick({ reason: KickReason.BANNED, byDeviceId: '', byPlatform: 0, text: event.text });
        } else session.deliver(event);
      }
    }
  }
}
