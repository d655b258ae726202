import type { MemberDirectory } from './member-directory.js';
import type { PushPort } from './session.js';
import type { StoredMessage } from './types.js';

/**
 * Delivery of a stored message to every online device of every member (DESIGN §3.3). Above
 * `notifyAbove` members, devices get a notify with the head seq instead of the body and pull
 * (DESIGN §3.7), which keeps a big group's burst of writes small.
 */
export class Fanout {
  constructor(
    private readonly members: MemberDirectory,
    private readonly push: PushPort,
    private readonly notifyAbove: number,
  ) {}

  async publish(message: StoredMessage, senderName: string, skipSessionId?: number): Promise<void> {
    const ids = await this.members.memberIds(message.conversationId);
    if (ids.length > this.notifyAbove) {
      this.push.push(
        ids,
        { kind: 'notify', conversationId: message.conversationId, maxSeq: message.seq },
        skipSessionId,
      );
    } else {
      this.push.push(ids, { kind: 'message', message, senderName }, skipSessionId);
    }
  }
}
