import { UsageError } from './errors.js';

/**
 * How scripts name a conversation (`parley send <to>`, `parley history <conv>`):
 *
 * | form                         | conversation                          |
 * | ---------------------------- | ------------------------------------- |
 * | `alice`, `@alice`, `user:alice` | the direct chat with user `alice`   |
 * | `uid:<digits>`               | the direct chat with that user id     |
 * | `#<digits>`, `group:<id>`    | the group with that id                |
 * | `#general`, `room:general`   | the chatroom `general`                |
 *
 * Group ids are numbers and chatroom names usually are not, so `#` serves both; a chatroom whose
 * name is all digits is written `room:2024`.
 */
export type Target =
  | { readonly kind: 'user'; readonly username: string }
  | { readonly kind: 'userId'; readonly userId: string }
  | { readonly kind: 'group'; readonly groupId: string }
  | { readonly kind: 'room'; readonly name: string };

const USERNAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{1,31}$/;
const ROOM = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const ID = /^[1-9][0-9]{0,19}$/;

export function parseTarget(text: string): Target {
  const t = text.trim();
  const prefixed = /^(user|uid|group|room):(.*)$/.exec(t);
  if (prefixed !== null) {
    const [, kind, rest = ''] = prefixed;
    if (kind === 'user') return user(rest, text);
    if (kind === 'uid') {
      if (!ID.test(rest)) throw new UsageError(`"${text}" is not a user id`);
      return { kind: 'userId', userId: rest };
    }
    if (kind === 'group') return groupOf(rest, text);
    return room(rest, text);
  }
  if (t.startsWith('@')) return user(t.slice(1), text);
  if (t.startsWith('#')) {
    const rest = t.slice(1);
    return /^[0-9]+$/.test(rest) ? groupOf(rest, text) : room(rest, text);
  }
  return user(t, text);
}

function user(name: string, original: string): Target {
  if (!USERNAME.test(name))
    throw new UsageError(`"${original}" is not a username (2-32 letters, digits, _ . -)`);
  return { kind: 'user', username: name };
}

function groupOf(id: string, original: string): Target {
  if (!ID.test(id)) throw new UsageError(`"${original}" is not a group id`);
  return { kind: 'group', groupId: id };
}

function room(name: string, original: string): Target {
  if (!ROOM.test(name)) throw new UsageError(`"${original}" is not a chatroom name (letters, digits, _ . -)`);
  return { kind: 'room', name: name.toLowerCase() };
}

/** The address a script can pass back to `parley send` (tail prints it as `to`). */
export function formatTarget(target: Target): string {
  switch (target.kind) {
    case 'user':
      return `@${target.username}`;
    case 'userId':
      return `uid:${target.userId}`;
    case 'group':
      return `#${target.groupId}`;
    case 'room':
      return /^[0-9]+$/.test(target.name) ? `room:${target.name}` : `#${target.name}`;
  }
}
