import type { AttachResult } from './session-registry.js';
import type { DeviceSession, PushPort } from './session.js';
import type { UserId } from './types.js';

/**
 * Where core attaches logged-in devices and asks who is online. The embedded mode uses the
 * node-local `SessionRegistry`; cluster mode a directory that also knows the devices on other
 * nodes and routes pushes and replacement kicks to them.
 */
export interface SessionDirectory extends PushPort {
  /** Device sessions attached on this node. */
  readonly size: number;
  /** Attaches a session; a session it replaces on this node is kicked and returned. */
  attach(session: DeviceSession): AttachResult;
  /** Detaches a session if it is still the registered one; true when it was. */
  detach(session: DeviceSession): boolean;
  /** The user's sessions attached on this node. */
  sessionsOf(userId: UserId): DeviceSession[];
  /** Online anywhere (on any node in cluster mode). */
  isOnline(userId: UserId): boolean;
}
