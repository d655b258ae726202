import { ContentType } from '@parley/sdk';
import { clock, describe, type MessageView } from './message-view.js';
import type { UserDirectory } from './user-directory.js';

/**
 * The plain-text line of a message for scripts: `[time] <where> #seq sender: text`, where
 * `where` is the reply address (`@bob`, `#general`, `#<group id>`). SYSTEM lines are marked `*`.
 */
export function textLine(v: MessageView, users: UserDirectory, where: string): string {
  const sender = users.username(v.senderId) ?? (v.senderName !== '' ? v.senderName : `user ${v.senderId}`);
  const body = describe(v).replace(/\r?\n/g, '\n    ');
  const system = v.contentType === ContentType.SYSTEM ? '* ' : '';
  const edited = v.edited && !v.recalled ? ' (edited)' : '';
  return `[${clock(v.time, true)}] ${where} #${String(v.seq)} ${system}${sender}: ${body}${edited}`;
}
