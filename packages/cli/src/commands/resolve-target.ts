import { chatroom, direct, group, type ConversationRef } from '@parley/sdk';
import type { Target } from '../address.js';
import { CliError } from '../errors.js';
import type { HttpApi } from '../http-api.js';
import type { UserDirectory } from '../user-directory.js';

/** The conversation a script named, looking usernames up over HTTP. */
export async function resolveTarget(
  api: HttpApi,
  target: Target,
  users?: UserDirectory,
): Promise<ConversationRef> {
  switch (target.kind) {
    case 'user': {
      const user = await api.findUser(target.username);
      if (user === undefined) throw new CliError(`no user named "${target.username}"`);
      users?.remember(user);
      return direct(user.userId);
    }
    case 'userId':
      return direct(target.userId);
    case 'group':
      return group(target.groupId);
    case 'room':
      return chatroom(target.name);
  }
}
